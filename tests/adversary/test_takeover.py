"""Finding 1: two namespaces on one Engine.IO connection must not let one session's facilitator act on another."""
from __future__ import annotations

import json

import pytest
import requests

from tests.support.server import ServerProcess

from .wire import RawSocket, create_session, session_state

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `workshop serve` process."""
    with ServerProcess(tmp_path_factory.mktemp("takeover") / "data") as running:
        yield running


def victim_with_a_participant(server):
    """A victim's session in the lobby with one joined phone; returns (session, participant id)."""
    victim = create_session(server.url, title="Slachtoffer")
    phone = RawSocket(server.url)
    try:
        assert phone.connect("/participant", {"code": victim["code"]})["ok"]
        joined = phone.emit("/participant", "join", {"nickname": "Echte deelnemer"})
        assert joined["ok"], joined
        return victim, joined["me"]["id"]
    finally:
        phone.close()


def facilitator_snapshot(server, session):
    """What the victim's own facilitator sees: state, notes, steps, report link, roster."""
    own = RawSocket(server.url)
    try:
        assert own.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        frame = own.wait_for('42/facilitator,["snapshot"')
        return json.loads(frame[len("42/facilitator,"):])[1]
    finally:
        own.close()


@pytest.mark.parametrize("order", ["facilitator_first", "participant_first"])
def test_facilitator_events_act_only_on_the_session_the_facilitator_namespace_authenticated(server, order):
    victim, victim_pid = victim_with_a_participant(server)
    before = facilitator_snapshot(server, victim)
    own = create_session(server.url, title="Aanvaller")
    attacker = RawSocket(server.url)
    try:
        namespaces = [("/facilitator", {"code": own["code"], "token": own["facilitator_token"]}),
                      ("/participant", {"code": victim["code"]})]
        for namespace, auth in (namespaces if order == "facilitator_first" else namespaces[::-1]):
            assert attacker.connect(namespace, auth)["ok"]
        replies = {
            "start": attacker.emit("/facilitator", "command", {"action": "start"}),
            "note": attacker.emit("/facilitator", "note", {"question": "", "text": "overgenomen"}),
            "steps": attacker.emit("/facilitator", "steps", {"items": [{"what": "overgenomen"}]}),
            "report_link": attacker.emit("/facilitator", "report_link", {"enabled": True}),
            "remove": attacker.emit("/facilitator", "command", {"action": "remove", "participant": victim_pid}),
            "end": attacker.emit("/facilitator", "command", {"action": "end"}),
        }
    finally:
        attacker.close()

    # The commands went to the attacker's own session ...
    assert replies["start"]["ok"] and replies["start"]["state"]["code"] == own["code"]
    assert replies["end"]["ok"] and replies["end"]["state"]["code"] == own["code"]
    assert session_state(server.url, own)["state"]["stage"] == "ended"
    assert f"/r/{own['code']}/" in replies["report_link"]["report"]["url"]
    # ... where the victim's participant id is unknown.
    assert replies["remove"]["ok"] is False and replies["remove"]["error"]["code"] == "unknown_participant"

    # The victim's session is exactly as it was.
    after = facilitator_snapshot(server, victim)
    assert after["state"]["stage"] == before["state"]["stage"] == "lobby"
    assert after["notes"] == before["notes"] and after["steps"] == before["steps"] == []
    assert after["report"] == before["report"] == {"enabled": False, "url": None}
    assert [p["id"] for p in after["roster"]["participants"]] == [victim_pid]
    # The report link the attacker got does not open the victim's summary.
    report = requests.get(replies["report_link"]["report"]["url"].replace(own["code"], victim["code"]), timeout=5)
    assert report.status_code == 404


def test_a_phone_on_a_shared_connection_answers_in_its_own_session(server):
    victim = create_session(server.url, title="Eigen sessie", pacing="self")
    other = create_session(server.url, title="Andere sessie", pacing="self")
    boss = RawSocket(server.url)
    try:
        assert boss.connect("/facilitator", {"code": victim["code"], "token": victim["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", {"action": "start"})["ok"]
    finally:
        boss.close()
    shared = RawSocket(server.url)
    try:
        assert shared.connect("/participant", {"code": victim["code"]})["ok"]
        assert shared.connect("/facilitator", {"code": other["code"], "token": other["facilitator_token"]})["ok"]
        joined = shared.emit("/participant", "join", {"nickname": "Telefoon"})
        answered = shared.emit("/participant", "answer", {"question": "begrippen", "option": "nooit", "round": 1})
    finally:
        shared.close()
    assert joined["ok"] and answered["ok"], (joined, answered)
    victim_roster = facilitator_snapshot(server, victim)["roster"]["participants"]
    other_roster = facilitator_snapshot(server, other)["roster"]["participants"]
    assert [p["nickname"] for p in victim_roster] == ["Telefoon"] and other_roster == []


def test_another_sessions_token_or_projector_key_opens_nothing(server):
    victim = create_session(server.url, title="Slachtoffer")
    own = create_session(server.url, title="Aanvaller")
    attacker = RawSocket(server.url)
    try:
        refused = attacker.connect("/facilitator", {"code": victim["code"], "token": own["facilitator_token"]})
        assert not refused["ok"] and refused["data"]["data"]["code"] == "bad_token"
        own_key = own["projector_url"].split("k=")[1]
        refused = attacker.connect("/screen", {"code": victim["code"], "key": own_key})
        assert not refused["ok"] and refused["data"]["data"]["code"] == "bad_key"
    finally:
        attacker.close()
    bearer = {"Authorization": f"Bearer {own['facilitator_token']}"}
    for path in (f"/api/sessions/{victim['code']}", f"/api/sessions/{victim['code']}/summary"):
        assert requests.get(server.url + path, headers=bearer, timeout=5).status_code == 403


def test_http_routes_bind_the_session_in_the_address_to_that_sessions_own_secret(server):
    victim = create_session(server.url, title="Slachtoffer")
    own = create_session(server.url, title="Aanvaller")
    with requests.Session() as browser:  # the attacker's browser, signed in as facilitator of its own session
        assert browser.get(own["facilitator_url"], timeout=5).status_code == 200
        assert browser.get(f"{server.url}/s/{own['code']}/export.json", timeout=5).status_code == 200
        for path in (f"/s/{victim['code']}/manage", f"/s/{victim['code']}/export.json",
                     f"/s/{victim['code']}/export.xlsx",
                     f"/s/{victim['code']}/screen?k={own['projector_url'].split('k=')[1]}",
                     f"/s/{victim['code']}/manage?t={own['facilitator_token']}"):
            assert browser.get(server.url + path, timeout=5).status_code == 403, path
