"""Every facilitator action on a session's state: the session's own (core/state.py) and the projector's
controls (core/screen_control.py), each followed by the rule that a timer ends with its question's opening."""
from __future__ import annotations

from typing import Any, Sequence

from workshop.core import screen_control
from workshop.core.state import SessionState, apply_session


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
    if action in screen_control.ACTIONS:
        return screen_control.settle(screen_control.apply(state, action, question=question, **screen))
    return screen_control.settle(apply_session(state, action, question=question, option=option,
                                               valid_options=valid_options, view=view))
