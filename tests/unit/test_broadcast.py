"""Broadcaster: aggregates at once when idle; under load the projector's part soon, the facilitator's coalesced."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from workshop.core.commands import apply
from workshop.core.state import initial
from workshop.settings import Settings
from workshop.web import broadcaster as broadcast
from workshop.web import protocol as p


class Clock:
    """A fake monotonic clock."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FakeSocketIO:
    """Runs background tasks in order of their wake-up time on the fake clock; records emits."""

    def __init__(self, clock):
        self.clock, self.tasks, self.emits = clock, [], []
        phone_sids = SimpleNamespace(get_participants=lambda namespace, room: [("phone-1", None)])
        self.server = SimpleNamespace(manager=phone_sids)  # one phone to send the idea list to

    def start_background_task(self, fn, *args):
        self.tasks.append((fn, args))

    def sleep(self, seconds):
        self.clock.now += seconds

    def emit(self, event, data, to, namespace):
        self.emits.append((round(self.clock.now, 6), namespace, event))

    def run_until(self, t):
        while self.tasks:
            self.tasks.sort(key=lambda task: task[1][1])  # (room, wake)
            if self.tasks[0][1][1] > max(t, self.clock.now):  # a send may have moved the clock past t
                break
            fn, args = self.tasks.pop(0)
            fn(*args)
        self.clock.now = max(self.clock.now, t)


class Lock:
    """A room's lock that says whether it is held."""

    def __init__(self):
        self.depth = 0

    def __enter__(self):
        self.depth += 1

    def __exit__(self, *exc):
        self.depth -= 1


class SlowTally:
    """A tally whose full aggregate takes 10 ms and whose projector-only aggregate 0.5 ms; it notes each read
    made without the room's lock (a handler in another thread may change the tally meanwhile)."""

    def __init__(self, clock, lock):
        self.clock, self.lock, self.unlocked = clock, lock, []
        self.members = {1: None, 2: None}

    def live(self, state, *, min_group_size, details=True):
        if not self.lock.depth:
            self.unlocked.append("live")
        self.clock.now += 0.010 if details else 0.0005
        return {"seq": 1, "questions": {}, "results": None, "disciplines": []}

    def roster(self, connected):
        if not self.lock.depth:
            self.unlocked.append("roster")
        return {"participants": []}


