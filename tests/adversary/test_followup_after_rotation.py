"""Issue 20, finding 6: a follow-up must not keep reading the earlier session after its owner rotated the links.

Whoever held session A's facilitator link once could create B with `follows: A`; every facilitator connect
to B returned A's facilitator-level then-and-now side (per-option counts of A's open question) for ever.
Now B shows only what A's projector may show, and A's owner sees A's follow-ups and can detach them
(socket event `detach_followup`, API `GET/DELETE /api/sessions/A/followups[/B]`).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from tests.support.server import ROOT, ServerProcess

from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `workshop serve` process."""
    with ServerProcess(tmp_path_factory.mktemp("followup") / "data") as running:
        yield running


def snapshot(server, code: str, token: str) -> dict:
    """A facilitator connect's snapshot."""
    sock = RawSocket(server.url)
    try:
        assert sock.connect("/facilitator", {"code": code, "token": token})["ok"]
        frame = sock.wait_for('42/facilitator,["snapshot"')
        return json.loads(frame[len("42/facilitator,"):])[1]
    finally:
        sock.close()


def earlier_session_with_open_answers(server) -> dict:
    """The owner's session A: started, three phones answered the open first question, nothing revealed."""
    a = create_session(server.url, title="Eerdere sessie", pacing="paced")
    owner = RawSocket(server.url)
    phones = [RawSocket(server.url) for _ in range(3)]
    try:
        assert owner.connect("/facilitator", {"code": a["code"], "token": a["facilitator_token"]})["ok"]
        assert owner.emit("/facilitator", "command", {"action": "start"})["ok"]
        for phone, option in zip(phones, ("nooit", "nooit", "dagelijks")):
            assert phone.connect("/participant", {"code": a["code"]})["ok"]
            assert phone.emit("/participant", "join", {})["ok"]
            assert phone.emit("/participant", "answer", {"question": "begrippen", "option": option, "round": 1})["ok"]
    finally:
        for sock in (owner, *phones):
            sock.close()
    return a


def rotate(server, code: str) -> str:
    """`workshop sessions link CODE --rotate` in another process; the owner's new token."""
    done = subprocess.run([sys.executable, "-m", "workshop", "sessions", "--data-dir", str(server.data_dir), "link",
                           code, "--rotate", "--yes"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split("?t=", 1)[1]


def test_a_followup_shows_only_the_earlier_projector_view_and_its_owner_can_detach_it(server):
    a = earlier_session_with_open_answers(server)
    assert snapshot(server, a["code"], a["facilitator_token"])["live"]["questions"]["begrippen"]["rounds"]
    # The attacker held A's link once and makes follow-ups of it.
    b = create_session(server.url, title="Vervolg van de aanvaller", follows=a["code"], follows_token=a["facilitator_token"])
    c = create_session(server.url, title="Nog een vervolg", follows=a["code"], follows_token=a["facilitator_token"])
    a_token = rotate(server, a["code"])

    then = snapshot(server, b["code"], b["facilitator_token"])["followup"]["then"]
    assert then["questions"]["begrippen"]["stats"] is None  # A's projector has not been shown the open question
    assert then["group_phase"] is None and then["median_total"] is None

    # A's owner sees the follow-ups and detaches them: one from the page's socket, one through the API.
    listed = snapshot(server, a["code"], a_token)["followups"]
    assert [f["code"] for f in listed] == [b["code"], c["code"]]
    owner = RawSocket(server.url)
    try:
        assert owner.connect("/facilitator", {"code": a["code"], "token": a_token})["ok"]
        reply = owner.emit("/facilitator", "detach_followup", {"code": b["code"]})
        assert reply["ok"] and [f["code"] for f in reply["followups"]] == [c["code"]]
        again = owner.emit("/facilitator", "detach_followup", {"code": b["code"]})
        assert not again["ok"] and again["error"]["code"] == "unknown_session"
    finally:
        owner.close()
    bearer = {"Authorization": f"Bearer {a_token}"}
    api = f"{server.url}/api/sessions/{a['code']}/followups"
    assert [f["code"] for f in requests.get(api, headers=bearer, timeout=5).json()["followups"]] == [c["code"]]
    stolen = {"Authorization": f"Bearer {b['facilitator_token']}"}  # the attacker's own token is not A's
    assert requests.delete(f"{api}/{c['code']}", headers=stolen, timeout=5).status_code == 403
    assert requests.get(api, headers={"Authorization": f"Bearer {a['facilitator_token']}"}, timeout=5).status_code == 403
    detached = requests.delete(f"{api}/{c['code']}", headers=bearer, timeout=5)
    assert detached.status_code == 200 and detached.json()["followups"] == []
    assert requests.delete(f"{api}/{c['code']}", headers=bearer, timeout=5).status_code == 404

    for followup in (b, c):  # neither follow-up reads anything of A any more
        assert snapshot(server, followup["code"], followup["facilitator_token"])["followup"] is None
