"""The projector's controls over Socket.IO: the timer closes its question at zero (also after a restart),
names and hidden results reach the projector masked."""
from __future__ import annotations

import time

import pytest

from workshop.core.questionnaire import default

FIRST = default().questions[0].id


@pytest.fixture
def app(make_app):
    """An app whose shortest timer is one second."""
    return make_app(TIMER_SECONDS="1,60")


def test_a_timer_closes_the_question_at_zero_and_every_phone_hears_it(room):
    r = room()
    phone, _ = r.join("Ans")
    assert r.command("start")["ok"]
    ack = r.command("timer", question=FIRST, seconds=1, reveal=False)
    assert ack["ok"], ack
    timer = ack["state"]["timer"]
    assert timer["question"] == FIRST and timer["deadline"] - timer["server_time"] == pytest.approx(1, abs=0.5)
    got = phone.wait("state", lambda s: s["timer"] is None and s["questions"][0]["status"] == "closed")
    assert got["focus"] == FIRST
    r.screen.wait("state", lambda s: s["questions"][0]["status"] == "closed")


def test_a_timer_may_reveal_and_only_offered_durations_start(room):
    r = room()
    r.command("start")
    bad = r.command("timer", question=FIRST, seconds=45)
    assert not bad["ok"] and bad["error"]["field"] == "seconds"
    assert not r.command("timer_expire")["ok"]  # the server's own action, never a client's
    assert r.command("timer", question=FIRST, seconds=1, reveal=True)["ok"]
    r.screen.wait("state", lambda s: s["questions"][0]["status"] == "revealed")


def test_adding_time_moves_the_deadline(room):
    r = room()
    r.command("start")
    first = r.command("timer", question=FIRST, seconds=60)["state"]["timer"]
    later = r.command("timer_add")["state"]["timer"]
    assert later["deadline"] == first["deadline"] + 30 and later["seconds"] == 90
    assert r.command("timer_stop")["state"]["timer"] is None


def test_a_restarted_server_still_closes_the_question(make_app, new_session, client):
    from .helpers import connect

    session = new_session()
    app = client.application
    app.extensions["workshop"].live.deadlines = None  # this server "stops" before the deadline: nobody watches
    fac = connect(app.extensions["socketio"], app, "facilitator",
                  {"code": session["code"], "token": session["facilitator_token"]})
    fac.emit("command", {"action": "start"})
    fac.emit("command", {"action": "timer", "question": FIRST, "seconds": 1})
    # A second app on the same data dir whose timers were never watched: restore() picks the stored one up.
    again = make_app(TIMER_SECONDS="1,60")
    svc = again.extensions["workshop"]
    assert svc.live.deadlines.restore() == 1
    deadline = time.monotonic() + 5
    while svc.live.room(session["code"]).state.questions[FIRST].status != "closed":
        assert time.monotonic() < deadline, "the restored timer did not close the question"
        time.sleep(0.05)
    assert svc.live.room(session["code"]).state.timer is None


def test_the_projector_gets_no_names_when_off_and_not_a_hidden_one(room):
    r = room()
    _, ans = r.join("Ans")
    r.join("Silly")
    r.screen.pull()
    assert r.command("hide_name", participant=ans["me"]["id"])["ok"]
    r.join("Bo")
    live = r.screen.wait("live", lambda d: d["joined"] == 3)
    assert live["names"] == ["Silly", "Bo"] and "name_ids" not in live
    assert r.command("names", names="off")["ok"]
    r.join("Cas")
    assert r.screen.wait("live", lambda d: d["joined"] == 4)["names"] == []
    assert not r.command("names", names="loud")["ok"]
    assert not r.command("hide_name", participant=999)["ok"]
