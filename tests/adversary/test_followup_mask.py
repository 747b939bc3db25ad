"""The then-and-now view never shows the projector what its own screen would not: a new round reopens a question."""
from __future__ import annotations

from ..web.followup_helpers import run_session
from ..web.helpers import connect


def test_a_new_round_under_the_followup_view_hides_the_reopened_question_from_the_projector(app, socketio, client):
    earlier = run_session(app, socketio, client, title="Toen", organisation="De Waag", levels=[0, 1, 2])
    later = run_session(app, socketio, client, title="Nu", follows=earlier, levels=[1, 2, 3])
    fac = later["facilitator"]
    assert fac.emit("command", {"action": "view", "view": "followup"})["ok"]
    assert fac.emit("command", {"action": "new_round", "question": "kennis"})["ok"]  # running again
    phones = []
    for option in ("heel-weinig", "heel-weinig", "meeste-collegas"):
        phone = connect(socketio, app, "participant", {"code": later["code"]})
        assert phone.emit("join", {})["ok"]
        assert phone.emit("answer", {"question": "kennis", "option": option, "round": 2})["ok"]
        phones.append(phone)
    screen = connect(socketio, app, "screen", {"code": later["code"], "key": later["screen_key"]})
    snapshot = screen.wait("snapshot")
    # A new round puts the projector on its question (issue 11); the then-and-now data it still receives
    # must not carry the open round either.
    assert snapshot["state"]["view"] == "question" and snapshot["state"]["stage"] == "running"
    now = snapshot["followup"]["now"]
    assert now["questions"]["kennis"]["stats"] is None  # the open round's spread stays off the projector
    assert (now["group_phase"], now["median_total"], now["complete"]) == (None, None, None)  # sums over every question
    # The facilitator's own copy has everything.
    full = connect(socketio, app, "facilitator", {"code": later["code"], "token": later["facilitator_token"]})
    assert full.wait("snapshot")["followup"]["now"]["questions"]["kennis"]["stats"]["counts"] == [2, 0, 1]
