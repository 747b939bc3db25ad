"""One table of facilitator actions (core/actions.py): the state machine keeps its stages, its projector effects
hold in every reachable state, and `allowed` is exactly what apply accepts (issue 22 item 6, issue 23 item 3)."""
from __future__ import annotations

import pytest

from workshop.core import actions, commands
from workshop.core import state as sm
from workshop.web import protocol

QUESTIONS = ("a", "b", "c")
OPTIONS = ("x", "y")
# Every command of the table with the fields it needs (values the rules accept when the stage allows).
TRIALS = [(a.name, q) for a in actions.TABLE if a.client and a.name not in ("undo", "remove", "undo")
          for q in (QUESTIONS if a.question else (None,))]


def fields(name, question):
    """The keyword arguments apply needs for an action of the table."""
    extra = {"view": {"view": "rounds"}, "names": {"names": "on"}, "hide_name": {"participant": 1},
             "show_name": {"participant": 1}, **commands.TRIAL_FIELDS, "agree": {"option": "x", "valid_options": OPTIONS}}
    return {"question": question, **extra.get(name, {})}


def attempt(state, name, question=None):
    """The state after an action, or None when apply refuses it."""
    try:
        return commands.apply(state, name, **fields(name, question))
    except sm.Rejected:
        return None


def reachable(depth=3):
    """Every state a paced and a self-paced session reach in `depth` actions of the table."""
    start = [sm.initial("paced", QUESTIONS), sm.initial("self", QUESTIONS)]
    seen = {repr(s): s for s in start}  # states hold a dict of questions: keyed by their repr
    frontier = start
    for _ in range(depth):
        found = []
        for state in frontier:
            for name, question in TRIALS:
                new = attempt(state, name, question)
                if new is not None and repr(new) not in seen:
                    seen[repr(new)] = new
                    found.append(new)
        frontier = found
    return [seen[key] for key in sorted(seen)]


STATES = reachable()


def test_the_socket_layer_takes_its_commands_from_the_table():
    assert protocol.ACTIONS == {a.name: a.fields for a in actions.TABLE if a.client}
    assert "timer_expire" not in protocol.ACTIONS  # the server's own, never a page's


def test_no_action_is_accepted_in_a_stage_the_table_does_not_allow():
    checked = 0
    for state in STATES:
        for name, question in TRIALS:
            if state.stage not in actions.BY_NAME[name].stages:
                checked += 1
                assert attempt(state, name, question) is None, (name, state.stage)
    assert checked > 100


def test_every_stage_the_table_allows_is_reached_by_an_accepted_action():
    accepted = {(name, state.stage) for state in STATES for name, q in TRIALS if attempt(state, name, q) is not None}
    for action in actions.TABLE:
        if action.client and action.name not in ("undo", "remove", "hide_name", "show_name", "names", "timer_stop"):
            for stage in action.stages:
                assert (action.name, stage) in accepted, (action.name, stage)


def test_an_action_that_stays_never_moves_the_projector():
    moved = []
    for state in STATES:
        for name, question in TRIALS:
            new = attempt(state, name, question)
            if new is not None and actions.BY_NAME[name].projector == actions.STAYS:
                if sm.projector_shows(new) != sm.projector_shows(state):
                    moved.append((name, question, sm.projector_shows(state), sm.projector_shows(new)))
    assert moved == []


def test_agreeing_the_last_question_leaves_the_projector_where_it_was():
    s = commands.apply(sm.initial("paced", QUESTIONS), "start")
    for q in QUESTIONS:
        s = commands.apply(commands.apply(s, "focus", question=q), "reveal", question=q)
    for q in QUESTIONS:
        before = sm.projector_shows(s)
        s = commands.apply(s, "agree", question=q, option="x", valid_options=OPTIONS)
        assert sm.projector_shows(s) == before == "question"
    assert sm.all_agreed(s)


@pytest.mark.parametrize("index", range(0, len(STATES), 7))
def test_allowed_lists_exactly_what_apply_accepts_and_changes(index):
    state = STATES[index]
    can = commands.allowed(state)
    for name in actions.PLAIN_ACTIONS:
        new = attempt(state, name)
        assert (name in can["actions"]) == (new is not None and new != state), name
    for q in QUESTIONS:
        for name in actions.QUESTION_ACTIONS:
            new = attempt(state, name, q)
            expected = new is not None and (new != state or name == "agree")
            assert (name in can["questions"][q]) == expected, (name, q)
    for name in can["to_results"]:
        assert attempt(state, name).stage == "results" != state.stage


def test_next_on_the_last_question_is_named_as_leading_to_the_results():
    s = commands.apply(sm.initial("paced", QUESTIONS), "start")
    assert commands.allowed(s)["to_results"] == ["results"]
    s = commands.apply(s, "focus", question="c")
    assert commands.allowed(s)["to_results"] == ["next", "results"]


def test_the_pause_screen_and_the_join_code_win_over_an_activity_which_wins_over_the_rest():
    s = commands.apply(sm.initial("paced", QUESTIONS), "start")
    assert sm.projector_shows(s, "vote", "open") == "activity_vote"
    assert sm.projector_shows(s, "vote", "revealed") == "activity_vote_result"
    assert sm.projector_shows(s, "ideas", "closed") == "activity_ideas"
    assert sm.projector_shows(commands.apply(s, "view", view="consensus"), "vote", "open") == "activity_vote"
    assert sm.projector_shows(commands.apply(s, "blank"), "vote", "open") == "blank"
    assert sm.projector_shows(commands.apply(s, "view", view="join"), "vote", "open") == "join"
    assert sm.projector_shows(sm.initial("paced", QUESTIONS), "vote", "open") == "lobby"


def test_a_revealed_question_with_hidden_results_is_the_notice_the_projector_draws():
    s = commands.apply(commands.apply(sm.initial("paced", QUESTIONS), "start"), "reveal", question="a")
    assert sm.projector_shows(s) == "question"
    assert sm.projector_shows(commands.apply(s, "hide_results")) == "results_hidden"
    assert sm.projector_shows(commands.apply(commands.apply(s, "hide_results"), "next")) == "question"  # b is open: no answers
