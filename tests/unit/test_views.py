"""The views of a live room: one pure function each, the aggregate per audience, the headline phase."""
from __future__ import annotations

import pytest

from workshop.settings import Settings
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.tally import headline, mask_for_screen
from workshop.live import views
from workshop.live.service import Live


@pytest.fixture
def room_with_answers(make_store):
    """A self-paced session where two participants answered every question with its first option."""
    live = Live(make_store("FULL"), default_questionnaire(), Settings())
    room, _ = live.create("Proef", "self")
    live.command(room, "start")
    for name in ("Anna", "Bram"):
        member, _ = live.join(room, name)
        for question in live.questionnaire.questions:
            live.answer(room, member.id, question.id, question.options[0].id, 1)
    return live, room


def test_headline_is_the_agreed_phase_else_the_group_phase():
    plain = {"split": False, "largest": []}
    assert headline({"consensus_phase": "ik-kan", "group_phase": "ik-zie"}) == {"phase": "ik-kan", "agreed": True, **plain}
    assert headline({"consensus_phase": None, "group_phase": "ik-zie"}) == {"phase": "ik-zie", "agreed": False, **plain}
    assert headline({"consensus_phase": None, "group_phase": None}) == {"phase": None, "agreed": False, **plain}
    assert headline(None) == {"phase": None, "agreed": False, **plain}


def test_the_facilitators_aggregate_carries_the_headline(room_with_answers):
    live, room = room_with_answers
    full = views.aggregate(room, "facilitator", min_group_size=3)
    assert full["joined"] == 2
    assert full["results"]["headline"] == headline(full["results"])
    assert full["results"]["headline"]["agreed"] is False and full["results"]["headline"]["phase"] is not None


def test_the_projectors_aggregate_is_the_masked_one(room_with_answers):
    live, room = room_with_answers
    full = views.aggregate(room, "facilitator", min_group_size=3)
    projector = views.aggregate(room, "projector", min_group_size=3)
    assert projector == mask_for_screen(full, room.state)
    assert projector["results"] is None  # nothing revealed yet
    assert views.aggregate(room, "projector", min_group_size=3, full=full) == projector
    for question in live.questionnaire.questions:
        live.command(room, "reveal", question=question.id)
    live.command(room, "results")
    shown = views.aggregate(room, "projector", min_group_size=3)
    assert shown["results"]["headline"] == full["results"]["headline"]


def test_an_unknown_audience_is_a_programming_error(room_with_answers):
    _live, room = room_with_answers
    with pytest.raises(ValueError):
        views.aggregate(room, "phones", min_group_size=3)


def test_screen_state_adds_agreed_answers_and_the_join_address_to_the_public_state(room_with_answers):
    _live, room = room_with_answers
    public = views.public_state(room)
    screen = views.screen_state(room, "http://x/j/ABC", True)
    assert screen["join_url"] == "http://x/j/ABC" and screen["join_url_local"] is True
    assert [{k: v for k, v in q.items() if k not in ("agreed", "allowed")} for q in screen["questions"]] == public["questions"]
    assert "agreed" not in public["questions"][0]


def test_me_result_and_roster(room_with_answers):
    live, room = room_with_answers
    pid = next(iter(room.tally.members))
    assert views.me(room, pid)["nickname"] == "Anna"
    assert views.result(room, pid) is None  # not before the session shows results
    live.connected(room, pid)
    roster = views.roster(room)
    assert roster["count"] == 2 and [p["connected"] for p in roster["participants"]] == [False, True]
    live.command(room, "results")
    assert views.result(room, pid)["complete"] is True