@pytest.fixture
def setup(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(broadcast.time, "monotonic", clock)
    io = FakeSocketIO(clock)
    lock = Lock()
    room = SimpleNamespace(code="ABCDEF", state=apply(initial("self", ["q1"]), "start"), tally=SlowTally(clock, lock),
                           lock=lock, sockets={})

    def make(interval, threads=False):
        return broadcast.Broadcaster(io, interval=interval, join_url=None, join_url_local=False, min_group_size=3,
                                     threads=threads)
    return clock, io, room, make


def sent(io, namespace):
    return [t for t, ns, event in io.emits if ns == namespace and event == p.LIVE]


def test_an_idle_room_is_sent_at_once(setup):
    clock, io, room, make = setup
    b = make(0.1)
    b.touch(room)
    io.run_until(0.0)
    assert sent(io, p.FACILITATOR) == sent(io, p.SCREEN) == [0.01]  # right after the one 10 ms build


def test_under_load_the_projector_follows_within_its_window_and_the_facilitator_is_coalesced(setup):
    clock, io, room, make = setup
    b = make(0.1)
    b.touch(room)
    io.run_until(0.0)
    for step in range(1, 30):  # an answer every 5 ms for 145 ms
        io.run_until(step * 0.005)
        b.touch(room)
    io.run_until(1.0)
    screen, facilitator = sent(io, p.SCREEN), sent(io, p.FACILITATOR)
    gaps = [b_ - a for a, b_ in zip(screen, screen[1:])]
    assert all(gap >= broadcast.SCREEN_MIN_WINDOW - 1e-9 for gap in gaps)
    assert max(gaps) <= 0.02 + 0.011  # the projector never waits for the facilitator's window
    assert len(facilitator) == 3  # at 0, 0.1 and 0.2: at most every interval
    assert facilitator[-1] >= 0.145  # the last change reaches the facilitator too


def test_a_costly_full_aggregate_is_sent_less_often_than_the_interval(setup):
    clock, io, room, make = setup
    b = make(0.02)
    b.touch(room)
    io.run_until(0.0)
    for step in range(1, 20):
        io.run_until(step * 0.005)
        b.touch(room)
    io.run_until(1.0)
    facilitator = sent(io, p.FACILITATOR)
    assert all(b_ - a >= broadcast.COST_FACTOR * 0.010 - 1e-9 for a, b_ in zip(facilitator, facilitator[1:]))


def test_interval_zero_sends_every_change_at_once(setup):
    clock, io, room, make = setup
    b = make(0.0)
    for step in range(3):
        io.run_until(step * 0.001)
        b.touch(room)
        io.run_until(step * 0.001)
    assert len(sent(io, p.SCREEN)) == 3 and len(sent(io, p.FACILITATOR)) == 3


def test_a_failed_send_in_the_background_is_logged_and_the_next_change_is_sent(setup, caplog):
    clock, io, room, make = setup
    b = make(0.1)
    real_emit, failures = io.emit, []

    def emit_once_broken(event, data, to, namespace):
        if not failures:
            failures.append(event)
            raise RuntimeError("socket layer gone")
        real_emit(event, data, to, namespace)
    io.emit = emit_once_broken
    b.touch(room)
    io.run_until(0.0)
    assert failures and "broadcast to room ABCDEF failed" in caplog.text
    io.run_until(0.5)
    b.touch(room)
    io.run_until(1.0)
    assert sent(io, p.SCREEN) and sent(io, p.FACILITATOR)


def test_aggregates_are_built_under_the_rooms_lock_when_tasks_are_threads(setup):
    """The flush runs in a task of its own: in threading mode a join may change the tally while it reads it."""
    clock, io, room, make = setup
    b = make(0.1, threads=True)
    b.touch(room, roster=True)
    io.run_until(1.0)
    assert sent(io, p.FACILITATOR) and sent(io, p.SCREEN)
    assert room.tally.unlocked == []


def test_a_presence_change_sends_the_facilitators_the_roster_alone(setup):
    """Who is connected shows in the roster only: no aggregate (facilitator or projector) is built or sent for it."""
    clock, io, room, make = setup
    b = make(0.1)
    b.presence_changed(room, 1)
    io.run_until(1.0)
    assert [(namespace, event) for _t, namespace, event in io.emits] == [(p.FACILITATOR, p.ROSTER)]
    b.joined(room, 2)  # a join changes the count: both aggregates, the roster with the facilitator's
    io.run_until(2.0)
    assert [(namespace, event) for _t, namespace, event in io.emits[1:]] == [
        (p.FACILITATOR, p.LIVE), (p.FACILITATOR, p.ROSTER), (p.SCREEN, p.LIVE)]


def board_room(room):
    """The room with its activities in memory: the idea wall open, moderation off."""
    from workshop.core import activities as act
    from workshop.core.programme import default as default_programme
    from workshop.live.activities import Board

    programme = default_programme()
    state = act.initial(act.clean_programme(None), [(c.id, c.text("nl")) for c in programme.challenges])
    room.board, room.language = Board(state), "nl"
    room.tally.members = {1: SimpleNamespace(discipline=None), 2: SimpleNamespace(discipline=None)}
    return programme


def board_broadcaster(io, programme):
    """A broadcaster with the activities' parts: the phones' diff every second, the rest every 0.1 s."""
    config = Settings.load({"IDEAS_PHONE_INTERVAL": 1.0, "WALL_SCREEN_MAX": 30, "MIN_GROUP_SIZE": 3, "VOTE_TOP": 5,
                            "IDEAS_LIST_MAX": 200}, environ={})
    return broadcast.Broadcaster(io, interval=0.1, join_url=None, join_url_local=False, min_group_size=3,
                                 programme=programme, config=config)


def test_the_activities_coalesce_in_the_same_flush_on_their_own_windows(setup):
    """Ideas approved every 10 ms for 3 s: the projector's wall at most every 50 ms, phones' diff every
    IDEAS_PHONE_INTERVAL, the facilitator's list at most every interval; the first of each goes out at once."""
    from workshop.core.ideas import Idea

    clock, io, room, make = setup
    programme = board_room(room)
    b = board_broadcaster(io, programme)
    for step in range(300):
        io.run_until(step * 0.01)
        room.board.put(Idea(step + 1, 1, "project", f"idee {step}", "approved", None, (1,), step + 1))
        b.ideas_changed(room, [step + 1], moderated=False)
    io.run_until(5.0)

    def times(namespace, event):
        return [t for t, ns, name in io.emits if ns == namespace and name == event]
    for moments, window in ((times(p.SCREEN, p.ACTIVITIES), broadcast.BOARD_SCREEN_WINDOW),
                            (times(p.PARTICIPANT, p.WALL), 1.0), (times(p.FACILITATOR, p.ACTIVITIES), 0.1)):
        assert moments[0] == 0.0  # an idle room hears the first idea at once
        assert all(later - earlier >= window - 1e-9 for earlier, later in zip(moments, moments[1:]))
        assert moments[-1] >= 2.99  # the last idea reaches every audience
    assert len(times(p.PARTICIPANT, p.WALL)) == 4  # at 0, 1, 2 and 3 s


def test_a_pending_idea_builds_and_sends_nothing_for_the_projector_or_the_phones(setup):
    from workshop.core.ideas import Idea

    clock, io, room, make = setup
    programme = board_room(room)
    b = board_broadcaster(io, programme)
    room.board.put(Idea(1, 1, "project", "nog niet goedgekeurd", "pending", None, (1,), 1))
    b.ideas_changed(room, [1], moderated=False)
    io.run_until(5.0)
    assert [(namespace, event) for _t, namespace, event in io.emits] == [(p.FACILITATOR, p.ACTIVITIES)]
