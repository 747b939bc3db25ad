"""Issue 22, from a client written from docs/protocol.md: undo never reaches past an action that cannot be undone,
and a note saved on a stale version never silently replaces another device's text."""
from __future__ import annotations

import pytest

from tests.support.server import ServerProcess

from .wire import RawSocket, create_session, session_state

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `workshop serve` process."""
    with ServerProcess(tmp_path_factory.mktemp("console") / "data") as running:
        yield running


def facilitator(server, session):
    """A facilitator socket of the session, as a second laptop or a script would open it."""
    sock = RawSocket(server.url)
    assert sock.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
    return sock


def joined(server, session, name):
    """A phone that joined; returns its participant id."""
    phone = RawSocket(server.url)
    try:
        assert phone.connect("/participant", {"code": session["code"]})["ok"]
        return phone.emit("/participant", "join", {"nickname": name})["me"]["id"]
    finally:
        phone.close()


def test_removing_a_person_offers_no_undo_and_undo_does_not_revert_the_start_before_it(server):
    session = create_session(server.url, title="Verwijderen")
    pid = joined(server, session, "Per ongeluk")
    fac = facilitator(server, session)
    try:
        started = fac.emit("/facilitator", "command", {"action": "start"})
        assert started["ok"] and started["undo"] > 0 and started["undoes"]["action"] == "start"
        removed = fac.emit("/facilitator", "command", {"action": "remove", "participant": pid})
        assert removed["ok"] and removed["undo"] == 0 and removed["undoes"] is None
        undone = fac.emit("/facilitator", "command", {"action": "undo"})
        assert not undone["ok"] and undone["error"]["code"] == "nothing_to_undo"
        state = session_state(server.url, session)["state"]
        assert state["stage"] == "running" and any(q["status"] == "open" for q in state["questions"])
    finally:
        fac.close()


@pytest.mark.parametrize("then", ["activity", "moderate"])
def test_an_activity_action_ends_the_undo_of_the_command_before_it(server, then):
    session = create_session(server.url, title="Activiteit")
    joined(server, session, "Anna")
    fac = facilitator(server, session)
    try:
        assert fac.emit("/facilitator", "command", {"action": "start"})["undoes"]["action"] == "start"
        if then == "activity":
            assert fac.emit("/facilitator", "activity", {"action": "open", "activity": "ideas"})["ok"]
        else:
            assert fac.emit("/facilitator", "activity", {"action": "auto_approve", "enabled": False})["ok"]
            assert fac.emit("/facilitator", "activity", {"action": "open", "activity": "ideas"})["ok"]
            idea = _idea(server, session)
            assert fac.emit("/facilitator", "command", {"action": "lock"})["undoes"]["action"] == "lock"
            assert fac.emit("/facilitator", "moderate", {"action": "approve", "idea": idea})["ok"]
        undone = fac.emit("/facilitator", "command", {"action": "undo"})
        assert not undone["ok"] and undone["error"]["code"] == "nothing_to_undo"
    finally:
        fac.close()


def _idea(server, session):
    """A new pending idea from a new phone; returns its id."""
    phone = RawSocket(server.url)
    try:
        assert phone.connect("/participant", {"code": session["code"]})["ok"]
        assert phone.emit("/participant", "join", {"nickname": "Bram"})["ok"]
        sent = phone.emit("/participant", "idea", {"text": "Een kleine stap", "prompt": "project"})
        assert sent["ok"], sent
        return sent["idea"]["id"]
    finally:
        phone.close()


def test_a_save_on_a_stale_version_keeps_both_texts_and_says_so_to_every_device(server):
    session = create_session(server.url, title="Notities")
    one, two = facilitator(server, session), facilitator(server, session)
    try:
        first = one.emit("/facilitator", "note", {"question": "", "text": "Laptop één: visie ontbreekt", "version": 0})
        assert first == {"ok": True, "text": "Laptop één: visie ontbreekt", "version": 1, "conflict": False}
        stale = two.emit("/facilitator", "note", {"question": "", "text": "Laptop twee: budget is krap", "version": 0})
        assert stale["ok"] and stale["conflict"] and stale["version"] == 2
        assert "Laptop één: visie ontbreekt" in stale["text"] and "Laptop twee: budget is krap" in stale["text"]
        echo = one.wait_for('42/facilitator,["note",{"question":"","text":"')  # its own save first
        heard = one.wait_for('42/facilitator,["note",{"question":"","text":"')
        assert '"version":1' in echo
        assert '"version":2' in heard and '"conflict":true' in heard
        cleared = one.emit("/facilitator", "note", {"question": "", "text": "", "version": 1})  # stale: no wipe
        assert cleared["text"] == stale["text"] and cleared["conflict"]
        tidy = one.emit("/facilitator", "note", {"question": "", "text": "Visie en budget", "version": 2})
        assert tidy == {"ok": True, "text": "Visie en budget", "version": 3, "conflict": False}
    finally:
        one.close()
        two.close()


@pytest.mark.parametrize("version", [-1, "1", 1.5, True, 2**60, None])
def test_a_version_that_is_not_a_count_is_refused_with_its_field(server, version):
    session = create_session(server.url, title="Versies")
    fac = facilitator(server, session)
    try:
        refused = fac.emit("/facilitator", "note", {"question": "", "text": "x", "version": version})
        assert not refused["ok"] and refused["error"]["code"] == "bad_request"
        assert refused["error"]["field"] == "version"
    finally:
        fac.close()
