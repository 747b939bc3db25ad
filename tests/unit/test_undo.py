"""Undo of the last control action (issue 11, point 4): the previous state, for UNDO_SECONDS, never over a later change."""
from __future__ import annotations

import pytest

from workshop.core import state as sm
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.state import Rejected
from workshop.live.service import Live
from workshop.settings import Settings


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        """Start at 100 s."""
        self.now = 100.0

    def __call__(self) -> float:
        """The current time."""
        return self.now


@pytest.fixture
def live(make_store):
    """A live service on its own database with a hand-moved clock."""
    clock = Clock()
    service = Live(make_store(), default_questionnaire(), Settings(), monotonic=clock)
    service.test_clock = clock
    yield service
    service.store.close()


@pytest.fixture
def room(live):
    """A started paced session."""
    room, _token = live.create("Undo")
    live.command(room, "start")
    return room


@pytest.mark.parametrize("action, question", [
    ("next", None), ("prev", None), ("results", None), ("close", 0), ("reveal", 0), ("view", None),
    ("new_round", 1), ("end", None),
])
def test_undo_restores_the_state_before_the_last_action(live, room, action, question):
    if action == "new_round":
        live.command(room, "reveal", question=room.state.order[0])
    if action == "prev":
        live.command(room, "next")
    before = room.state
    q = room.state.order[question] if question == 0 else room.state.focus if question == 1 else None
    live.command(room, action, question=q, view="disciplines" if action == "view" else None)
    assert room.state != before
    assert live.undo_seconds(room) == pytest.approx(10.0)
    assert live.command(room, "undo") == before
    stored = sm.SessionState.from_dict(__import__("json").loads(live.store.session(room.code)["state"]))
    assert stored == before  # committed, so a restart keeps the undone state


def test_undo_works_for_the_window_only(live, room):
    live.command(room, "next")
    live.test_clock.now += 10.5
    assert live.undo_seconds(room) == 0
    with pytest.raises(Rejected) as caught:
        live.command(room, "undo")
    assert caught.value.code == "nothing_to_undo"


def test_undo_is_once_and_never_undoes_itself(live, room):
    before = room.state
    live.command(room, "next")
    assert live.command(room, "undo") == before
    with pytest.raises(Rejected):
        live.command(room, "undo")


def test_a_later_change_ends_the_undo_of_an_earlier_one(live, room):
    live.command(room, "next")
    after_next = room.state
    live.command(room, "lock")
    assert live.command(room, "undo") == after_next  # only the lock is undone
    with pytest.raises(Rejected):
        live.command(room, "undo")


def test_a_refused_or_empty_action_keeps_the_undo(live, room):
    before = room.state
    live.command(room, "next")
    with pytest.raises(Rejected):
        live.command(room, "new_round", question=room.state.focus)  # open: refused
    live.command(room, "view", view=room.state.view)  # changes nothing
    assert live.command(room, "undo") == before
