"""The timer watcher (live/timers.py Deadlines): one task per room, however many timer commands, following its deadline."""
from __future__ import annotations

from types import SimpleNamespace

from workshop.live.timers import Deadlines
from workshop.settings import Settings


class FakeLive:
    """Rooms whose timer ends at a deadline; timer_expire clears it and is recorded."""

    def __init__(self):
        """No room yet."""
        self.rooms: dict[str, SimpleNamespace] = {}
        self.config = Settings()  # one process: not a worker of several
        self.expired: list[tuple[str, float]] = []

    def set_timer(self, code: str, deadline: float | None) -> None:
        """Give a room a running timer (None: stopped)."""
        timer = SimpleNamespace(deadline=deadline) if deadline is not None else None
        self.rooms[code] = SimpleNamespace(code=code, state=SimpleNamespace(timer=timer))

    def room(self, code):
        """The room, as Live.room."""
        return self.rooms.get(code)

    def command(self, room, action):
        """Expire the room's timer."""
        assert action == "timer_expire"
        self.expired.append((room.code, room.state.timer.deadline))
        room.state.timer = None


class Clock:
    """A wall clock that moves only when a watcher sleeps; `during` runs once at a given sleep."""

    def __init__(self):
        """Start at 1000 s."""
        self.now, self.sleeps, self.during = 1000.0, [], {}

    def sleep(self, seconds: float) -> None:
        """Move the clock, then run what was planned for this sleep."""
        self.sleeps.append(seconds)
        self.now += seconds
        action = self.during.pop(len(self.sleeps), None)
        if action:
            action()


def watcher(live: FakeLive, clock: Clock):
    """Deadlines with a spawn that only records what it would start."""
    spawned = []
    deadlines = Deadlines(live, lambda fn, *args: spawned.append((fn, args)), clock.sleep, wall=lambda: clock.now)
    return deadlines, spawned


def test_a_flood_of_timer_commands_leaves_one_watcher_that_ends_with_the_last_deadline():
    live, clock = FakeLive(), Clock()
    deadlines, spawned = watcher(live, clock)
    for n in range(1000):  # a timer, then 999 times 'add time'
        live.set_timer("ROOM01", clock.now + 30 + n)
        deadlines.watch("ROOM01", clock.now + 30 + n)
    assert len(spawned) == 1 and deadlines.watched() == 1
    fn, args = spawned[0]
    fn(*args)
    assert live.expired == [("ROOM01", 1000.0 + 30 + 999)]
    assert deadlines.watched() == 0
    assert max(clock.sleeps) <= Deadlines.STEP + 0.01  # it never slept past a change it could have missed


def test_a_deadline_moved_earlier_is_met_and_a_stopped_timer_ends_the_watcher():
    live, clock = FakeLive(), Clock()
    deadlines, spawned = watcher(live, clock)
    live.set_timer("ROOM01", 1300.0)
    deadlines.watch("ROOM01", 1300.0)

    def restart_shorter():
        """The facilitator starts a 30-second timer instead."""
        live.set_timer("ROOM01", clock.now + 30)
        deadlines.watch("ROOM01", clock.now + 30)
    clock.during[2] = restart_shorter
    fn, args = spawned[0]
    fn(*args)
    assert live.expired == [("ROOM01", 1002.0 + 30)] and clock.now < 1002.0 + 30 + Deadlines.STEP
    assert len(spawned) == 1

    live.set_timer("ROOM02", 1100.0)
    deadlines.watch("ROOM02", 1100.0)
    clock.during[len(clock.sleeps) + 1] = lambda: live.set_timer("ROOM02", None)  # stopped by hand
    fn, args = spawned[1]
    fn(*args)
    assert ("ROOM02", 1100.0) not in live.expired and deadlines.watched() == 0


def test_a_new_timer_after_the_watcher_ended_gets_a_new_watcher():
    live, clock = FakeLive(), Clock()
    deadlines, spawned = watcher(live, clock)
    for round_ in range(2):
        live.set_timer("ROOM01", clock.now + 5)
        deadlines.watch("ROOM01", clock.now + 5)
        fn, args = spawned[round_]
        fn(*args)
    assert len(spawned) == 2 and len(live.expired) == 2
