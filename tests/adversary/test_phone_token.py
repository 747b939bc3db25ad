"""A phone that connects with a token the session does not know is refused with `bad_token` (docs/protocol.md).

The phone page then forgets the token and joins afresh (tests/browser/test_phone_token.py); here the wire,
as any client sees it: a made-up token, another session's token and a removed participant's token.
"""
from __future__ import annotations

import pytest

from tests.support.server import ServerProcess

from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `workshop serve` process."""
    with ServerProcess(tmp_path_factory.mktemp("phone-token") / "data") as running:
        yield running


def joined(server, session, nickname):
    """Join a session from a fresh connection; return the join acknowledgement."""
    phone = RawSocket(server.url)
    try:
        assert phone.connect("/participant", {"code": session["code"]})["ok"]
        ack = phone.emit("/participant", "join", {"nickname": nickname})
        assert ack["ok"], ack
        return ack
    finally:
        phone.close()


def connect_phone(server, auth):
    """Connect /participant with some auth on a new connection; return (socket, connect reply)."""
    phone = RawSocket(server.url, query=f"&code={auth['code']}")
    return phone, phone.connect("/participant", auth)


@pytest.mark.parametrize("token", ["not-a-token", "x" * 32, 12345, ["a"], {"t": 1}, ""])
def test_a_made_up_token_is_refused_with_bad_token(server, token):
    session = create_session(server.url)
    phone, reply = connect_phone(server, {"code": session["code"], "token": token})
    try:
        assert not reply["ok"]
        assert reply["data"]["data"]["code"] == "bad_token", reply
        assert reply["data"]["message"]  # the text a client can show
    finally:
        phone.close()


def test_another_sessions_token_is_refused_and_a_fresh_join_follows(server):
    first, second = create_session(server.url), create_session(server.url)
    stale = joined(server, first, "Anna")["token"]
    phone, reply = connect_phone(server, {"code": second["code"], "token": stale})
    phone.close()
    assert not reply["ok"] and reply["data"]["data"]["code"] == "bad_token"
    # What the phone page does next: forget the token, connect as a visitor, join as someone new.
    phone, reply = connect_phone(server, {"code": second["code"], "token": None})
    try:
        assert reply["ok"], reply
        assert '"me":null' in phone.wait_for('42/participant,["snapshot"')
        fresh = phone.emit("/participant", "join", {"nickname": "Anna"})
        assert fresh["ok"] and fresh["token"] != stale
    finally:
        phone.close()
    # The new token rebinds; the first session still knows its own participant.
    for session, token in ((second, fresh["token"]), (first, stale)):
        again, reply = connect_phone(server, {"code": session["code"], "token": token})
        try:
            assert reply["ok"], reply
            assert '"nickname":"Anna"' in again.wait_for('42/participant,["snapshot"')
        finally:
            again.close()


def test_a_removed_participants_token_is_refused_with_removed(server):
    session = create_session(server.url)
    ack = joined(server, session, "Bram")
    facilitator = RawSocket(server.url, query=f"&code={session['code']}")
    try:
        assert facilitator.connect("/facilitator", {"code": session["code"],
                                                    "token": session["facilitator_token"]})["ok"]
        assert facilitator.emit("/facilitator", "command", {"action": "remove", "participant": ack["me"]["id"]})["ok"]
    finally:
        facilitator.close()
    phone, reply = connect_phone(server, {"code": session["code"], "token": ack["token"]})
    phone.close()
    assert not reply["ok"] and reply["data"]["data"]["code"] == "removed"


def test_a_wrong_token_on_an_ended_session_says_bad_token_then_session_ended(server):
    session = create_session(server.url)
    facilitator = RawSocket(server.url, query=f"&code={session['code']}")
    try:
        assert facilitator.connect("/facilitator", {"code": session["code"],
                                                    "token": session["facilitator_token"]})["ok"]
        for action in ("start", "end"):
            assert facilitator.emit("/facilitator", "command", {"action": action})["ok"]
    finally:
        facilitator.close()
    codes = []
    for auth in ({"code": session["code"], "token": "stale"}, {"code": session["code"]}):
        phone, reply = connect_phone(server, auth)
        phone.close()
        codes.append(reply["ok"] or reply["data"]["data"]["code"])
    assert codes == ["bad_token", "session_ended"]
