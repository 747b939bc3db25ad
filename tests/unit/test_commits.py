"""Answers committed in groups (live/commits.py): together in one transaction, in order, none acknowledged before
its commit, and none in memory when its group's commit failed."""
from __future__ import annotations

import threading
import time

import pytest

from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.state import Rejected
from workshop.live.commits import AnswerCommits
from workshop.live.service import Live
from workshop.settings import Settings
from workshop.store.interface import MISSING, AnswerRow

T0 = "2026-01-01T00:00:00+00:00"


def eventually(condition, what: str, seconds: float = 10.0) -> None:
    """Wait until condition() holds (threads are scheduled as the machine allows); fail naming `what`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.005)


class GatedStore:
    """A store whose first save_answers waits until the test opens the gate; it records every group it stored."""

    def __init__(self, fail: BaseException | None = None):
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.groups: list[list[AnswerRow]] = []
        self.fail = fail

    def save_answers(self, rows):
        if not self.groups:
            self.entered.set()
            self.gate.wait(10)
        self.groups.append(list(rows))
        if self.fail is not None and len(self.groups) == 2:
            raise self.fail
        return [None] * len(rows)


def row(seq: int, participant: int = 1, option: str = "a") -> AnswerRow:
    return AnswerRow(1, participant, "q1", 1, option, seq, T0)


def run_waiters(commits, rows):
    """Queue each row and wait for it in a thread of its own; return the threads and their results by seq."""
    results: dict[int, object] = {}

    def wait(pending):
        try:
            results[pending.row.seq] = commits.wait(pending)
        except Exception as error:  # noqa: BLE001 - the test looks at what each waiter got
            results[pending.row.seq] = error

    threads = []
    for r in rows:
        t = threading.Thread(target=wait, args=(commits.add(None, r),))
        t.start()
        threads.append(t)
    return threads, results


def test_answers_queued_while_a_commit_travels_commit_together_in_order():
    store, applied = GatedStore(), []
    commits = AnswerCommits(store, lambda group: applied.extend(p.row.seq for p in group))
    first, first_result = run_waiters(commits, [row(1)])
    assert store.entered.wait(10)
    threads, results = run_waiters(commits, [row(seq, participant=seq) for seq in range(2, 9)])
    eventually(lambda: len(commits._queue) == 7, "seven answers queued behind the first commit")
    assert results == {}  # none acknowledged while its commit has not happened
    store.gate.set()
    for t in first + threads:
        t.join(10)
    assert [[r.seq for r in g] for g in store.groups] == [[1], [2, 3, 4, 5, 6, 7, 8]]
    assert applied == list(range(1, 9))
    assert first_result == {1: None} and results == {seq: None for seq in range(2, 9)}


def test_a_failed_commit_fails_every_answer_of_its_group_and_applies_none():
    store, applied = GatedStore(fail=OSError("disk full")), []
    commits = AnswerCommits(store, lambda group: applied.extend(p.row.seq for p in group))
    first, _ = run_waiters(commits, [row(1)])
    assert store.entered.wait(10)
    threads, results = run_waiters(commits, [row(2, participant=2), row(3, participant=3)])
    eventually(lambda: len(commits._queue) == 2, "two answers queued")
    store.gate.set()
    for t in first + threads:
        t.join(10)
    assert applied == [1]
    assert {seq: str(e) for seq, e in results.items()} == {2: "disk full", 3: "disk full"}
    after, later = run_waiters(commits, [row(4)])  # the next group commits as usual
    after[0].join(10)
    assert later == {4: None} and applied == [1, 4]


@pytest.fixture
def live(make_store):
    return Live(make_store(), default_questionnaire(), Settings())


def test_answers_from_many_threads_end_the_same_in_memory_and_in_the_database(live):
    room, _ = live.create("Proef", "self")
    members = [live.join(room, f"p{i}")[0] for i in range(12)]
    live.command(room, "start")
    questions = live.questionnaire.questions[:3]
    errors: list[BaseException] = []

    def answer(member, turn):
        try:
            for n, q in enumerate(questions):
                live.answer(room, member.id, q.id, q.options[(turn + n) % len(q.options)].id, 1)
            live.answer(room, member.id, questions[0].id, questions[0].options[turn % 2].id, 1)  # a change of mind
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=answer, args=(m, i)) for i, m in enumerate(members)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    stored = {(a["participant_id"], a["question_id"]): a["option_id"] for a in live.store.answers(room.id)}
    in_memory = {(pid, qid): rounds[1] for pid, by_q in room.tally.answers.items() for qid, rounds in by_q.items()}
    assert stored == in_memory and len(stored) == 12 * 3
    assert room.tally.seq == max(a["seq"] for a in live.store.answers(room.id))


def test_an_answer_to_a_session_deleted_elsewhere_is_refused_and_kept_out_of_memory(live, make_store):
    room, _ = live.create("Proef", "self")
    member, _ = live.join(room, "Anna")
    live.command(room, "start")
    q = live.questionnaire.questions[0]
    other = make_store()
    other.delete_session(room.code)
    with pytest.raises(Rejected) as refused:
        live.answer(room, member.id, q.id, q.options[0].id, 1)
    assert refused.value.code == "session_deleted"
    assert room.tally.answers[member.id] == {}


def test_save_answers_stores_each_row_it_can_and_says_why_not_the_others(make_store):
    store = make_store()
    kept = store.create_session(code="KEEP11", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                                disciplines=[], facilitator_hash="h", state={}, now=T0)
    gone = store.create_session(code="GONE22", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                                disciplines=[], facilitator_hash="h", state={}, now=T0)
    anna, _ = store.add_participant(kept, "a", "Anna", None, T0)
    bram, _ = store.add_participant(gone, "b", "Bram", None, T0)
    store.delete_session("GONE22")
    outcomes = store.save_answers([AnswerRow(kept, anna, "q1", 1, "a", 1, T0), AnswerRow(gone, bram, "q1", 1, "a", 2, T0),
                                   AnswerRow(kept, anna, "q1", 1, "b", 3, T0), AnswerRow(kept, anna, "q2", 1, "c", 4, T0)])
    assert outcomes == [None, MISSING, None, None]
    assert [(a["question_id"], a["option_id"], a["seq"]) for a in store.answers(kept)] == [("q1", "b", 3), ("q2", "c", 4)]


def test_a_database_error_in_a_group_stores_none_of_it(make_store):
    store = make_store()
    sid = store.create_session(code="KEEP11", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                               disciplines=[], facilitator_hash="h", state={}, now=T0)
    anna, _ = store.add_participant(sid, "a", "Anna", None, T0)
    with pytest.raises(Exception):  # the second row names a participant that does not exist: a foreign key fails
        store.save_answers([AnswerRow(sid, anna, "q1", 1, "a", 1, T0), AnswerRow(sid, anna + 999, "q1", 1, "a", 2, T0)])
    assert store.answers(sid) == []
    store.save_answers([AnswerRow(sid, anna, "q1", 1, "a", 3, T0)])  # the connection still works
    assert len(store.answers(sid)) == 1
