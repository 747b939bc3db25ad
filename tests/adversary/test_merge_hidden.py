"""Issue 20, finding 11: merging into a hidden (or pending) idea published it to every phone and the projector.

A merge target must be approved: the server refuses any other with `merge_target_not_approved`, the
facilitator's list names only approved ideas as targets, and a rejected text never leaves the server.
"""
from __future__ import annotations

import pytest

from tests.support.server import ServerProcess

from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration

FAC, SCREEN, PHONE = "/facilitator", "/screen", "/participant"
SECRET = "Afgekeurde tekst die niemand mag zien"
PENDING = "Nog niet beoordeeld idee"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server."""
    with ServerProcess(tmp_path_factory.mktemp("merge") / "data") as running:
        yield running


def idea(phone: RawSocket, text: str) -> int:
    """Submit an idea from a phone; return its id."""
    ack = phone.emit(PHONE, "idea", {"text": text, "prompt": "project"})
    assert ack["ok"], ack
    return ack["idea"]["id"]


def test_a_hidden_or_pending_idea_is_never_a_merge_target_and_its_text_stays_on_the_server(server):
    session = create_session(server.url)
    code = session["code"]
    fac, screen, author, rater = (RawSocket(server.url) for _ in range(4))
    try:
        assert fac.connect(FAC, {"code": code, "token": session["facilitator_token"]})["ok"]
        assert screen.connect(SCREEN, {"code": code, "key": session["projector_url"].split("k=", 1)[1]})["ok"]
        for phone, name in ((author, "Anna"), (rater, "Bert")):
            assert phone.connect(PHONE, {"code": code})["ok"]
            assert phone.emit(PHONE, "join", {"nickname": name})["ok"]
        assert fac.emit(FAC, "activity", {"action": "auto_approve", "enabled": True})["ok"]  # until the hidden one
        assert fac.emit(FAC, "activity", {"action": "open", "activity": "ideas"})["ok"]
        original = idea(author, "Een podcast over de collectie")
        secret = idea(rater, SECRET)
        assert fac.emit(FAC, "moderate", {"action": "hide", "idea": secret})["ok"]
        assert fac.emit(FAC, "activity", {"action": "auto_approve", "enabled": False})["ok"]
        pending = idea(rater, PENDING)

        for target in (secret, pending):
            refused = fac.emit(FAC, "moderate", {"action": "merge", "idea": original, "target": target})
            assert refused["ok"] is False and refused["error"]["code"] == "merge_target_not_approved", refused
            assert refused["error"]["field"] == "target"
        view = fac.emit(FAC, "activity", {"action": "show", "activity": "ideas"})["activities"]
        statuses = {i["id"]: i["status"] for i in view["ideas"]}
        assert statuses == {original: "approved", secret: "hidden", pending: "pending"}
        assert view["merge_targets"] == [original]  # what the page offers in its merge list

        # The other way round still works: a pending idea merges into the approved one, which stays approved.
        assert fac.emit(FAC, "moderate", {"action": "merge", "idea": pending, "target": original})["ok"]
        after = {i["id"]: i for i in fac.emit(FAC, "activity", {"action": "show", "activity": "ideas"})
                 ["activities"]["ideas"]}
        assert after[original]["status"] == "approved" and after[original]["authors"] == 2
        assert after[secret]["status"] == "hidden"

        for watcher in (screen, author):  # the rater wrote both texts: its own list shows them to it alone
            seen = "".join(watcher.drain(0.7))
            assert SECRET not in seen and PENDING not in seen
            assert "Een podcast over de collectie" in seen  # the drain did read what reached this socket
    finally:
        for s in (fac, screen, author, rater):
            s.close()
