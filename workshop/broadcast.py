"""Room names and the coalescing sender of live aggregates to a session's screens."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import protocol as p
from .tally import mask_for_screen

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from .live import Live, Room


# Under load a room's aggregates are at least this many flush durations apart, so flushing takes at most
# about 1/(COST_FACTOR + 1) of the process: cheap aggregates go out almost at once, costly ones coalesce more.
COST_FACTOR = 5


def phones(code: str) -> str:
    """Room of every phone of a session (namespace /participant)."""
    return f"{code}:phones"


def person(code: str, participant_id: int) -> str:
    """Room of one participant's sockets (namespace /participant)."""
    return f"{code}:p:{participant_id}"


def screens(code: str) -> str:
    """Room of a session's projectors (namespace /screen) and facilitators (namespace /facilitator)."""
    return f"{code}:screens"


class Broadcaster:
    """Sends aggregates to screens and facilitators: at once when idle, coalesced under load (`window`)."""

    def __init__(self, socketio: "SocketIO", live: "Live", interval: float, join_base, min_group_size: int):
        """Keep what a flush needs; no emit happens here."""
        self.socketio = socketio
        self.live = live
        self.interval = interval
        self.join_base = join_base
        self.min_group_size = min_group_size
        self._last: dict[str, float] = {}
        self._cost: dict[str, float] = {}  # seconds the room's last flush took
        self._pending: set[str] = set()
        self._roster_dirty: set[str] = set()

    def touch(self, room: "Room", roster: bool = False) -> None:
        """Note that a room's aggregate changed; schedule one flush for it."""
        if roster:
            self._roster_dirty.add(room.code)
        if room.code in self._pending:
            return
        self._pending.add(room.code)
        delay = max(0.0, self._last.get(room.code, 0.0) + self.window(room.code) - time.monotonic())
        self.socketio.start_background_task(self._flush_later, room, delay)

    def window(self, code: str) -> float:
        """Shortest time between two flushes of a room: COST_FACTOR times its last flush, at most `interval`."""
        return min(self.interval, COST_FACTOR * self._cost.get(code, 0.0))

    def _flush_later(self, room: "Room", delay: float) -> None:
        """Wait for the coalescing window, then send one aggregate."""
        self.socketio.sleep(delay)
        self._pending.discard(room.code)
        started = self._last[room.code] = time.monotonic()
        self.flush(room)
        self._cost[room.code] = time.monotonic() - started

    def flush(self, room: "Room") -> None:
        """Send the room's current aggregate (and roster, when it changed) right now."""
        full = room.tally.live(room.state, min_group_size=self.min_group_size)
        self.socketio.emit(p.LIVE, full, to=screens(room.code), namespace=p.FACILITATOR)
        self.socketio.emit(p.LIVE, mask_for_screen(full, room.state), to=screens(room.code), namespace=p.SCREEN)
        if room.code in self._roster_dirty:
            self._roster_dirty.discard(room.code)
            self.socketio.emit(p.ROSTER, self.roster(room), to=screens(room.code), namespace=p.FACILITATOR)

    def roster(self, room: "Room") -> dict[str, Any]:
        """The facilitator's list of participants with their connection status."""
        connected = {pid for pid, n in room.sockets.items() if n > 0}
        return room.tally.roster(connected)

    def state_changed(self, room: "Room", stage_before: str) -> None:
        """Tell every socket of a session about a new state, and phones their results when due."""
        base = self.join_base()
        screen_state = self.live.screen_state(room, base.url + f"/j/{room.code}", not base.reachable)
        self.socketio.emit(p.STATE, self.live.public_state(room), to=phones(room.code), namespace=p.PARTICIPANT)
        self.socketio.emit(p.STATE, screen_state, to=screens(room.code), namespace=p.SCREEN)
        self.socketio.emit(p.STATE, screen_state, to=screens(room.code), namespace=p.FACILITATOR)
        if room.state.stage in ("results", "ended") and stage_before not in ("results", "ended"):
            for pid in list(room.tally.members):
                result = self.live.result(room, pid)
                if result is not None and room.sockets.get(pid):
                    self.socketio.emit(p.RESULT, result, to=person(room.code, pid), namespace=p.PARTICIPANT)
        self.touch(room)
