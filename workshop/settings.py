"""Settings: one table of name, default and help; docs/settings.md documents each."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
# The folder holding templates/ and static/: the package itself when installed from a wheel, which
# carries them inside (pyproject.toml), else the checkout they sit at the top of (also an editable install).
ROOT = PACKAGE if (PACKAGE / "templates").is_dir() else PACKAGE.parent
FROM_CHECKOUT = ROOT != PACKAGE
# A checkout keeps its data in its own sessions/ folder; an installed tool in sessions/ of the current directory.
DEFAULT_DATA_DIR = str(ROOT / "sessions") if FROM_CHECKOUT else "sessions"


@dataclass(frozen=True)
class Setting:
    """One configurable value with its default and a line of help."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", DEFAULT_DATA_DIR, "Folder for the SQLite database and the installation secret."),
    Setting("PUBLIC_URL", None, "Base URL phones, projectors and facilitators use to reach the app (e.g. "
            "http://192.168.1.20:5000, or https://workshop.example.org behind a proxy): every link and QR code names it. "
            "`workshop serve --public-url` is the same setting and wins; when neither is set, the bound or LAN address."),
    Setting("ASYNC_MODE", "eventlet", "Flask-SocketIO async mode: eventlet (default), gevent or threading."),
    Setting("DEFAULT_LANGUAGE", "nl", "Language of pages for visitors who did not choose one."),
    Setting("MAX_PARTICIPANTS", 5000, "Most participants one session accepts."),
    Setting("NICKNAME_MAX", 40, "Longest nickname, in characters (grapheme clusters: a family emoji or an accented letter counts as one)."),
    Setting("NICKNAME_MAX_BYTES", 1024, "Largest nickname in UTF-8 bytes, as one character may hold many code points; 40 four-person family emoji take 1,000. Other texts may take 4 bytes per character."),
    Setting("TITLE_MAX", 120, "Longest session title, in characters (grapheme clusters)."),
    Setting("ORGANISATION_MAX", 80, "Longest organisation label of a session (e.g. 'Museum De Waag'), in characters (grapheme clusters)."),
    Setting("COMPARE_MAX", 12, "Most sessions one comparison report puts side by side (the page and `workshop compare`)."),
    Setting("MAX_DISCIPLINES", 12, "Most disciplines a session may offer."),
    Setting("DISCIPLINE_MAX", 40, "Longest discipline name, in characters (grapheme clusters)."),
    Setting("NOTE_MAX", 1500, "Longest facilitator note, in characters. A note travels in one Socket.IO message: "
            "at 4 bytes a character the worst case must fit MAX_MESSAGE_BYTES (1,500 take ~6 KB of 8 KB)."),
    Setting("STEPS_MAX", 8, "Most first small steps a session records; with the three STEP_*_MAX below, the whole "
            "list travels in one Socket.IO message and must fit MAX_MESSAGE_BYTES."),
    Setting("STEP_WHAT_MAX", 120, "Longest 'what' of a first small step, in characters."),
    Setting("STEP_WHO_MAX", 50, "Longest 'who' of a first small step, in characters."),
    Setting("STEP_DUE_MAX", 30, "Longest 'by when' of a first small step, in characters."),
    Setting("MAX_MESSAGE_BYTES", 8192, "Largest Socket.IO message the server accepts (phones send ~100 bytes; the facilitator's notes up to ~7 KB)."),
    Setting("MAX_REQUEST_BYTES", 16384, "Largest HTTP request body the server accepts."),
    Setting("EMIT_INTERVAL", 0.1, "Longest wait of the projector's aggregate under load, and shortest time between "
            "two of the facilitator's (seconds; 0 sends every change at once)."),
    Setting("MIN_GROUP_SIZE", 3, "Discipline groups smaller than this are shown together as 'other' (which takes in the smallest groups until it is this big too); a group's figures for a question need this many of its people to have answered it."),
    Setting("RETENTION_DAYS", 90, "Sessions unchanged for this many days are deleted when the server starts and by "
            "`workshop sessions purge`; 0 keeps them all (a purge then needs --older-than, at least 1). A session "
            "something is connected to counts as changed (the server moves its time hourly), so it is never purged."),
    Setting("RATE_JOIN", (600, 60.0), "Joins allowed per client address per window (count, seconds); a plenary behind one venue NAT shares an address, and the lock stops a flood."),
    Setting("RATE_JOIN_CONNECTION", (5, 60.0), "Join attempts allowed per connection per window (count, seconds)."),
    Setting("RATE_ANSWER", (30, 10.0), "Answers allowed per participant per window (count, seconds), however many sockets carry its token."),
    Setting("RATE_ANSWER_ADDRESS", (3000, 10.0), "Answers allowed per client address per window (count, seconds); generous, since a room behind one NAT shares an address."),
    Setting("CHECKPOINT_INTERVAL", 1.0, "Seconds between two copies of the database's write-ahead log into the database, "
            "done in an OS thread so the disk's wait never holds the sockets (0: SQLite does it while committing)."),
    Setting("DELETION_CHECK_INTERVAL", 0.5, "Seconds between the running server's checks whether another process "
            "(`workshop sessions delete` or `purge`) deleted a live session, whose sockets it then closes, or revoked a facilitator "
            "link (`workshop sessions link`), whose facilitator sockets it then disconnects; 0 turns the check off."),
    Setting("RATE_LOOKUP", (120, 60.0), "Wrong session-code lookups allowed per address per window (count, seconds); room for the typos of a plenary behind one NAT. Once spent, a code is still found when this address found it before or the request carries one of its secrets."),
    Setting("TRUSTED_PROXIES", 0, "Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port "
            "headers are trusted (0: none, the headers are ignored; 1: one proxy such as nginx or Caddy)."),
    Setting("MAX_CONNECTIONS_PER_ADDRESS", 5000, "Most simultaneous connections from one client address; more are closed at once (0: no cap). "
            "Room for 2,000 phones behind one venue NAT at two sockets each, plus a quarter for page loads. "
            "Behind a proxy every connection comes from the proxy: set 0 there and let the proxy cap per client."),
    Setting("MAX_SESSIONS_PER_ADDRESS", 5000, "Most Socket.IO (Engine.IO) sessions open at once from one client address, "
            "the forwarded client behind TRUSTED_PROXIES; more handshakes get 429 (0: no cap). A phone holds one; "
            "without this, one kept-alive connection could open thousands of long-polling sessions."),
    Setting("FD_RESERVE", 100, "Open files kept free for the database, static files and exports; new connections beyond "
            "the open-file limit minus this are refused, so the server never runs out of descriptors."),
    Setting("WEBSOCKET_DEFLATE", True, "Compress websocket messages (permessage-deflate, each message on its own so no "
            "connection keeps a compressor): the idea list reaches phones in about a third of the bytes. False sends them as they are."),
    Setting("HEADER_TIMEOUT", 10.0, "Seconds a client may take to send a request's headers (in total), and to send or "
            "receive any later part of it; a slower connection is closed."),
    Setting("IDLE_TIMEOUT", 30.0, "Seconds a connection may wait before sending a request (new or kept-alive); "
            "an idle connection is closed. WebSockets are exempt: Socket.IO's heartbeat watches them."),
    Setting("RATE_CREATE", (30, 600.0), "Sessions one client address may create per window (count, seconds); "
            "an adviser creates a few a day, a script thousands a minute."),
    Setting("RATE_EXPORT", (30, 60.0), "Reports one client address may ask for per window (count, seconds): downloads, the "
            "summary API, the shared report link and comparisons, which take seconds of CPU for big sessions."),
    Setting("REPORT_THREADS", 2, "Reports (downloads, summaries, shared reports, comparisons) built at once, each in an "
            "OS thread on a database connection of its own, off the event loop; more wait their turn."),
    Setting("ROOM_IDLE_SECONDS", 300.0, "A session with no phone, projector or facilitator connected and unused "
            "for this many seconds is dropped from memory; it reloads from the database on next use."),
    Setting("UNDO_SECONDS", 10.0, "Seconds the facilitator can undo the last control action (next, previous, open, "
            "close, reveal, new round, results, view, ...; a later change by anyone ends it sooner) or the last "
            "moderation of an idea (approve, hide, edit, merge)."),
    Setting("FACILITATOR_LINKS_MAX", 10, "Most extra facilitator links a session keeps (one per device it was made "
            "for, by the page or `workshop sessions link`); the oldest stops working when a new one would exceed it, and "
            "the browsers and facilitator sockets signed in with it are signed out at once."),
    Setting("TIME_ZONE", "Europe/Amsterdam", "Time zone (IANA name) in which people read times: the start page's "
            "'Your sessions' and the XLSX and CSV exports. Stored times (and the JSON summary's) stay UTC."),
    Setting("MESSAGE_QUEUE", None, "Redis URL of Flask-SocketIO's message queue (e.g. redis://127.0.0.1:6379/0), "
            "needed with `serve --workers N` above 1: deletions from the command line reach the worker holding "
            "the session through it. Set it for `workshop sessions delete|purge` too."),
    Setting("LOG_REPEAT_SECONDS", 60.0, "A warning or error that repeats within this many seconds is logged once; "
            "when the time is over one line says how many more there were (0 logs every one)."),
    Setting("METRICS", False, "Serve Prometheus metrics at /metrics, to requests from this machine (127.0.0.1, ::1) only."),
    Setting("CHALLENGE_PICKS_MAX", 2, "Most challenges one phone picks as the ones it recognises most."),
    Setting("CHALLENGES_MAX", 10, "Most challenges the facilitator's list may hold."),
    Setting("CHALLENGE_MAX", 140, "Longest challenge text, in characters (grapheme clusters)."),
    Setting("IDEAS_PER_PARTICIPANT", 3, "Most ideas one phone submits (merged or hidden ones still count)."),
    Setting("IDEA_MAX", 140, "Longest idea, in characters (grapheme clusters)."),
    Setting("IDEA_MAX_BYTES", 1024, "Largest idea in UTF-8 bytes (one character may hold many code points)."),
    Setting("DOTS_PER_PARTICIPANT", 3, "Dots each phone places in the dot vote."),
    Setting("DOTS_PER_IDEA", 2, "Most dots one phone places on one idea."),
    Setting("VOTE_TOP", 5, "How many top ideas the revealed dot vote shows."),
    Setting("RATE_FACILITATOR", (100, 10.0), "Facilitator events (commands, timers, notes, moderation, ...) allowed per session "
            "per window (count, seconds), from all its facilitator devices together; a busy facilitator sends a few a second."),
    Setting("RATE_FACILITATOR_ADDRESS", (300, 10.0), "Facilitator events allowed per client address per window (count, "
            "seconds), whatever the sessions: room for several facilitators behind one venue NAT."),
    Setting("RATE_ACTIVITY", (30, 10.0), "Activity requests (picks, ideas, dots) allowed per participant per window (count, seconds)."),
    Setting("WALL_SCREEN_MAX", 120, "Most ideas the projector's wall holds (the newest; it pages through them); the wall also says how many there are in all."),
    Setting("IDEAS_LIST_MAX", 300, "Most ideas the facilitator's moderation list holds (the newest; pending ones first)."),
    Setting("IDEAS_PHONE_INTERVAL", 1.0, "Shortest time between two idea-list updates to phones (seconds; 0 sends at once): phones get the list coalesced, as a diff after the first full list."),
    Setting("DATABASE_URL", None, "PostgreSQL address (postgresql://user:password@host:5432/workshop) of a database "
            "shared by several machines; unset, the sessions are kept in SQLite in the data directory. Needs the "
            "`postgres` extra (psycopg); back it up with pg_dump (docs/deployment.md, Several machines)."),
    Setting("SQLITE_SYNCHRONOUS", "NORMAL", "SQLite synchronous pragma: NORMAL survives a killed process, FULL also a power cut."),
    Setting("TIMER_SECONDS", "30,60,120,300", "The countdowns the facilitator may start on an open question, in seconds (comma-separated); at zero the question closes."),
    Setting("TIMER_ADD_SECONDS", 30, "Seconds the facilitator's 'add time' puts on a running countdown."),
    Setting("SCREEN_NAMES_MAX", 30, "With names set to 'auto' (the default per session), the projector shows nicknames only up to this many participants."),
)


def defaults() -> dict[str, Any]:
    """Return every setting's default value by name."""
    return {s.name: s.default for s in SETTINGS}


def parse(name: str, raw: str, default: Any) -> Any:
    """Parse an environment variable's text into the type of the setting's default."""
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        count, window = raw.split(",")
        return (int(count), float(window))
    return raw or None


def version() -> str:
    """The installed version (the wheel's, or an editable install's pyproject version)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("workshop")
    except PackageNotFoundError:  # pragma: no cover (a checkout run without installing)
        return "unknown (not installed)"
