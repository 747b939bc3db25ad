"""Question timers in the live layer: the checked fields of the projector's control actions, and the task that
closes a question when its countdown reaches zero (through Live.command, so every screen and phone hears it)."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from workshop.core.screen_control import ACTIONS as SCREEN_ACTIONS
from workshop.core.state import Rejected, SessionState
from workshop.live.room import Room
from workshop.store.interface import SessionStore
from workshop.settings import Settings

log = logging.getLogger(__name__)


def timer_choices(config: Settings) -> tuple[int, ...]:
    """The countdowns the facilitator may start (the setting TIMER_SECONDS: "30,60" or a sequence)."""
    value = config.timer_seconds
    items = value.split(",") if isinstance(value, str) else value
    return tuple(int(item) for item in items)


def screen_fields(room: Room, action: str, data: dict[str, Any], config: Settings, now: float) -> dict[str, Any]:
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
        return {"seconds": config.timer_add_seconds}
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


class Background(Protocol):
    """What starts and paces background tasks (the Socket.IO server: green threads under eventlet)."""

    def start_background_task(self, target: Callable[..., Any], *args: Any) -> Any:
        """Run target(*args) in a background task."""

    def sleep(self, seconds: float) -> Any:
        """Wait in a background task, letting the others run."""


class Sessions(Protocol):
    """What the deadlines need of the live service (workshop.live.service.Live)."""

    store: SessionStore
    config: Settings

    def room(self, code: object) -> Room | None:
        """The room of a code, loaded on first use."""

    def in_memory(self, code: object) -> Room | None:
        """The room this process holds for a code."""

    def command(self, room: Room, action: object, **kwargs: Any) -> SessionState:
        """Apply a facilitator action (here: timer_expire)."""


class Deadlines:
    """Watches running timers: one background task per room with a timer, which closes the question at zero.

    A `timer` or `timer_add` only moves the room's deadline; the room's watcher, started by the first one,
    follows it. Before, each command left a task sleeping until its own deadline (up to an hour with
    `timer_add`): a flood of commands held hundreds of megabytes (issue 20, finding 5).
    """

    STEP = 1.0  # longest sleep of a watcher: it notices a deadline moved earlier within this many seconds

    def __init__(self, live: Sessions, spawn: Callable[..., Any], sleep: Callable[[float], Any],
                 wall: Callable[[], float] = time.time):
        """Keep the live service, how to start a background task and how to wait in one."""
        self.live = live
        self.spawn = spawn
        self.sleep = sleep
        self.wall = wall
        self._due: dict[str, float] = {}  # room code: the deadline its watcher waits for
        self._lock = threading.Lock()

    def watch(self, code: str, deadline: float) -> None:
        """Close the room's timed question at `deadline`, unless the timer changed or stopped by then."""
        with self._lock:
            watched = code in self._due
            self._due[code] = deadline
        if not watched:
            self.spawn(self._wait, code)

    def watched(self) -> int:
        """How many rooms have a watcher now."""
        return len(self._due)

    def _wait(self, code: str) -> None:
        """Sleep towards the room's deadline (at most STEP at a time), expire it when due; end when none is left."""
        while True:
            with self._lock:
                deadline = self._due[code]  # only this watcher removes its room's entry, and then it ends
            self.sleep(min(self.STEP, max(0.0, deadline - self.wall()) + 0.01))
            with self._lock:
                if self._due.get(code) != deadline:
                    continue  # moved (or dropped) meanwhile: look again
            if self._done(code, deadline):
                with self._lock:
                    if self._due.get(code) == deadline:  # else a new deadline came meanwhile: watch that one
                        del self._due[code]
                        return

    def _done(self, code: str, deadline: float) -> bool:
        """Expire the timer if it is due; True when this deadline needs no more watching."""
        try:
            return not self._expire(code, deadline)
        except Rejected as exc:
            log.info("timer of %s not expired: %s", code, exc.code)
        except Exception:  # a bug (or a closed database) must not kill the server's event loop
            log.exception("timer of %s failed", code)
        return True

    def _expire(self, code: str, deadline: float) -> bool:
        """Close the timed question if its timer still ends at `deadline`; True when it is not due yet."""
        # One of several workers expires only a room it holds: the one its sessions' sockets reach (a room loaded
        # later starts its own watch, RoomCache.room), never a copy of another worker's session.
        room = self.live.in_memory(code) if self.live.config.worker else self.live.room(code)
        timer = room.state.timer if room is not None else None
        if timer is None or timer.deadline != deadline:
            return False  # stopped, closed by hand, or moved: a moved deadline is in _due already
        if self.wall() < deadline:
            return True  # not due yet (the watcher sleeps at most STEP at a time)
        self.live.command(room, "timer_expire")
        return False

    def restore(self) -> int:
        """Watch the timers stored in the database (after a restart); return how many.

        A worker of several watches none here: it watches a room's timer when it loads the room.
        """
        if self.live.config.worker:
            return 0
        count = 0
        for row in self.live.store.list_sessions(None):
            timer = json.loads(row["state"]).get("timer")
            if timer:
                self.watch(row["code"], float(timer["deadline"]))
                count += 1
        return count
