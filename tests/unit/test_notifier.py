"""Live commits each change, then tells its notifier exactly that change; a refused write tells nothing."""
from __future__ import annotations

import pytest

from workshop.settings import Settings
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.state import Rejected
from workshop.web.broadcaster import Broadcaster
from workshop.live.notifier import Notifier, NullNotifier
from workshop.live.service import Live


class Recorder:
    """A notifier that records each call as (method, code, *arguments)."""

    def __init__(self):
        self.calls: list[tuple] = []

    def __getattr__(self, name):
        if name not in Notifier.__dict__ or name.startswith("_"):
            raise AttributeError(name)
        return lambda room, *args: self.calls.append((name, room.code, *args))

    def take(self) -> list[tuple]:
        """The calls since the last take."""
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def setup(make_store):
    recorder = Recorder()
    live = Live(make_store("FULL"), default_questionnaire(), Settings(), notifier=recorder)
    room, _token = live.create("Proef", "self")
    assert recorder.take() == []  # nobody can listen to a session that did not exist
    return live, room, recorder


def first_question(live):
    """The first question's id and its first option's id."""
    question = live.questionnaire.questions[0]
    return question.id, question.options[0].id


def test_the_null_notifier_and_the_broadcaster_implement_the_whole_protocol():
    methods = {name for name in Notifier.__dict__ if not name.startswith("_")}
    assert methods <= set(dir(NullNotifier))
    assert methods <= set(dir(Broadcaster))


def test_join_answer_and_presence_report_the_participant(setup):
    live, room, recorder = setup
    member, _ = live.join(room, "Anna")
    assert recorder.take() == [("joined", room.code, member.id)]
    live.command(room, "start")
    recorder.take()
    qid, option = first_question(live)
    live.answer(room, member.id, qid, option, 1)
    assert recorder.take() == [("answered", room.code, member.id, qid)]
    live.connected(room, member.id)
    live.disconnected(room, member.id)
    live.disconnected(room, member.id)  # nothing left to count: no change, nothing told
    assert recorder.take() == [("presence_changed", room.code, member.id)] * 2


def test_a_command_reports_the_state_before_and_only_when_it_changed(setup):
    live, room, recorder = setup
    before = room.state
    live.command(room, "start")
    assert recorder.take() == [("state_changed", room.code, before)]
    assert room.state.stage == "running"
    live.command(room, "lock")
    recorder.take()
    live.command(room, "lock")  # already locked: the same state
    assert recorder.take() == []


def test_remove_reports_the_participant_and_forgets_its_sockets(setup):
    live, room, recorder = setup
    member, _ = live.join(room)
    live.connected(room, member.id)
    recorder.take()
    live.remove(room, member.id)
    assert recorder.take() == [("participant_removed", room.code, member.id)]
    assert not room.sockets.get(member.id)


def test_the_facilitators_texts_and_report_link_are_reported(setup):
    live, room, recorder = setup
    qid, _ = first_question(live)
    live.save_note(room, qid, "let op")
    live.save_note(room, "", "algemeen")
    live.save_steps(room, [{"what": "plan", "who": "Bram", "due": "mei"}])
    live.set_report_link(room, True)
    stored = {"text": "let op", "version": 1, "conflict": False}
    assert recorder.take() == [("notes_changed", room.code, qid, stored),
                               ("notes_changed", room.code, "", {**stored, "text": "algemeen"}),
                               ("steps_changed", room.code), ("report_link_changed", room.code)]


def test_deleting_a_session_in_memory_reports_it(setup):
    live, room, recorder = setup
    live.delete(room.code)
    assert recorder.take() == [("session_deleted", room.code)]
    assert live.delete(room.code) is False and recorder.take() == []  # no room left to tell about


def test_a_session_deleted_elsewhere_is_reported_and_forgotten(setup):
    live, room, recorder = setup
    live.deleted_elsewhere(room)
    assert recorder.take() == [("session_deleted", room.code)]
    assert live.rooms.forget(room.code) is None


@pytest.mark.parametrize("write", [
    lambda live, room, pid: live.join(room, "x" * 500),
    lambda live, room, pid: live.answer(room, pid, "nope", "nope", 1),
    lambda live, room, pid: live.answer(room, pid, *first_question(live), 1),  # not open yet: lobby
    lambda live, room, pid: live.remove(room, 12345),
    lambda live, room, pid: live.command(room, "reveal", question="nope"),
    lambda live, room, pid: live.command(room, "fly"),
    lambda live, room, pid: live.save_note(room, "nope", "text"),
    lambda live, room, pid: live.save_steps(room, "not a list"),
])
def test_a_rejected_write_reports_nothing(setup, write):
    live, room, recorder = setup
    member, _ = live.join(room)
    recorder.take()
    with pytest.raises(Rejected):
        write(live, room, member.id)
    assert recorder.take() == []


def test_the_app_wires_the_broadcaster_as_the_live_services_notifier(app):
    svc = app.extensions["workshop"]
    assert svc.live.notifier is svc.broadcaster


def test_an_activity_write_on_a_room_evicted_meanwhile_changes_the_live_copy_and_is_told_once(setup):
    """Activities change rooms through Live.editing: a caller holding an evicted copy writes to the reloaded one."""
    live, room, recorder = setup
    member, _ = live.join(room, "Eva")
    live.activities.command(room, "open", {"activity": "challenges"})
    assert live.evict_idle(0, lambda code: False, lambda code: None) == [room.code]
    recorder.take()
    picks = live.activities.pick(room, member.id, [live.activities.board(room).state.challenges[0].id])
    current = live.room(room.code)
    assert current is not room and current.board.picks == {member.id: picks}
    assert room.board.picks == {}  # the stale copy was not written
    assert recorder.take() == [("challenge_picked", room.code, member.id)]
    live.activities.command(current, "open", {"activity": "challenges"})  # open already: nothing changed
    assert recorder.take() == []
