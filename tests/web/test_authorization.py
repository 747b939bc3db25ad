"""Only the facilitator controls a session; projector and phones cannot."""
from __future__ import annotations

import pytest

from .helpers import connect, projector_key

CONTROL_EVENTS = [
    ("command", {"action": "start"}),
    ("command", {"action": "end"}),
    ("command", {"action": "lock"}),
    ("command", {"action": "remove", "participant": 1}),
    ("note", {"question": "", "text": "x"}),
    ("steps", {"items": [{"what": "x"}]}),
    ("report_link", {"enabled": True}),
]


@pytest.mark.parametrize("event,payload", CONTROL_EVENTS)
def test_participant_socket_sending_control_events_is_refused(room, event, payload):
    r = room()
    phone, _ = r.join("Mallory")
    before = r.app.extensions["workshop"].live.room(r.code).state
    ack = phone.emit(event, payload)
    assert ack == {"ok": False, "error": {"code": "not_allowed", "message": ack["error"]["message"]}}
    assert phone.wait("failed")["code"] == "not_allowed"
    assert r.app.extensions["workshop"].live.room(r.code).state == before


@pytest.mark.parametrize("event,payload", CONTROL_EVENTS[:3])
def test_projector_socket_cannot_control(room, event, payload):
    r = room()
    ack = r.screen.emit(event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "not_allowed"
    assert r.app.extensions["workshop"].live.room(r.code).state.stage == "lobby"


def test_facilitator_namespace_needs_the_token(app, socketio, new_session):
    session = new_session()
    for auth in ({"code": session["code"]}, {"code": session["code"], "token": "forged"},
                 {"code": session["code"], "token": session["facilitator_token"][:-1] + "x"}):
        inbox = connect(socketio, app, "facilitator", auth)
        assert not inbox.client.is_connected("/facilitator")


def test_facilitator_token_of_another_session_does_not_work(app, socketio, new_session):
    first, second = new_session(), new_session()
    inbox = connect(socketio, app, "facilitator", {"code": second["code"], "token": first["facilitator_token"]})
    assert not inbox.client.is_connected("/facilitator")


def test_screen_needs_its_key(app, socketio, new_session):
    session = new_session()
    assert not connect(socketio, app, "screen", {"code": session["code"], "key": "0" * 32}).client.is_connected("/screen")
    assert connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)}).client.is_connected("/screen")


def test_facilitator_cookie_from_the_manage_link_unlocks_the_socket(app, socketio, new_session):
    session = new_session()
    browser = app.test_client()
    assert browser.get(f"/s/{session['code']}/manage").status_code == 403
    response = browser.get(f"/s/{session['code']}/manage?t={session['facilitator_token']}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/s/{session['code']}/manage")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert browser.get(f"/s/{session['code']}/manage").status_code == 200
    inbox = connect(socketio, app, "facilitator", {"code": session["code"]}, flask_client=browser)
    assert inbox.client.is_connected("/facilitator")
    # The cookie is for that session only.
    other = new_session()
    assert not connect(socketio, app, "facilitator", {"code": other["code"]}, flask_client=browser).client.is_connected("/facilitator")


def test_wrong_facilitator_link_is_refused(client, new_session):
    session = new_session()
    response = client.get(f"/s/{session['code']}/manage?t=nope")
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers


def test_removed_participant_loses_access(room):
    r = room()
    phone, ack = r.join("Eve")
    r.command("start")
    assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["ok"]
    assert r.command("remove", participant=ack["me"]["id"])["ok"]
    assert not phone.client.is_connected("/participant")
    again = r.phone(ack["token"])
    assert not again.client.is_connected("/participant")
    live = r.facilitator.wait("live", lambda d: d["joined"] == 0)
    assert live["questions"]["begrippen"]["answered"] == 0  # its answers stop counting


def test_locked_session_refuses_new_participants_but_keeps_returning_ones(room):
    r = room()
    phone, ack = r.join("Anna")
    assert r.command("lock")["ok"]
    newcomer = r.phone()
    assert newcomer.emit("join", {})["error"]["code"] == "locked"
    returning = r.phone(ack["token"])
    snapshot = returning.wait("snapshot")
    assert snapshot["me"]["id"] == ack["me"]["id"]
    assert r.command("unlock")["ok"]
    assert r.phone().emit("join", {})["ok"]
