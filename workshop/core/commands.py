"""Every facilitator action on a session's state: the session's own (core/state.py) and the projector's
controls (core/screen_control.py), each followed by the rule that a timer ends with its question's opening."""
from __future__ import annotations

from typing import Any, Sequence

from workshop.core import actions as table
from workshop.core import screen_control
from workshop.core.state import VIEWS, Rejected, SessionState, apply_session


def apply(
    state: SessionState,
    action: str,
    *,
    question: str | None = None,
    option: str | None = None,
    valid_options: Sequence[str] = (),
    view: str | None = None,
    **screen: Any,
) -> SessionState:
    """Return the state after a facilitator action, or raise Rejected; a timer ends with its question's opening."""
    spec = table.get(action)
    if spec is None:
        raise Rejected("unknown_action", "Unknown action", "action")
    if state.stage not in spec.stages:  # the stages of core/actions.py's table, for every action
        raise Rejected("not_allowed_now", f"{action} is not possible while the session is {state.stage}")
    if action in screen_control.ACTIONS:
        return screen_control.settle(screen_control.apply(state, action, question=question, **screen))
    return screen_control.settle(apply_session(state, action, question=question, option=option,
                                               valid_options=valid_options, view=view))


# What allowed() tries for the actions that need a field beyond the question (the value is irrelevant to the rule).
TRIAL_FIELDS: dict[str, dict[str, Any]] = {"timer": {"seconds": 1, "now": 0.0}, "timer_add": {"seconds": 1}}


def _accepts(state: SessionState, action: str, question: str | None = None) -> SessionState | None:
    """The state an action would make now, None when apply refuses it or it would change nothing."""
    try:
        new = apply(state, action, question=question, **TRIAL_FIELDS.get(action, {}))
    except Rejected:
        return None
    return new if new != state or action == "agree" else None


def allowed(state: SessionState) -> dict[str, Any]:
    """What the facilitator may do now, found by asking apply itself (the pages keep no copy of the rules).

    `actions`: the actions without a field that would change something; `questions`: per question, the
    question actions apply accepts; `views`: the projector views `view` accepts; `to_results`: the allowed
    actions that would show the group results.
    """
    made = {name: _accepts(state, name) for name in table.PLAIN_ACTIONS}
    found = [name for name, new in made.items() if new is not None]
    questions = {q: [name for name in table.QUESTION_ACTIONS if _accepts(state, name, q) is not None]
                 for q in state.order}
    to_results = [name for name in found if made[name].stage == "results" and state.stage != "results"]
    views = [v for v in VIEWS if _accepts_view(state, v)]
    return {"actions": found, "questions": questions, "views": views, "to_results": to_results}


def _accepts_view(state: SessionState, view: str) -> bool:
    """Whether `view` accepts this view now (the one already chosen included)."""
    try:
        apply(state, "view", view=view)
    except Rejected:
        return False
    return True
