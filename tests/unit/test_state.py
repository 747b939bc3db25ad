"""The session state machine on its own."""
from __future__ import annotations

from dataclasses import replace

import pytest

from workshop.core import commands
from workshop.core import state as sm
from workshop.core.state import Rejected

QUESTIONS = ("a", "b", "c")


def started(pacing="paced"):
    """A session that has just started."""
    return commands.apply(sm.initial(pacing, QUESTIONS), "start")


def statuses(s):
    """Each question's status in order."""
    return [s.questions[q].status for q in s.order]


def test_initial_state_is_lobby_with_hidden_questions():
    s = sm.initial("paced", QUESTIONS)
    assert (s.stage, s.focus, s.locked, s.view) == ("lobby", None, False, "auto")
    assert statuses(s) == ["hidden"] * 3


def test_paced_start_opens_only_the_first_question():
    s = started()
    assert s.stage == "running" and s.focus == "a"
    assert statuses(s) == ["open", "hidden", "hidden"]
    assert s.open_questions() == ["a"]


def test_self_paced_start_opens_every_question():
    s = started("self")
    assert statuses(s) == ["open"] * 3
    assert s.open_questions() == ["a", "b", "c"]


def test_paced_next_closes_previous_and_opens_next_then_results():
    s = commands.apply(started(), "next")
    assert s.focus == "b" and statuses(s) == ["closed", "open", "hidden"]
    s = commands.apply(commands.apply(s, "next"), "next")
    assert s.stage == "results" and s.open_questions() == []
    assert statuses(s) == ["closed", "closed", "closed"]


def test_prev_goes_back_without_reopening_a_revealed_question():
    s = commands.apply(started(), "reveal", question="a")
    s = commands.apply(commands.apply(s, "next"), "prev")
    assert s.focus == "a" and s.questions["a"].status == "revealed"
    assert s.questions["b"].status == "closed"


def test_reveal_closes_answering():
    s = commands.apply(started(), "reveal", question="a")
    assert s.questions["a"].status == "revealed"
    with pytest.raises(Rejected) as exc:
        sm.check_answer(s, "a", 1)
    assert exc.value.code == "question_closed"


def test_reveal_of_a_hidden_question_is_refused():
    with pytest.raises(Rejected) as exc:
        commands.apply(started(), "reveal", question="c")
    assert exc.value.code == "not_allowed_now"


def test_new_round_keeps_counting_rounds_and_clears_agreement():
    s = commands.apply(started(), "reveal", question="a")
    s = commands.apply(s, "agree", question="a", option="x", valid_options=["x", "y"])
    assert s.questions["a"].agreed == "x"
    s = commands.apply(s, "new_round", question="a")
    assert s.questions["a"] == sm.QuestionState("open", 2, None)
    sm.check_answer(s, "a", 2)
    with pytest.raises(Rejected) as exc:
        sm.check_answer(s, "a", 1)
    assert exc.value.code == "stale_round"


def test_new_round_needs_a_closed_question():
    with pytest.raises(Rejected):
        commands.apply(started(), "new_round", question="a")


def test_agree_refuses_unknown_option_and_open_question():
    s = commands.apply(started(), "close", question="a")
    with pytest.raises(Rejected) as exc:
        commands.apply(s, "agree", question="a", option="zz", valid_options=["x"])
    assert exc.value.code == "unknown_option"
    with pytest.raises(Rejected):
        commands.apply(started(), "agree", question="a", option="x", valid_options=["x"])
    cleared = commands.apply(commands.apply(s, "agree", question="a", option="x", valid_options=["x"]), "agree",
                       question="a", option=None, valid_options=["x"])
    assert cleared.questions["a"].agreed is None


def test_all_agreed():
    s = started("self")
    for q in QUESTIONS:
        s = commands.apply(s, "close", question=q)
        assert not sm.all_agreed(s)
        s = commands.apply(s, "agree", question=q, option="x", valid_options=["x"])
    assert sm.all_agreed(s)


def test_end_stops_everything_but_reopen_and_view():
    s = commands.apply(started(), "end")
    assert s.stage == "ended" and s.open_questions() == []
    for action in ("start", "next", "lock", "results"):
        with pytest.raises(Rejected):
            commands.apply(s, action)
    assert commands.apply(s, "view", view="consensus").view == "consensus"
    assert commands.apply(s, "reopen").stage == "results"


def test_lock_unlock_and_view():
    s = commands.apply(sm.initial("paced", QUESTIONS), "lock")
    assert s.locked
    assert not commands.apply(s, "unlock").locked
    with pytest.raises(Rejected):
        commands.apply(s, "view", view="bogus")


@pytest.mark.parametrize("action", ["explode", "", "START"])
def test_unknown_actions_are_refused(action):
    with pytest.raises(Rejected) as exc:
        commands.apply(started(), action)
    assert exc.value.code == "unknown_action"


def test_unknown_question_is_refused():
    with pytest.raises(Rejected) as exc:
        commands.apply(started(), "open", question="nope")
    assert exc.value.code == "unknown_question"


def test_state_round_trips_through_its_stored_form():
    s = commands.apply(commands.apply(started("self"), "reveal", question="b"), "lock")
    assert sm.SessionState.from_dict(s.to_dict()) == s


def test_answers_only_while_running_and_open():
    s = sm.initial("paced", QUESTIONS)
    with pytest.raises(Rejected):
        sm.check_answer(s, "a", 1)
    s = started()
    sm.check_answer(s, "a", 1)
    with pytest.raises(Rejected):
        sm.check_answer(s, "b", 1)


@pytest.mark.parametrize("stage", sm.STAGES)
@pytest.mark.parametrize("locked", [False, True])
def test_phones_may_join_unless_locked_or_ended(stage, locked):
    s = replace(sm.initial("paced", QUESTIONS), stage=stage, locked=locked)
    expected = not locked and stage != "ended"
    assert sm.joinable(s) is expected
    if expected:
        sm.check_join(s)
    else:
        with pytest.raises(Rejected) as refused:
            sm.check_join(s)
        assert refused.value.code == ("session_ended" if stage == "ended" else "locked")


@pytest.mark.parametrize("stage", sm.STAGES)
@pytest.mark.parametrize("status", sm.STATUSES)
def test_a_question_takes_answers_only_while_open_in_a_running_session(stage, status):
    s = replace(sm.initial("paced", QUESTIONS).with_question("b", status=status), stage=stage)
    expected = stage == "running" and status == "open"
    assert sm.accepting(s, "b") is expected
    assert sm.accepting(s, "a") is False  # the others stay hidden
    assert s.open_questions() == (["b"] if expected else [])
    if expected:
        sm.check_answer(s, "b", 1)  # the rule the phone now reads is the one the server applies
    else:
        with pytest.raises(Rejected, match="not open"):
            sm.check_answer(s, "b", 1)
