"""Ownership leases on both backends: two stores on one database (a real SQLite file, a real PostgreSQL) are two
workers; time is passed in."""
from __future__ import annotations

import json
import sqlite3

import pytest

from workshop.store.interface import LEASE_LOST, AnswerRow
from workshop.store.sqlite import SCHEMA_VERSION, LeaseLost, Store

LEASE = 5.0
NOW = "2026-01-01T00:00:00+00:00"


class Clock:
    """An injected wall clock (seconds since the epoch) that a test moves by hand."""

    def __init__(self, t: float = 1_000_000.0):
        """Start at t."""
        self.t = t

    def __call__(self) -> float:
        """The time now."""
        return self.t


def state(store, code="ABCDEF"):
    """A session's stored state (SQLite keeps JSON text, PostgreSQL jsonb)."""
    value = store.session(code)["state"]
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture
def two(make_store):
    """Two workers' stores on one database, their shared clock and one session's id."""
    clock = Clock()
    a, b = make_store(), make_store()
    a.clock = b.clock = clock
    sid = a.create_session(code="ABCDEF", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                           disciplines=[], facilitator_hash="h", state={"n": 0}, now=NOW)
    a.fence_writes("A")
    b.fence_writes("B")
    return a, b, clock, sid


def test_only_one_worker_takes_a_free_lease(two):
    a, b, clock, sid = two
    assert a.take_lease(sid, "A", clock(), LEASE) == 1
    assert b.take_lease(sid, "B", clock(), LEASE) is None
    clock.t += LEASE - 0.01  # not yet expired
    assert b.take_lease(sid, "B", clock(), LEASE) is None
    row = b.lease(sid)
    assert (row["owner"], row["generation"]) == ("A", 1)


def test_an_expired_lease_is_taken_over_with_a_new_generation(two):
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    clock.t += LEASE + 0.01
    assert b.take_lease(sid, "B", clock(), LEASE) == 2
    assert (a.lease(sid)["owner"], a.lease(sid)["generation"]) == ("B", 2)
    assert a.take_lease(sid, "A", clock(), LEASE) is None  # B's is live now


def test_renewal_keeps_a_lease_and_tells_the_holder_what_it_still_holds(two):
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    for _ in range(4):  # renewed every few seconds, it never expires
        clock.t += LEASE / 2
        held = a.renew_leases("A", clock(), LEASE)
        assert [(r["session_id"], r["generation"], r["wanted"]) for r in held] == [(sid, 1, None)]
        assert b.take_lease(sid, "B", clock(), LEASE) is None
    assert b.renew_leases("B", clock(), LEASE) == []


def test_a_paused_worker_finds_its_lease_gone_at_its_next_renewal(two):
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    clock.t += LEASE * 3  # A paused (SIGSTOP) past its expiry; B took the session
    assert b.take_lease(sid, "B", clock(), LEASE) == 2
    assert a.renew_leases("A", clock(), LEASE) == []  # A learns it lost the session
    assert b.lease(sid)["owner"] == "B"


def test_a_write_of_a_worker_whose_lease_was_taken_over_stores_nothing(two):
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    a.save_state(sid, {"n": 1}, NOW)  # the holder writes
    clock.t += LEASE + 1
    b.take_lease(sid, "B", clock(), LEASE)
    with pytest.raises(LeaseLost):
        a.save_state(sid, {"n": 99}, NOW)  # stale state from the paused worker
    with pytest.raises(LeaseLost):
        a.add_participant(sid, "tok", "x", None, NOW)
    b.save_state(sid, {"n": 2}, NOW)
    assert state(b) == {"n": 2}
    assert b.participants(sid) == []


def test_an_answer_is_fenced_as_every_write(two):
    """The answer, PostgreSQL's one-statement write, keeps both fences: by generation, and none while another holds it."""
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    pid, _ = a.add_participant(sid, "tok", "x", None, NOW)
    a.save_answer(sid, pid, "q1", 1, "a", 1, NOW)
    with pytest.raises(LeaseLost):
        b.save_answer(sid, pid, "q1", 1, "b", 2, NOW)  # B holds no lease while A's is live
    clock.t += LEASE + 1
    b.take_lease(sid, "B", clock(), LEASE)
    with pytest.raises(LeaseLost):
        a.save_answer(sid, pid, "q2", 1, "c", 3, NOW)  # A's generation is gone
    b.save_answer(sid, pid, "q1", 1, "d", 4, NOW)
    assert [(r["question_id"], r["option_id"]) for r in b.answers(sid)] == [("q1", "d")]


