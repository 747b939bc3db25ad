"""Settings: one typed object whose fields are the table of name, default and help; docs/settings.md documents each."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

PACKAGE = Path(__file__).resolve().parent
# The folder holding templates/ and static/: the package itself when installed from a wheel, which
# carries them inside (pyproject.toml), else the checkout they sit at the top of (also an editable install).
ROOT = PACKAGE if (PACKAGE / "templates").is_dir() else PACKAGE.parent
FROM_CHECKOUT = ROOT != PACKAGE
# A checkout keeps its data in its own sessions/ folder; an installed tool in sessions/ of the current directory.
DEFAULT_DATA_DIR = str(ROOT / "sessions") if FROM_CHECKOUT else "sessions"


def setting(default: Any, help: str) -> Any:
    """A field of Settings: its default and its line of help (the table docs/settings.md documents)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting, typed, with its default and help: the one source the app, the CLI and the docs read."""

    data_dir: str = setting(DEFAULT_DATA_DIR, "Folder for the SQLite database and the installation secret.")
    public_url: str | None = setting(None, "Base URL phones, projectors and facilitators use to reach the app (e.g. "
            "http://192.168.1.20:5000, or https://workshop.example.org behind a proxy): every link and QR code names it. "
            "`workshop serve --public-url` is the same setting and wins; when neither is set, the bound or LAN address.")
    public_url_reachable: bool = setting(True, "Whether phones can reach PUBLIC_URL: `workshop serve` sets it with the "
            "address it works out (False for a loopback address, and the projector then warns); set it to False "
            "when the configured address is one phones cannot open.")
    async_mode: str = setting("eventlet", "Flask-SocketIO async mode: eventlet (default), gevent or threading.")
    default_language: str = setting("nl", "Language of pages for visitors who did not choose one.")
    max_participants: int = setting(5000, "Most participants one session accepts.")
    nickname_max: int = setting(40, "Longest nickname, in characters (grapheme clusters: a family emoji or an accented letter counts as one).")
    nickname_max_bytes: int = setting(1024, "Largest nickname in UTF-8 bytes, as one character may hold many code points; 40 four-person family emoji take 1,000. Other texts may take 4 bytes per character.")
    title_max: int = setting(120, "Longest session title, in characters (grapheme clusters).")
    organisation_max: int = setting(80, "Longest organisation label of a session (e.g. 'Museum De Waag'), in characters (grapheme clusters).")
    compare_max: int = setting(12, "Most sessions one comparison report puts side by side (the page and `workshop compare`).")
    max_disciplines: int = setting(12, "Most disciplines a session may offer.")
    discipline_max: int = setting(40, "Longest discipline name, in characters (grapheme clusters).")
    note_max: int = setting(1500, "Longest facilitator note, in characters. A note travels in one Socket.IO message: "
            "at 4 bytes a character the worst case must fit MAX_MESSAGE_BYTES (1,500 take ~6 KB of 8 KB).")
    steps_max: int = setting(8, "Most first small steps a session records; with the three STEP_*_MAX below, the whole "
            "list travels in one Socket.IO message and must fit MAX_MESSAGE_BYTES.")
    step_what_max: int = setting(120, "Longest 'what' of a first small step, in characters.")
    step_who_max: int = setting(50, "Longest 'who' of a first small step, in characters.")
    step_due_max: int = setting(30, "Longest 'by when' of a first small step, in characters.")
    max_message_bytes: int = setting(8192, "Largest Socket.IO message the server accepts (phones send ~100 bytes; the facilitator's notes up to ~7 KB).")
    max_request_bytes: int = setting(16384, "Largest HTTP request body the server accepts.")
    emit_interval: float = setting(0.1, "Longest wait of the projector's aggregate under load, and shortest time between "
            "two of the facilitator's (seconds; 0 sends every change at once).")
    min_group_size: int = setting(3, "Discipline groups smaller than this are shown together as 'other' (which takes in the smallest groups until it is this big too); a group's figures for a question need this many of its people to have answered it.")
    retention_days: int = setting(90, "Sessions unchanged for this many days are deleted when the server starts and by "
            "`workshop sessions purge`; 0 keeps them all (a purge then needs --older-than, at least 1). A session "
            "something is connected to counts as changed (the server moves its time hourly), so it is never purged.")
    rate_join: tuple[int, float] = setting((600, 60.0), "Joins allowed per client address per window (count, seconds); a plenary behind one venue NAT shares an address, and the lock stops a flood.")
    rate_join_connection: tuple[int, float] = setting((5, 60.0), "Join attempts allowed per connection per window (count, seconds).")
    rate_answer: tuple[int, float] = setting((30, 10.0), "Answers allowed per participant per window (count, seconds), however many sockets carry its token.")
    rate_answer_address: tuple[int, float] = setting((3000, 10.0), "Answers allowed per client address per window (count, seconds); generous, since a room behind one NAT shares an address.")
    checkpoint_interval: float = setting(1.0, "Seconds between two copies of the database's write-ahead log into the database, "
            "done in an OS thread so the disk's wait never holds the sockets (0: SQLite does it while committing).")
    deletion_check_interval: float = setting(0.5, "Seconds between the running server's checks whether another process "
            "(`workshop sessions delete` or `purge`) deleted a live session, whose sockets it then closes, or revoked a facilitator "
            "link (`workshop sessions link`), whose facilitator sockets it then disconnects; 0 turns the check off.")
    rate_lookup: tuple[int, float] = setting((120, 60.0), "Wrong session-code lookups allowed per address per window (count, seconds); room for the typos of a plenary behind one NAT. Once spent, a code is still found when this address found it before or the request carries one of its secrets.")
    trusted_proxies: int = setting(0, "Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port "
            "headers are trusted (0: none, the headers are ignored; 1: one proxy such as nginx or Caddy).")
    max_connections_per_address: int = setting(5000, "Most simultaneous connections from one client address; more are closed at once (0: no cap). "
            "Room for 2,000 phones behind one venue NAT at two sockets each, plus a quarter for page loads. "
            "Behind a proxy every connection comes from the proxy: set 0 there and let the proxy cap per client.")
    max_sessions_per_address: int = setting(5000, "Most Socket.IO (Engine.IO) sessions open at once from one client address, "
            "the forwarded client behind TRUSTED_PROXIES; more handshakes get 429 (0: no cap). A phone holds one; "
            "without this, one kept-alive connection could open thousands of long-polling sessions.")
    fd_reserve: int = setting(100, "Open files kept free for the database, static files and exports; new connections beyond "
            "the open-file limit minus this are refused, so the server never runs out of descriptors.")
    websocket_deflate: bool = setting(True, "Compress websocket messages (permessage-deflate, each message on its own so no "
            "connection keeps a compressor): the idea list reaches phones in about a third of the bytes. False sends them as they are.")
    header_timeout: float = setting(10.0, "Seconds a client may take to send a request's headers (in total), and to send or "
            "receive any later part of it; a slower connection is closed.")
    idle_timeout: float = setting(30.0, "Seconds a connection may wait before sending a request (new or kept-alive); "
            "an idle connection is closed. WebSockets are exempt: Socket.IO's heartbeat watches them.")
    rate_create: tuple[int, float] = setting((30, 600.0), "Sessions one client address may create per window (count, seconds); "
            "an adviser creates a few a day, a script thousands a minute.")
    rate_export: tuple[int, float] = setting((30, 60.0), "Reports one client address may ask for per window (count, seconds): downloads, the "
            "summary API, the shared report link and comparisons (page and API), which take seconds of CPU for big "
            "sessions. The excess gets 429 (`rate_limited` in the API's JSON), counted before anything is looked up "
            "(issue 20, finding 7).")
    report_threads: int = setting(2, "Reports (downloads, summaries, shared reports, comparisons) built at once, each in an "
            "OS thread on a database connection of its own, off the event loop; more wait their turn without holding the sockets (issue 20, finding 7).")
    room_idle_seconds: float = setting(300.0, "A session with no phone, projector or facilitator connected and unused "
            "for this many seconds is dropped from memory; it reloads from the database on next use.")
    undo_seconds: float = setting(10.0, "Seconds the facilitator can undo the last control action (next, previous, open, "
            "close, reveal, new round, results, view, ...; a later change by anyone ends it sooner) or the last "
            "moderation of an idea (approve, hide, edit, merge).")
    facilitator_links_max: int = setting(10, "Most extra facilitator links a session keeps (one per device it was made "
            "for, by the page or `workshop sessions link`); the oldest stops working when a new one would exceed it, and "
            "the browsers and facilitator sockets signed in with it are signed out at once.")
    time_zone: str = setting("Europe/Amsterdam", "Time zone (IANA name) in which people read times: the start page's "
            "'Your sessions' and the XLSX and CSV exports. Stored times (and the JSON summary's) stay UTC.")
    message_queue: str | None = setting(None, "Redis URL of Flask-SocketIO's message queue (e.g. redis://127.0.0.1:6379/0), "
            "needed with `serve --workers N` above 1: deletions from the command line reach the worker holding "
            "the session through it, and the rate limits by client address are counted there for all workers. "
            "Set it for `workshop sessions delete|purge` too.")
    worker: int | None = setting(None, "This process's number among the workers of `serve --workers N` (1 to N), "
            "set by the supervisor for each worker it starts; None for a single server. A worker loads only the "
            "sessions whose codes the proxy hashes to it and names itself in the X-Workshop-Worker header.")
    lease_seconds: float = setting(5.0, "With `serve --workers N`: how long a worker's hold on a session (its lease in the "
            "database) lasts unless renewed; a worker renews its leases every third of it. When a worker dies, its sessions "
            "move to another worker after at most this long; shorter moves them sooner, at one database write per worker per renewal.")
    log_repeat_seconds: float = setting(60.0, "A warning or error that repeats within this many seconds is logged once; "
            "when the time is over one line says how many more there were (0 logs every one).")
    metrics: bool = setting(False, "Serve Prometheus metrics at /metrics, to requests from this machine (127.0.0.1, ::1) only.")
    database_url: str | None = setting(None, "PostgreSQL address (postgresql://user:password@host:5432/workshop) of a "
            "database shared by several machines; unset, the sessions are kept in SQLite in the data directory. Needs the "
            "`postgres` extra (psycopg); back it up with pg_dump (docs/deployment.md, Several machines).")
    challenge_picks_max: int = setting(2, "Most challenges one phone picks as the ones it recognises most.")
    challenges_max: int = setting(10, "Most challenges the facilitator's list may hold.")
    challenge_max: int = setting(140, "Longest challenge text, in characters (grapheme clusters).")
    ideas_per_participant: int = setting(3, "Most ideas one phone submits (merged or hidden ones still count).")
    idea_max: int = setting(140, "Longest idea, in characters (grapheme clusters).")
    idea_max_bytes: int = setting(1024, "Largest idea in UTF-8 bytes (one character may hold many code points).")
    dots_per_participant: int = setting(3, "Dots each phone places in the dot vote.")
    dots_per_idea: int = setting(2, "Most dots one phone places on one idea.")
    vote_top: int = setting(5, "How many top ideas the revealed dot vote shows.")
    rate_facilitator: tuple[int, float] = setting((100, 10.0), "Facilitator events (commands, timers, notes, moderation, links, ...) allowed per "
            "session per window (count, seconds), from all its facilitator devices together; a busy facilitator sends "
            "a few a second, notes are saved at most twice a second. The excess gets `rate_limited` (issue 20, finding 5).")
    rate_facilitator_address: tuple[int, float] = setting((300, 10.0), "Facilitator events allowed per client address per window (count, "
            "seconds), whatever the sessions: room for several facilitators behind one venue NAT.")
    rate_activity: tuple[int, float] = setting((30, 10.0), "Activity requests (picks, ideas, dots) allowed per participant per window (count, seconds).")
    wall_screen_max: int = setting(120, "Most ideas the projector's wall holds (the newest; it pages through them); the wall also says how many there are in all.")
    ideas_list_max: int = setting(300, "Most ideas the facilitator's moderation list holds (the newest; pending ones first).")
    ideas_phone_interval: float = setting(1.0, "Shortest time between two idea-list updates to phones (seconds; 0 sends at once): phones get the list coalesced, as a diff after the first full list.")
    sqlite_synchronous: str = setting("NORMAL", "SQLite synchronous pragma: NORMAL survives a killed process, FULL also a power cut.")
    postgres_synchronous_commit: str = setting("off", "PostgreSQL's synchronous_commit for the workshop's connections "
            "(with DATABASE_URL): off acknowledges an answer once committed, before PostgreSQL flushed it to disk, which "
            "survives a killed workshop process or machine (as SQLite's NORMAL) but not a crash of the database server "
            "within about 0.6 s; on also waits for that flush (as SQLite's FULL), one disk flush per answer.")
    timer_seconds: str = setting("30,60,120,300", "The countdowns the facilitator may start on an open question, in seconds (comma-separated); at zero the question closes.")
    timer_add_seconds: int = setting(30, "Seconds the facilitator's 'add time' puts on a running countdown.")
    screen_names_max: int = setting(30, "With names set to 'auto' (the default per session), the projector shows nicknames only up to this many participants.")

    def __post_init__(self) -> None:
        """Refuse a value that is not of its setting's type, naming the setting."""
        for row in SETTINGS:
            value = getattr(self, row.attribute)
            if not fits(value, row.type):
                kind = getattr(row.type, "__name__", row.type)
                raise TypeError(f"setting {row.name} must be {kind}, not {value!r}")

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults, then WORKSHOP_<NAME> environment variables, then the explicit overrides (by NAME)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for row in SETTINGS:
            raw = environ.get(f"WORKSHOP_{row.name}")
            if raw is not None:
                values[row.attribute] = parse(raw, row.type)
        for name, value in (overrides or {}).items():
            values[attribute(name)] = value
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (by attribute name)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: NAME, type, default and a line of help."""

    name: str
    type: Any
    default: Any
    help: str

    @property
    def attribute(self) -> str:
        """The name of the Settings attribute that holds it."""
        return self.name.lower()


_TYPES = get_type_hints(Settings)
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name.upper(), _TYPES[f.name], f.default, f.metadata["help"]) for f in fields(Settings))
NAMES = frozenset(s.name for s in SETTINGS)


def attribute(name: str) -> str:
    """The Settings attribute of a setting's NAME; an unknown name fails at once, with its name."""
    if name not in NAMES:
        raise ValueError(f"unknown setting {name!r} (docs/settings.md lists them)")
    return name.lower()


def fits(value: Any, kind: Any) -> bool:
    """Whether a value is of a setting's type (an int passes for a float, a bool never for a number)."""
    if value is None:
        return kind in (str | None, int | None)
    if isinstance(value, bool):
        return kind is bool
    if kind in (int, int | None):
        return isinstance(value, int)
    if kind is float:
        return isinstance(value, (int, float))
    if kind == tuple[int, float]:
        return (isinstance(value, (tuple, list)) and len(value) == 2 and fits(value[0], int)
                and fits(value[1], float))
    return isinstance(value, str)


def defaults() -> dict[str, Any]:
    """Return every setting's default value by name."""
    return {s.name: s.default for s in SETTINGS}


def parse(raw: str, kind: Any) -> Any:
    """Parse an environment variable's text into a setting's type."""
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind in (int, int | None):
        return int(raw) if raw.strip() or kind is int else None
    if kind is float:
        return float(raw)
    if kind == tuple[int, float]:
        count, window = raw.split(",")
        return (int(count), float(window))
    return raw or None if kind == str | None else raw


def version() -> str:
    """The installed version (the wheel's, or an editable install's pyproject version)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("workshop")
    except PackageNotFoundError:  # pragma: no cover (a checkout run without installing)
        return "unknown (not installed)"
