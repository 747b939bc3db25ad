"""Question timers in the live layer: the checked fields of the projector's control actions, and the task that
closes a question when its countdown reaches zero (through Live.command, so every screen and phone hears it)."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workshop.core.screen_control import ACTIONS as SCREEN_ACTIONS
from workshop.core.state import Rejected

if TYPE_CHECKING:
    from workshop.live.service import Live, Room

log = logging.getLogger(__name__)


def timer_choices(config: dict[str, Any]) -> tuple[int, ...]:
    """The countdowns the facilitator may start (the setting TIMER_SECONDS: "30,60" or a sequence)."""
    value = config.get("TIMER_SECONDS", "30,60,120,300")
    items = value.split(",") if isinstance(value, str) else value
    return tuple(int(item) for item in items)


def screen_fields(room: Room, action: str, data: dict[str, Any], config: dict[str, Any], now: float) -> dict[str, Any]:
    """The checked extra fields of a projector control action for core.screen_control.apply ({} for others)."""
    if action not in SCREEN_ACTIONS:
        return {}
    if action == "timer":
        seconds = data.get("seconds")
        if seconds not in timer_choices(config) or isinstance(seconds, bool):
            raise Rejected("bad_request", "Pick one of the offered durations", "seconds")
        if data.get("reveal") not in (None, True, False):
            raise Rejected("bad_request", "reveal must be true or false", "reveal")
        return {"seconds": seconds, "reveal": bool(data.get("reveal")), "now": now}
    if action == "timer_add":
        return {"seconds": config.get("TIMER_ADD_SECONDS", 30)}
    if action == "timer_expire":
        return {"now": now}
    if action == "names":
        return {"names": data.get("names")}
    if action in ("hide_name", "show_name"):
        participant = data.get("participant")
        if action == "hide_name" and participant not in room.tally.members:
            raise Rejected("unknown_participant", "Unknown participant", "participant")
        return {"participant": participant}
    return {}


class Deadlines:
    """Watches running timers: at each deadline, closes the question through Live.command (a background task each)."""

    def __init__(self, live: Live, spawn: Callable[..., Any], sleep: Callable[[float], Any],
                 wall: Callable[[], float] = time.time):
        """Keep the live service, how to start a background task and how to wait in one."""
        self.live = live
        self.spawn = spawn
        self.sleep = sleep
        self.wall = wall

    def watch(self, code: str, deadline: float) -> None:
        """Close the room's timed question at `deadline`, unless the timer changed or stopped by then."""
        self.spawn(self._wait, code, deadline)

    def _wait(self, code: str, deadline: float) -> None:
        """Sleep until the deadline, then expire the timer if it is still the same one."""
        while True:
            self.sleep(max(0.0, deadline - self.wall()) + 0.01)
            try:
                if not self._expire(code, deadline):
                    return
            except Rejected as exc:
                log.info("timer of %s not expired: %s", code, exc.code)
                return
            except Exception:  # a bug (or a closed database) must not kill the server's event loop
                log.exception("timer of %s failed", code)
                return

    def _expire(self, code: str, deadline: float) -> bool:
        """Close the timed question if its timer still ends at `deadline`; True when it is not due yet."""
        # One of several workers expires only a room it holds: the one its sessions' sockets reach (a room loaded
        # later starts its own watch, RoomCache.room), never a copy of another worker's session.
        room = self.live.in_memory(code) if self.live.config.get("WORKER") else self.live.room(code)
        timer = room.state.timer if room is not None else None
        if timer is None or timer.deadline != deadline:
            return False  # stopped, closed by hand, or moved: the new deadline has its own watch
        if self.wall() < deadline:
            return True  # woke a little early
        self.live.command(room, "timer_expire")
        return False

    def restore(self) -> int:
        """Watch the timers stored in the database (after a restart); return how many.

        A worker of several watches none here: it watches a room's timer when it loads the room.
        """
        if self.live.config.get("WORKER"):
            return 0
        count = 0
        for row in self.live.store.list_sessions(None):
            timer = json.loads(row["state"]).get("timer")
            if timer:
                self.watch(row["code"], float(timer["deadline"]))
                count += 1
        return count
