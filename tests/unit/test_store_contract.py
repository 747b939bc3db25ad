"""The SessionStore contract, on SQLite and on PostgreSQL: the same calls give the same answers on both.

`make_store` (tests/conftest.py) opens the test's own database on each backend; a second store opened
on it plays another process (another worker, the command line).
"""
from __future__ import annotations

import pytest

from workshop.store.interface import SessionStore
from workshop.store.sql import SessionMissing

T0, T1, T2 = "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00", "2026-01-02T00:00:00+00:00"


def new_session(store, code="ABCDEF", **fields):
    """Create a session with plain fields; return its id."""
    return store.create_session(**{"code": code, "title": "Proef", "language": "nl", "questionnaire_id": "digitaal-dna",
                                   "questionnaire_version": "1", "disciplines": ["Collectie", "ICT"],
                                   "facilitator_hash": "h0", "state": {"phase": "lobby"}, "now": T0, **fields})


@pytest.fixture
def store(make_store):
    """The store under test, closed after it."""
    s = make_store()
    yield s
    s.close()


def test_the_store_is_a_session_store(store):
    assert isinstance(store, SessionStore)


def test_a_session_reads_back_as_stored(store):
    sid = new_session(store, organisation="De Waag")
    row = store.session("ABCDEF")
    assert (row["id"], row["title"], row["organisation"], row["follows"], row["report_generation"]) == (
        sid, "Proef", "De Waag", None, 0)
    assert row["disciplines"] == '["Collectie", "ICT"]' and row["state"] == '{"phase": "lobby"}'
    assert store.code_exists("ABCDEF") and not store.code_exists("ZZZZZZ")
    assert store.session("ZZZZZZ") is None
    assert store.session_exists(sid) and not store.session_exists(sid + 1000)
    assert store.missing_codes(["ABCDEF", "ZZZZZZ"]) == {"ZZZZZZ"}
    store.save_state(sid, {"phase": "question"}, T1)
    store.set_report_generation(sid, 3, T1)
    row = store.session("ABCDEF")
    assert (row["state"], row["report_generation"], row["updated_at"]) == ('{"phase": "question"}', 3, T1)


def test_participants_and_answers_count_and_replace(store):
    sid = new_session(store)
    first = store.add_participant(sid, "t1", "Anna", "ICT", T0)
    second = store.add_participant(sid, "t2", None, None, T0, joined_late=True)
    assert (first[1], second[1]) == (1, 2) and first[0] != second[0]
    assert store.participant_by_token(sid, "t2")["joined_late"] == 1
    assert store.participant_by_token(sid, "nope") is None
    store.save_answer(sid, first[0], "q1", 1, "a", 1, T0)
    store.save_answer(sid, second[0], "q1", 1, "b", 2, T0)
    store.save_answer(sid, first[0], "q1", 1, "c", 3, T1)  # the same question and round: replaced
    assert [(a["participant_id"], a["option_id"], a["seq"]) for a in store.answers(sid)] == [
        (second[0], "b", 2), (first[0], "c", 3)]
    assert store.max_seq(sid) == 3
    assert store.remove_participant(sid, first[0], T1) and not store.remove_participant(sid, first[0], T1)
    assert [p["removed_at"] for p in store.participants(sid)] == [T1, None]
    listed = store.list_sessions()
    assert [(r["code"], r["participant_count"]) for r in listed] == [("ABCDEF", 1)]
    assert store.list_sessions([]) == [] and [r["code"] for r in store.list_sessions(["ABCDEF", "X"])] == ["ABCDEF"]


def test_notes_keep_versions_and_steps_keep_their_order(store):
    sid = new_session(store)
    assert store.note(sid, "") == ("", 0)
    store.save_note(sid, "", "een", T0)
    store.save_note(sid, "", "twee", T0)
    store.save_note(sid, "q1", "vast", T0, version=7)
    assert store.note(sid, "") == ("twee", 2)
    assert store.notes(sid) == {"": "twee", "q1": "vast"} and store.note_versions(sid) == {"": 2, "q1": 7}
    steps = [{"what": "Visie", "who": "Anna", "due": "juni", "idea": None}, {"what": "Cursus", "who": "", "due": "",
                                                                           "idea": None}]
    store.save_steps(sid, steps, T0)
    assert store.steps(sid) == steps
    store.save_steps(sid, [], T1)
    assert store.steps(sid) == []


def test_facilitator_links_keep_the_newest_and_rotation_leaves_one(store):
    sid = new_session(store)
    for n in range(4):
        store.add_facilitator_token(sid, f"h{n + 1}", T0, keep=2)
    assert store.facilitator_hashes(sid) == ["h0", "h3", "h4"]
    assert store.facilitator_epoch(sid) == 0
    store.replace_facilitator_tokens(sid, "new", T1)
    assert store.facilitator_hashes(sid) == ["new"] and store.facilitator_epoch(sid) == 1
    assert store.facilitator_epoch(sid + 1000) == -1


