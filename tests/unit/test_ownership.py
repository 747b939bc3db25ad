"""Two workers' live services on one SQLite file: a room is held by exactly one, and moves only through its lease."""
from __future__ import annotations

import pytest

from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.state import Rejected
from workshop.live.ownership import LeaseKeeper, Ownership
from workshop.live.service import Live
from workshop.settings import Settings
from workshop.store.sqlite import Store

LEASE = 5.0


class Clock:
    """The wall clock both workers read (seconds since the epoch), moved by hand."""

    def __init__(self):
        """Start somewhere."""
        self.t = 2_000_000.0

    def __call__(self) -> float:
        """The time now."""
        return self.t


class Tasks:
    """A task runner that runs nothing (the tests call the keeper's step themselves)."""

    def start_background_task(self, *_args):
        """Run nothing."""

    def sleep(self, _seconds):
        """Wait for nothing."""


class Worker:
    """One worker: its store on the shared file, its ownership, live service and lease keeper."""

    def __init__(self, path, name, clock):
        """Open the file as worker `name`."""
        self.store = Store(path, clock=clock)
        self.ownership = Ownership(self.store, name, LEASE, wall=clock)
        self.live = Live(self.store, default_questionnaire(), Settings(worker=1), ownership=self.ownership)
        self.dropped: list[str] = []
        self.keeper = LeaseKeeper(self.ownership, self.live, Tasks(), lambda room: self.dropped.append(room.code))


@pytest.fixture
def workers(tmp_path):
    """Workers A and B on one file, a session created through A (as the proxy's round robin may) and the clock."""
    clock = Clock()
    a, b = Worker(tmp_path / "w.sqlite3", "A", clock), Worker(tmp_path / "w.sqlite3", "B", clock)
    room, _token = a.live.create("Plenary", pacing="self")
    yield a, b, room.code, clock
    for w in (a, b):
        w.store.close()


def test_the_first_worker_to_load_a_session_holds_it_and_the_other_only_reads_it(workers):
    a, b, code, _clock = workers
    held = a.live.room(code)
    assert held.owned and a.live.in_memory(code) is held
    copy = b.live.room(code)
    assert not copy.owned and b.live.in_memory(code) is None  # never kept by the worker without the lease
    assert b.store.lease(held.id)["wanted"] == "B"  # and the holder is asked to hand it over


def test_a_worker_without_the_lease_stores_nothing(workers):
    a, b, code, _clock = workers
    a.live.room(code)
    copy = b.live.room(code)
    with pytest.raises(Rejected) as refused:
        b.live.join(copy, "Ghost")
    assert refused.value.code == "not_owner"
    assert a.store.participants(copy.id) == []


def test_a_dead_workers_sessions_move_after_the_lease_time_with_every_answer(workers):
    a, b, code, clock = workers
    room = a.live.room(code)
    member, _ = a.live.join(room, "Ann")
    a.live.command(room, "start")
    a.live.answer(room, member.id, "begrippen", "nooit", 1)
    a.keeper.step()  # A renews while it lives
    # A dies (no renewal). Before the lease time is over, B may not take the session.
    clock.t += LEASE - 0.5
    assert not b.live.room(code).owned
    clock.t += 1.0
    moved = b.live.room(code)
    assert moved.owned
    assert moved.tally.answers[member.id]["begrippen"][1] == "nooit"  # loaded after the take: nothing missing
    assert b.live.answer(moved, member.id, "begrippen", "zelden", 1) == 2


def test_a_paused_worker_drops_the_room_at_its_next_renewal_without_writing(workers):
    a, b, code, clock = workers
    room = a.live.room(code)
    member, _ = a.live.join(room, "Ann")
    a.live.command(room, "start")
    clock.t += LEASE * 2  # A paused (SIGSTOP) past its lease; B took over and took an answer
    moved = b.live.room(code)
    b.live.answer(moved, member.id, "begrippen", "nooit", 1)
    # A resumes: a write first (refused, nothing stored), then its renewal drops the room.
    with pytest.raises(Rejected) as refused:
        a.live.answer(room, member.id, "begrippen", "dagelijks", 1)
    assert refused.value.code == "not_owner"
    lost, wanted = a.keeper.step()
    assert (lost, wanted) == ([code], [])
    assert a.live.in_memory(code) is None and a.dropped == [code]
    assert [r["option_id"] for r in b.store.answers(moved.id)] == ["nooit"]


def test_the_holder_hands_a_session_over_to_the_worker_the_proxy_routes_it_to(workers):
    a, b, code, _clock = workers
    a.live.room(code)
    assert not b.live.room(code).owned  # B asks (the proxy sends the session's clients to B now)
    assert a.keeper.step() == ([], [code])  # A releases it and closes its sockets
    assert a.dropped == [code] and a.live.in_memory(code) is None
    assert b.live.room(code).owned  # at once: no wait for the expiry
    assert a.keeper.step() == ([], [])


def test_an_idle_room_and_a_stopping_worker_give_their_leases_up(workers):
    a, b, code, _clock = workers
    room = a.live.room(code)
    a.live.evict_idle(-1, busy=lambda _code: False, release=lambda _code: None)
    assert b.live.room(code).owned  # free at once
    assert b.keeper.stop() == [code]
    assert a.store.lease(room.id)["owner"] == ""


def test_a_session_deleted_by_another_process_is_told_as_deleted_not_as_moved(workers):
    a, b, code, _clock = workers
    a.live.room(code)
    told = []
    a.live.notifier.session_deleted = lambda room: told.append(room.code)
    b.store.delete_session(code)  # `workshop sessions delete` (its lease goes with it)
    assert a.keeper.step() == ([code], [])
    assert told == [code] and a.dropped == []  # session_deleted reaches its sockets; no silent reconnect
    assert a.live.in_memory(code) is None