def test_a_group_of_answers_is_fenced_per_session(two):
    """save_answers (the live service's group commit) stores the rows of the sessions this worker may write to,
    and says LEASE_LOST for the others: by generation, and for a session it holds no lease on."""
    a, b, clock, sid = two
    other = a.create_session(code="GHJKLM", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                             disciplines=[], facilitator_hash="h", state={}, now=NOW)
    third = a.create_session(code="PQRSTV", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                             disciplines=[], facilitator_hash="h", state={}, now=NOW)
    a.take_lease(sid, "A", clock(), LEASE)
    a.take_lease(other, "A", clock(), LEASE)
    b.take_lease(third, "B", clock(), LEASE)  # A holds no lease on the third, B does
    p1, _ = a.add_participant(sid, "t1", "x", None, NOW)
    p2, _ = a.add_participant(other, "t2", "y", None, NOW)
    p3, _ = b.add_participant(third, "t3", "z", None, NOW)
    clock.t += LEASE + 1
    b.take_lease(other, "B", clock(), LEASE)  # taken over: A's generation of `other` is gone
    a.renew_leases("A", clock(), LEASE)
    b.renew_leases("B", clock(), LEASE)
    rows = [AnswerRow(sid, p1, "q1", 1, "a", 1, NOW), AnswerRow(other, p2, "q1", 1, "b", 2, NOW),
            AnswerRow(third, p3, "q1", 1, "c", 3, NOW), AnswerRow(sid, p1, "q2", 1, "d", 4, NOW)]
    assert a.save_answers(rows) == [None, LEASE_LOST, LEASE_LOST, None]
    assert [r["option_id"] for r in a.answers(sid)] == ["a", "d"]
    assert a.answers(other) == [] and a.answers(third) == []


def test_the_fence_is_the_generation_not_only_the_owner(two):
    """A worker that released and re-took (or was taken over and took back) writes only with the new generation."""
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    clock.t += LEASE + 1
    b.take_lease(sid, "B", clock(), LEASE)
    assert b.release_lease(sid, "B", 2)
    # Released (expired): A's old fence (generation 1) still does not let it write ...
    with pytest.raises(LeaseLost):
        a.save_state(sid, {"n": 99}, NOW)
    # ... until it takes the lease again, at a higher generation.
    assert a.take_lease(sid, "A", clock(), LEASE) == 3
    a.save_state(sid, {"n": 3}, NOW)
    assert state(b) == {"n": 3}


def test_a_worker_without_the_lease_may_not_write_while_another_holds_it(two):
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    with pytest.raises(LeaseLost):
        b.save_state(sid, {"n": 5}, NOW)
    clock.t += LEASE + 1  # A died: its lease expired, nobody took it yet
    b.save_state(sid, {"n": 6}, NOW)  # e.g. the worker that created a session writes its first rows
    assert state(a) == {"n": 6}


def test_release_only_by_the_holder_at_its_generation(two):
    a, b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    assert not b.release_lease(sid, "B", 1)
    assert not a.release_lease(sid, "A", 7)
    assert a.release_lease(sid, "A", 1)
    assert a.renew_leases("A", clock(), LEASE) == []  # a released lease is never renewed
    assert b.take_lease(sid, "B", clock(), LEASE) == 2  # free at once, no wait for the expiry


def test_a_worker_the_proxy_routes_to_asks_for_the_session_and_the_holder_sees_it(two):
    a, b, clock, sid = two
    assert not b.want_lease(sid, "B", clock())  # nobody holds it: nothing to ask
    a.take_lease(sid, "A", clock(), LEASE)
    assert not a.want_lease(sid, "A", clock())  # never of oneself
    assert b.want_lease(sid, "B", clock())
    assert [r["wanted"] for r in a.renew_leases("A", clock(), LEASE)] == ["B"]
    a.release_lease(sid, "A", 1)
    assert b.take_lease(sid, "B", clock(), LEASE) == 2
    assert b.lease(sid)["wanted"] is None


def test_the_command_line_writes_unfenced(two, make_store):
    a, _b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    cli = make_store()  # no fence_writes: e.g. `workshop sessions link`
    cli.add_facilitator_token(sid, "h2", NOW, keep=5)
    assert "h2" in a.facilitator_hashes(sid)


def test_deleting_a_session_deletes_its_lease(two):
    a, _b, clock, sid = two
    a.take_lease(sid, "A", clock(), LEASE)
    assert a.delete_session("ABCDEF")
    assert a.lease(sid) is None


def test_an_older_database_gets_the_lease_table(tmp_path):
    path = tmp_path / "old.sqlite3"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE session_leases")
        db.execute("PRAGMA user_version=6")
    store = Store(path)
    try:
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
            assert db.execute("SELECT COUNT(*) FROM session_leases").fetchone()[0] == 0
    finally:
        store.close()