def test_follow_ups_carry_steps_and_can_be_detached(store):
    first = new_session(store, code="OLD111")
    later = new_session(store, code="NEW222", follows="OLD111", carried=[{"what": "Visie", "who": "Anna", "due": "juni"}])
    assert store.carried_steps(later) == [{"position": 0, "what": "Visie", "who": "Anna", "due": "juni", "status": None}]
    assert store.set_carried_status(later, 0, "done", T1) and not store.set_carried_status(later, 1, "done", T1)
    assert store.carried_steps(later)[0]["status"] == "done"
    assert store.follows(later) == "OLD111" and store.follows(first) is None
    assert [f["code"] for f in store.followups("OLD111")] == ["NEW222"]
    assert store.detach_followup(first, "NEW222", T1) and not store.detach_followup(first, "NEW222", T1)
    assert store.follows(later) is None


def test_activities_picks_ideas_and_dots(store):
    sid = new_session(store)
    pid, _ = store.add_participant(sid, "t1", "Anna", None, T0)
    other, _ = store.add_participant(sid, "t2", "Bo", None, T0)
    assert store.activities(sid) is None
    store.save_activities(sid, {"current": "ideas", "ü": 1}, T0)
    store.save_activities(sid, {"current": "vote"}, T1)
    assert store.activities(sid) == {"current": "vote"}
    store.save_picks(sid, pid, ["c1"], T0)
    store.save_picks(sid, pid, ["c1", "c2"], T1)
    assert store.picks(sid) == {pid: ["c1", "c2"]}
    a = store.add_idea(sid, pid, "step", "Een podcast", "pending", T0)
    b = store.add_idea(sid, other, "step", "Een cursus", "pending", T0)
    assert [i["text"] for i in store.ideas(sid)] == ["Een podcast", "Een cursus"]
    store.save_dots(sid, pid, {a: 2, b: 0}, T0)
    assert store.dots(sid) == {pid: {a: 2}}
    store.save_ideas(sid, [{"id": b, "text": "Een cursus", "status": "merged", "merged_into": a, "authors": [other, pid]}],
                     {pid: {a: 1}, other: {a: 3}}, T1)
    assert store.dots(sid) == {pid: {a: 1}, other: {a: 3}}
    merged = store.ideas(sid)[1]
    assert (merged["status"], merged["merged_into"], merged["authors"]) == ("merged", a, f"[{other}, {pid}]")


def test_a_deletion_removes_every_row_and_another_process_sees_it(store, make_store):
    sid = new_session(store, carried=[{"what": "Visie"}])
    pid, _ = store.add_participant(sid, "t1", "Anna", None, T0)
    store.save_answer(sid, pid, "q1", 1, "a", 1, T0)
    store.save_note(sid, "", "n", T0)
    store.add_idea(sid, pid, "step", "x", "pending", T0)
    other = make_store()  # another worker on the same database
    try:
        before = other.data_version()
        assert store.delete_session("ABCDEF") and not store.delete_session("ABCDEF")
        assert other.data_version() != before  # how the deletion watcher notices another process's deletion
        assert other.session("ABCDEF") is None and other.answers(sid) == [] and other.participants(sid) == []
        assert other.ideas(sid) == [] and other.carried_steps(sid) == [] and other.notes(sid) == {}
        with pytest.raises(SessionMissing):  # a write for the deleted session stores nothing
            other.save_answer(sid, pid, "q2", 1, "a", 2, T1)
        with pytest.raises(SessionMissing):
            other.add_participant(sid, "t9", None, None, T1)
    finally:
        other.close()


def test_a_write_is_committed_when_it_returns(store, make_store):
    sid = new_session(store)
    pid, _ = store.add_participant(sid, "t1", "Anna", None, T0)
    store.save_answer(sid, pid, "q1", 1, "a", 1, T0)
    other = make_store()  # no close or flush on the writer first: what another process sees now
    try:
        assert [a["option_id"] for a in other.answers(sid)] == ["a"]
    finally:
        other.close()


def test_retention_sees_the_last_change_and_touch_moves_it(store):
    old = new_session(store, code="OLD111")
    new_session(store, code="NEW222", now=T2)
    assert store.codes_older_than(T1) == ["OLD111"]
    store.touch_sessions([old], T2)
    assert store.codes_older_than(T1) == []
    store.touch_sessions([], T2)  # nothing to move: no transaction needed


def test_an_answer_moves_the_retention_clock_of_its_session_only(store):
    sid = new_session(store, code="OLD111")
    new_session(store, code="OTHER2")
    pid, _ = store.add_participant(sid, "tok", None, None, T0)
    store.save_answer(sid, pid, "q1", 1, "a", 1, T2)
    assert store.codes_older_than(T1) == ["OTHER2"]
    store.save_answer(sid, pid, "q1", 1, "b", 2, T1)  # an older time never moves the clock back
    assert store.codes_older_than(T2) == ["OTHER2"]
    assert [(a["option_id"], a["seq"]) for a in store.answers(sid)] == [("b", 2)]


def test_a_reader_sees_what_the_writer_committed(store):
    sid = new_session(store)
    reader = store.reader()
    try:
        assert reader.session("ABCDEF")["id"] == sid
        store.save_note(sid, "", "later", T1)
        assert reader.notes(sid) == {"": "later"}
    finally:
        reader.close()


def test_a_healthy_database_says_so_and_checkpoints_answer(store):
    assert store.health() is None
    store.checkpoint_elsewhere()
    busy, _, _ = store.checkpoint()
    assert busy == 0
