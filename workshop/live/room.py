"""A session held in memory (Room), the helpers of the live service, and the cache of rooms it keeps."""
from __future__ import annotations

import json
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator

from workshop.core import security
from workshop.core.state import Rejected, SessionState
from workshop.core.tally import Tally
from workshop.store.sql import SessionMissing

if TYPE_CHECKING:
    from workshop.live import undo as undoing

LANGUAGES = ("nl", "en")
# The fields of a first small step; each one's limit is the setting STEP_<FIELD>_MAX. The facilitator's
# texts (NOTE_MAX, STEPS_MAX) are sized so that even a worst case (4-byte characters) fits in one
# MAX_MESSAGE_BYTES (8 KB) Socket.IO message; tests/web/test_text_limits.py checks the defaults.
STEP_FIELDS = ("what", "who", "due")
STEP_STATUSES = ("done", "partly", "not_yet")  # what became of a step carried over from the followed session
DEFAULT_DISCIPLINES = {
    "nl": ["Directie/management", "Bedrijfsvoering", "Artistiek/inhoud", "Publiek & marketing",
           "Collectie & ICT", "Anders"],
    "en": ["Direction/management", "Operations", "Artistic/content", "Audience & marketing",
           "Collections & ICT", "Other"],
}


def utcnow() -> str:
    """Return the current UTC time in ISO 8601 with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@contextmanager
def stored() -> Iterator[None]:
    """Turn a write to a session that another process deleted meanwhile into Rejected('session_deleted')."""
    try:
        yield
    except SessionMissing:
        raise Rejected("session_deleted", "This session has been deleted") from None


def joins_late(state: SessionState) -> bool:
    """Whether a join now comes after the first question opened (the facilitator sees it flagged)."""
    return state.stage != "lobby" or any(q.status != "hidden" for q in state.questions.values())


@dataclass
class Room:
    """A session as held in memory while the server runs."""

    id: int
    code: str
    title: str
    language: str
    disciplines: list[str]
    facilitator_hash: str
    created_at: str
    report_generation: int
    state: SessionState
    tally: Tally
    sockets: Counter = field(default_factory=Counter)
    used_at: float = 0.0      # time.monotonic() of the last lookup, for the idle sweep
    kept_at: float = float("-inf")  # time.monotonic() when keep_in_use last moved its retention clock
    evicted: bool = False     # dropped from memory: a newer copy (or none) is the live one
    undo: undoing.Undo | None = None  # the last control action's previous state (live/undo.py)
    projectors: int = 0       # projector pages connected (previews on the facilitator page not counted)
    projector_at: str | None = None  # when a projector last connected or went away (UTC, ISO 8601)
    organisation: str = ""    # optional label, e.g. "Museum De Waag"
    follows: str | None = None  # code of the earlier session this one follows up
    carried: list = field(default_factory=list)  # the followed session's steps, with what became of them
    board: Any = None         # the activities (workshop.live.activities.Board), loaded on first use
    # Facilitator sockets of this process: sid -> (epoch, link id) they signed in with; a revoked link signs them out.
    facilitators: dict = field(default_factory=dict)
    # What the facilitator may do in `state` (core.commands.allowed), kept with the state it was found for:
    # a command's acknowledgement and its broadcast ask for it once per change, not twice.
    allowed_for: tuple[SessionState, dict] | None = None
    # The live service's lock (Live.editing holds it while it changes the room): whoever reads the tally or the
    # board from another thread (the broadcaster's flush) holds it too, else a join may change them mid-read.
    lock: Any = field(default_factory=threading.RLock, repr=False, compare=False)


class RoomCache:
    """The rooms a Live service holds in memory: loaded from the store on first use, dropped when idle or deleted.

    Mixed into Live, which provides store, questionnaire, notifier, monotonic, _rooms, _lock and _data_version.
    """

    def room(self, code: object) -> Room | None:
        """Return the live room for a code, loading it from the database once."""
        code = security.normalise_code(code)
        if code is None:
            return None
        with self._lock:
            room = self._rooms.get(code)
            if room is None:
                room = self._load(code)
                if room is not None:
                    self._rooms[code] = room
                    if room.state.timer is not None and self.deadlines is not None and self.config.get("WORKER"):
                        self.deadlines.watch(code, float(room.state.timer.deadline))
            if room is not None:
                room.used_at = self.monotonic()
            return room

    def peek(self, code: object) -> Room | None:
        """A room to read, without holding it in memory here when this process is one worker of several.

        Another worker may own the session (the proxy sends its sockets there): a copy kept here would be a
        ghost that never hears that worker's changes. So a worker reads such a room fresh from the store.
        """
        code = security.normalise_code(code)
        if code is None or not self.config.get("WORKER"):
            return self.room(code)
        with self._lock:
            return self._rooms.get(code) or self._load(code)

    def in_memory(self, code: object) -> Room | None:
        """The room this process holds for a code, None when it holds none (nothing is loaded)."""
        with self._lock:
            return self._rooms.get(code) if isinstance(code, str) else None

    def _current(self, room: Room) -> Room:
        """Return the live copy of a room a caller may have held across an eviction (call under the lock)."""
        if not room.evicted:
            return room
        current = self.room(room.code)
        if current is None:
            raise Rejected("unknown_session", "This session no longer exists")
        return current

    def evict_idle(self, idle_seconds: float, busy: Callable[[str], bool],
                   release: Callable[[str], None]) -> list[str]:
        """Drop rooms unused for idle_seconds that nothing is `busy` with; `release` each one's other state.

        Every change is committed before memory changes, so a dropped room reloads
        with the same state; a caller still holding it is sent to the new copy
        (`_current`), so an old copy never writes over newer state.
        """
        with self._lock:
            cutoff = self.monotonic() - idle_seconds
            codes = [code for code, room in self._rooms.items() if room.used_at <= cutoff and not busy(code)]
            for code in codes:
                self._rooms.pop(code).evicted = True
                release(code)
        return codes

    def _load(self, code: str) -> Room | None:
        """Build a room from its stored rows."""
        row = self.store.session(code)
        if row is None:
            return None
        tally = Tally.from_rows(self.questionnaire, self.store.participants(row["id"]), self.store.answers(row["id"]))
        tally.seq = max(tally.seq, self.store.max_seq(row["id"]))
        return Room(
            id=row["id"], code=row["code"], title=row["title"], language=row["language"],
            disciplines=json.loads(row["disciplines"]), facilitator_hash=row["facilitator_hash"],
            created_at=row["created_at"], report_generation=row["report_generation"],
            state=SessionState.from_dict(json.loads(row["state"])), tally=tally,
            organisation=row["organisation"], follows=row["follows"], carried=self.store.carried_steps(row["id"]),
            lock=self._lock,
        )

    def forget(self, code: str) -> Room | None:
        """Drop a room from memory (after it was deleted); return it when it was there."""
        with self._lock:
            room = self._rooms.pop(code, None)
            if room is not None:
                room.evicted = True
            return room

    def deleted_room(self, code: str) -> Room | None:
        """The room in memory for code if its session is no longer stored (deleted by another process)."""
        with self._lock:
            room = self._rooms.get(code)
            if room is None or self.store.missing_codes([code]) != {code}:
                return None
            return room

    def rooms_in_memory(self) -> int:
        """How many sessions this process holds in memory."""
        return len(self._rooms)

    def deleted_elsewhere(self, room: Room) -> None:
        """Tell the notifier that another process deleted a room's session, then forget the room."""
        self.notifier.session_deleted(room)
        self.forget(room.code)

    def changed_elsewhere(self) -> bool:
        """Whether another process committed to the database since the last look (one PRAGMA data_version)."""
        version = self.store.data_version()
        with self._lock:
            changed, self._data_version = version != self._data_version, version
        return changed

    def deleted_rooms(self) -> list[Room]:
        """The rooms in memory whose sessions another process deleted."""
        with self._lock:
            missing = self.store.missing_codes(list(self._rooms))
            return [self._rooms[code] for code in sorted(missing)]
