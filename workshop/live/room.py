"""A session held in memory (Room) and the small helpers of the live service (its cache: live/cache.py)."""
from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator

from workshop.core.state import Rejected, SessionState
from workshop.core.tally import Tally
from workshop.store.interface import LEASE_LOST, MISSING
from workshop.store.sql import LeaseLost, SessionMissing

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
    except LeaseLost:  # another worker took the session over (live/ownership.py): nothing was stored here
        raise Rejected("not_owner", "Another server process holds this session now") from None


def raise_outcome(outcome: str | None, session_id: int) -> None:
    """Raise what a store's save_answers outcome means (None: stored), for stored() to turn into a refusal."""
    if outcome == MISSING:
        raise SessionMissing(session_id)
    if outcome == LEASE_LOST:
        raise LeaseLost(session_id)


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
    # False: a copy read while another worker holds the session's lease (live/ownership.py); never kept in memory.
    owned: bool = True
