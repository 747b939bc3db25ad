"""Settings: one table of name, default and help; docs/settings.md documents each."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One configurable value with its default and a line of help."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", str(ROOT / "sessions"), "Folder for the SQLite database and the installation secret."),
    Setting("PUBLIC_URL", None, "Base URL phones use to reach the app (e.g. http://192.168.1.20:5000); detected from the LAN address when unset."),
    Setting("ASYNC_MODE", "eventlet", "Flask-SocketIO async mode: eventlet (default), gevent or threading."),
    Setting("DEFAULT_LANGUAGE", "nl", "Language of pages for visitors who did not choose one."),
    Setting("MAX_PARTICIPANTS", 5000, "Most participants one session accepts."),
    Setting("NICKNAME_MAX", 40, "Longest nickname, in characters."),
    Setting("TITLE_MAX", 120, "Longest session title, in characters."),
    Setting("MAX_DISCIPLINES", 12, "Most disciplines a session may offer."),
    Setting("MAX_MESSAGE_BYTES", 8192, "Largest Socket.IO message the server accepts (phones send ~100 bytes; the facilitator's notes up to ~7 KB)."),
    Setting("MAX_REQUEST_BYTES", 16384, "Largest HTTP request body the server accepts."),
    Setting("EMIT_INTERVAL", 0.1, "Longest wait of the projector's aggregate under load, and shortest time between "
            "two of the facilitator's (seconds; 0 sends every change at once)."),
    Setting("MIN_GROUP_SIZE", 3, "Discipline groups smaller than this are shown together as 'other' (which takes in the smallest groups until it is this big too)."),
    Setting("RETENTION_DAYS", 90, "Sessions unchanged for this many days are deleted when the server starts and by `workshop sessions purge`; 0 keeps them."),
    Setting("RATE_JOIN", (600, 60.0), "Joins allowed per client address per window (count, seconds); a plenary behind one venue NAT shares an address, and the lock stops a flood."),
    Setting("RATE_JOIN_CONNECTION", (5, 60.0), "Join attempts allowed per connection per window (count, seconds)."),
    Setting("RATE_ANSWER", (30, 10.0), "Answers allowed per connection per window (count, seconds)."),
    Setting("RATE_ANSWER_ADDRESS", (3000, 10.0), "Answers allowed per client address per window (count, seconds); generous, since a room behind one NAT shares an address."),
    Setting("RATE_LOOKUP", (120, 60.0), "Failed session-code lookups allowed per address per window (count, seconds); room for the typos of a plenary behind one NAT."),
    Setting("RATE_CREATE", (30, 600.0), "Sessions one client address may create per window (count, seconds); "
            "an adviser creates a few a day, a script thousands a minute."),
    Setting("ROOM_IDLE_SECONDS", 300.0, "A session with no phone, projector or facilitator connected and unused "
            "for this many seconds is dropped from memory; it reloads from the database on next use."),
    Setting("SQLITE_SYNCHRONOUS", "NORMAL", "SQLite synchronous pragma: NORMAL survives a killed process, FULL also a power cut."),
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
