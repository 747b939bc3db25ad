"""Undo of the facilitator's last control action: the state before it, kept for UNDO_SECONDS."""
from __future__ import annotations

from dataclasses import dataclass

from workshop.core.state import Rejected, SessionState

# Actions that are never undone: undo itself, and removing a participant (asked first, not a state change).
NOT_UNDOABLE = ("undo", "remove")


@dataclass(frozen=True)
class Undo:
    """The state before a facilitator action and the state it made, with when (monotonic) and which action."""

    before: SessionState
    after: SessionState
    at: float
    action: str


def remember(action: str, before: SessionState, after: SessionState, now: float) -> Undo | None:
    """The undo of an action that changed the state, or None when it cannot be undone (or changed nothing)."""
    if action in NOT_UNDOABLE or before == after:
        return None
    return Undo(before, after, now, action)


def target(undo: Undo | None, current: SessionState, now: float, seconds: float) -> SessionState:
    """The state an undo restores now, or raise Rejected('nothing_to_undo').

    Only while the window lasts, and only while nothing else changed the state since
    (another device's action, a timer): an undo never throws away a later change.
    """
    if undo is None or now - undo.at > seconds or current != undo.after:
        raise Rejected("nothing_to_undo", "There is nothing to undo")
    return undo.before


def remaining(undo: Undo | None, now: float, seconds: float) -> float:
    """Seconds left to undo (0 when there is nothing to undo)."""
    return 0.0 if undo is None else max(0.0, seconds - (now - undo.at))
