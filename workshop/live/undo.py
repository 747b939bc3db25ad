"""Undo of the facilitator's last control action: the state before it, kept for UNDO_SECONDS."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workshop.core import actions
from workshop.core.state import Rejected, SessionState


@dataclass(frozen=True)
class Undo:
    """The state before a facilitator action and the state it made, with when (monotonic) and which action."""

    before: SessionState
    after: SessionState
    at: float
    action: str
    question: str | None = None


def remember(action: str, before: SessionState, after: SessionState, now: float,
             question: str | None = None) -> Undo | None:
    """The undo of an action that changed the state, or None when it cannot be undone (or changed nothing).

    An action that cannot be undone (core/actions.py) also ends the undo of the one before it: an undo never
    reaches past it.
    """
    if not actions.undoable(action) or before == after:
        return None
    return Undo(before, after, now, action, question)


def target(undo: Undo | None, current: SessionState, now: float, seconds: float) -> SessionState:
    """The state an undo restores now, or raise Rejected('nothing_to_undo').

    Only while the window lasts, and only while nothing else changed the state since
    (another device's action, a timer): an undo never throws away a later change.
    """
    if undo is None or now - undo.at > seconds or current != undo.after:
        raise Rejected("nothing_to_undo", "There is nothing to undo")
    return undo.before


def offer(undo: Undo | None, now: float, seconds: float) -> dict[str, Any] | None:
    """What an undo would undo now ({action, question, seconds}), None when there is nothing to undo."""
    left = remaining(undo, now, seconds)
    if undo is None or not left:
        return None
    return {"action": undo.action, "question": undo.question, "seconds": left}


def remaining(undo: Undo | None, now: float, seconds: float) -> float:
    """Seconds left to undo (0 when there is nothing to undo)."""
    return 0.0 if undo is None else max(0.0, seconds - (now - undo.at))
