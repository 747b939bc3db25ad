"""The projector follows the facilitator, going back reopens what was never revealed (issue 11, points 3 and 4)."""
from __future__ import annotations

import pytest

from workshop.core import commands
from workshop.core import state as sm

QUESTIONS = ("a", "b", "c")
OPTIONS = ("x", "y")


def started(pacing="paced"):
    """A session that has just started."""
    return commands.apply(sm.initial(pacing, QUESTIONS), "start")


def run(s, *steps):
    """Apply steps: an action name, or (action, question[, option/view])."""
    for step in steps:
        action, *args = (step,) if isinstance(step, str) else step
        question = args[0] if args and action != "view" else None
        view = args[0] if action == "view" else None
        option = args[1] if len(args) > 1 else None
        s = commands.apply(s, action, question=question, option=option, valid_options=OPTIONS, view=view)
    return s


def statuses(s):
    """Each question's status in order."""
    return [s.questions[q].status for q in s.order]


@pytest.mark.parametrize("steps, shown", [
    ((), "question"),
    ((("view", "disciplines"), "next"), "question"),
    ((("view", "disciplines"), "prev"), "question"),
    ((("view", "rounds"), ("focus", "c")), "question"),
    ((("view", "results"), ("reveal", "a")), "question"),
    ((("reveal", "a"), ("view", "disciplines"), ("new_round", "a")), "question"),
    ((("view", "consensus"), ("open", "b")), "question"),
    ((("view", "disciplines"), "results"), "results"),
    (("next", "next", "next"), "results"),  # past the last question
    ((("view", "question"), "end"), "ended"),
    (("end", "reopen"), "results"),
    ((("view", "rounds"),), "rounds"),
])
def test_every_action_that_changes_what_the_room_looks_at_puts_the_projector_there(steps, shown):
    assert sm.shown(run(started(), *steps)) == shown


def test_the_lobby_always_shows_the_join_screen():
    s = sm.initial("paced", QUESTIONS)
    assert sm.shown(s) == "lobby"
    assert sm.shown(commands.apply(s, "view", view="results")) == "lobby"


def test_self_paced_start_shows_the_progress_and_a_question_the_facilitator_puts_on_screen():
    s = started("self")
    assert (s.view, sm.shown(s)) == ("progress", "progress")
    assert sm.shown(run(s, ("focus", "b"))) == "question"
    assert sm.shown(run(s, ("reveal", "c"))) == "question"
    assert sm.shown(run(s, ("view", "progress"))) == "progress"


def test_a_stored_auto_view_still_shows_what_fits_the_stage():
    s = started("self")
    legacy = sm.SessionState.from_dict({**s.to_dict(), "view": "auto"})
    assert sm.shown(legacy) == "progress"
    assert sm.shown(run(legacy, ("reveal", "a"), ("view", "auto"))) == "question"
    assert sm.shown(sm.SessionState.from_dict({**started().to_dict(), "view": "auto"})) == "question"


def test_agreeing_never_moves_the_projector_not_even_the_last_agreed_answer():
    s = run(started(), ("reveal", "a"), "next", ("reveal", "b"), "next", ("reveal", "c"),
            ("agree", "a", "x"), ("agree", "b", "y"))
    assert sm.shown(s) == "question"
    s = run(s, ("agree", "c", "x"))
    assert sm.all_agreed(s) and sm.shown(s) == "question"  # issue 22: the facilitator shows the phase when ready
    assert sm.shown(run(s, ("view", "results"), ("agree", "c", "y"))) == "results"


def test_next_then_previous_puts_the_room_back_where_it_was():
    s = started()
    back = run(s, "next", "prev")
    assert statuses(back) == ["open", "closed", "hidden"]
    assert back.focus == "a" and back.open_questions() == ["a"]
    assert statuses(run(back, "next")) == ["closed", "open", "hidden"]


def test_going_back_to_a_revealed_question_does_not_reopen_it():
    s = run(started(), ("reveal", "a"), "next", "prev")
    assert statuses(s) == ["revealed", "closed", "hidden"]
    assert s.open_questions() == []


def test_self_paced_moving_closes_and_opens_nothing():
    s = run(started("self"), "next", "prev", ("focus", "c"))
    assert statuses(s) == ["open"] * 3


def test_changes_name_each_question_whose_status_changed():
    s = run(started(), "next")
    assert sm.changes(s, run(s, "prev")) == [
        {"question": "a", "before": "closed", "after": "open"},
        {"question": "b", "before": "open", "after": "closed"},
    ]
    assert sm.changes(s, run(s, ("view", "rounds"))) == []
