"""Limits: allowed origins, message size, rate limits on join and answer, the participant cap, lock and remove."""
from __future__ import annotations

import json

import pytest
import requests
import websocket

from tests.support.server import ServerProcess
from workshop.app import allowed_origin
from workshop.web import sockets

from .helpers import db_fingerprint

ANSWER = {"question": "begrippen", "option": "nooit", "round": 1}


def connect(socketio, app, role, auth):
    """A Socket.IO test client for a role."""
    return socketio.test_client(app, namespace=f"/{role}", auth=auth, flask_test_client=app.test_client())


def ack(client, event, data=None):
    """Emit on the client's namespace and return the acknowledgement."""
    ns = next(iter(client.connected))
    return client.emit(event, data, namespace=ns, callback=True)


def started_session(app, pacing="self"):
    """Create and start a session; return its API reply and the facilitator client."""
    socketio = app.extensions["socketio"]
    s = app.test_client().post("/api/sessions", json={"title": "Limits", "pacing": pacing}).get_json()
    fac = connect(socketio, app, "facilitator", {"code": s["code"], "token": s["facilitator_token"]})
    assert ack(fac, "command", {"action": "start"})["ok"]
    return s, fac


def joined_phone(app, code, nickname=None):
    """A connected phone that has joined; returns (client, join ack)."""
    phone = connect(app.extensions["socketio"], app, "participant", {"code": code})
    reply = ack(phone, "join", {"nickname": nickname})
    assert reply["ok"], reply
    return phone, reply


# Origins

def test_socketio_never_allows_every_origin(app):
    allowed = app.extensions["socketio"].server.eio.cors_allowed_origins
    assert allowed != "*" and callable(allowed)


@pytest.mark.parametrize("public_url,origin,ok", [
    (None, "http://192.168.1.20:5000", True),      # the page's own origin (Host header)
    (None, None, True),                             # not a browser: no Origin header
    (None, "http://evil.example", False),
    (None, "http://192.168.1.20:5001", False),
    (None, "https://192.168.1.20:5000", False),
    (None, "null", False),                          # sandboxed frames, file:// pages
    ("https://workshop.example/", "https://workshop.example", True),
    ("https://workshop.example/", "http://workshop.example", False),
    ("https://workshop.example/", "https://workshop.example.evil.example", False),
])
def test_origin_check(public_url, origin, ok):
    check = allowed_origin(public_url)
    assert check(origin, {"wsgi.url_scheme": "http", "HTTP_HOST": "192.168.1.20:5000"}) is ok


@pytest.mark.parametrize("origin,status", [("http://localhost", 200), ("http://evil.example", 400), ("null", 400)])
def test_polling_handshake_with_a_foreign_origin_is_refused(app, origin, status):
    r = app.test_client().get("/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    assert r.status_code == status
    if status == 400:
        assert "Access-Control-Allow-Origin" not in r.headers


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    """One real `workshop serve` process for the tests that need real transports."""
    server = ServerProcess(tmp_path_factory.mktemp("limits") / "data").start()
    yield server
    server.stop()


def ws_url(server):
    """The raw Engine.IO websocket endpoint of the server."""
    return server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


@pytest.mark.integration
def test_websocket_handshake_with_a_foreign_origin_is_refused(real_server):
    foreign = websocket.WebSocket()
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            foreign.connect(ws_url(real_server), origin="http://evil.example", timeout=5)
        assert refused.value.status_code == 400
    finally:
        foreign.shutdown()
    own = websocket.create_connection(ws_url(real_server), origin=real_server.url, timeout=5)
    try:
        assert own.recv().startswith("0{")  # the Engine.IO open packet
    finally:
        own.close()
        own.shutdown()
    with requests.Session() as http:
        polling = http.get(real_server.url + "/socket.io/?EIO=4&transport=polling",
                           headers={"Origin": "http://evil.example"}, timeout=5)
        assert polling.status_code == 400


# Message size

LIMIT = __import__("workshop.settings", fromlist=["defaults"]).defaults()["MAX_MESSAGE_BYTES"]

def raw_phone(server, code):
    """A raw websocket speaking Engine.IO/Socket.IO, connected to /participant as a visitor."""
    ws = websocket.create_connection(ws_url(server), timeout=5)
    opened = json.loads(ws.recv()[1:])
    assert opened["maxPayload"] == LIMIT  # MAX_MESSAGE_BYTES, advertised to clients
    ws.send("40/participant," + json.dumps({"code": code}))
    frames = [ws.recv(), ws.recv()]  # the connect ack and the snapshot (the snapshot may come first)
    assert any(f.startswith("40/participant,") for f in frames) and any("snapshot" in f for f in frames), frames
    return ws


@pytest.mark.integration
def test_messages_over_the_size_limit_are_refused_on_websocket_and_polling(real_server):
    with requests.Session() as http:
        session = http.post(real_server.url + "/api/sessions", json={"title": "Size"}, timeout=5).json()
    db = real_server.data_dir / "workshop.sqlite3"

    ws = raw_phone(real_server, session["code"])
    try:
        fits = "42/participant,1" + json.dumps(["join", {"nickname": "Anna", "pad": "x" * (LIMIT - 200)}])
        assert len(fits.encode()) < LIMIT
        ws.send(fits)
        reply = ws.recv()
        assert reply.startswith("43/participant,1") and json.loads(reply.split(",", 1)[1][1:])[0]["ok"]
    finally:
        ws.close()
        ws.shutdown()  # close() leaves the socket open once the server has hung up

    before = db_fingerprint(db)
    ws = raw_phone(real_server, session["code"])
    try:
        ws.send("42/participant,1" + json.dumps(["join", {"nickname": "Bert", "pad": "x" * (LIMIT + 1000)}]))
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
            while True:  # the server closes the socket instead of answering
                frame = ws.recv()
                assert not frame.startswith("43"), frame
                if frame == "":
                    raise websocket.WebSocketConnectionClosedException("closed")
    finally:
        ws.close()
        ws.shutdown()  # close() leaves the socket open once the server has hung up
    assert db_fingerprint(db) == before

    with requests.Session() as http:
        handshake = http.get(real_server.url + "/socket.io/?EIO=4&transport=polling", timeout=5)
        sid = json.loads(handshake.text[1:])["sid"]
        big = http.post(f"{real_server.url}/socket.io/?EIO=4&transport=polling&sid={sid}",
                        data="4" + "x" * (LIMIT + 1000), timeout=5)
        assert big.status_code == 413  # answered at once (python-engineio alone would hang this request)
        assert http.get(real_server.url + "/healthz", timeout=5).status_code == 200  # still serving
    assert db_fingerprint(db) == before


def test_http_bodies_over_the_limit_are_refused(client):
    r = client.post("/api/sessions", data=json.dumps({"title": "x" * 20_000}), content_type="application/json")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"


# Rate limits

def test_joins_are_limited_per_address(make_app):
    app = make_app(RATE_JOIN=(2, 60.0))
    s, _ = started_session(app)
    joined_phone(app, s["code"])
    joined_phone(app, s["code"])
    before = db_fingerprint(app.extensions["workshop"].config.data_dir + "/workshop.sqlite3")
    third = connect(app.extensions["socketio"], app, "participant", {"code": s["code"]})
    assert ack(third, "join", {})["error"]["code"] == "rate_limited"
    assert db_fingerprint(app.extensions["workshop"].config.data_dir + "/workshop.sqlite3") == before


def test_joins_from_another_address_are_not_affected(make_app, monkeypatch):
    app = make_app(RATE_JOIN=(1, 60.0))
    s, _ = started_session(app)
    address = {"value": "10.0.0.1"}
    monkeypatch.setattr(sockets, "client_address", lambda: address["value"])
    joined_phone(app, s["code"])
    blocked = connect(app.extensions["socketio"], app, "participant", {"code": s["code"]})
    assert ack(blocked, "join", {})["error"]["code"] == "rate_limited"
    address["value"] = "10.0.0.2"
    joined_phone(app, s["code"])


def test_join_attempts_are_limited_per_connection(make_app):
    app = make_app(RATE_JOIN_CONNECTION=(2, 60.0))
    s, _ = started_session(app)
    phone = connect(app.extensions["socketio"], app, "participant", {"code": s["code"]})
    for _ in range(2):
        assert ack(phone, "join", {"nickname": "x" * 41})["error"]["code"] == "bad_nickname"
    assert ack(phone, "join", {"nickname": "Anna"})["error"]["code"] == "rate_limited"
    joined_phone(app, s["code"])  # another connection still may


def test_answers_are_limited_per_participant(make_app):
    app = make_app(RATE_ANSWER=(3, 60.0))
    s, _ = started_session(app)
    phone, joined = joined_phone(app, s["code"])
    for _ in range(3):
        assert ack(phone, "answer", ANSWER)["ok"]
    db = app.extensions["workshop"].config.data_dir + "/workshop.sqlite3"
    before = db_fingerprint(db)
    refused = ack(phone, "answer", {**ANSWER, "option": "dagelijks"})
    assert refused["error"]["code"] == "rate_limited"
    assert db_fingerprint(db) == before
    again = connect(app.extensions["socketio"], app, "participant", {"code": s["code"], "token": joined["token"]})
    refused = ack(again, "answer", {**ANSWER, "option": "dagelijks"})  # a new connection shares the budget
    assert refused["error"]["code"] == "rate_limited"
    other, _ = joined_phone(app, s["code"])
    assert ack(other, "answer", {**ANSWER, "option": "dagelijks"})["ok"]  # another participant has its own


def test_answers_are_limited_per_address(make_app, monkeypatch):
    app = make_app(RATE_ANSWER_ADDRESS=(3, 60.0))
    s, _ = started_session(app)
    address = {"value": "10.0.0.1"}
    monkeypatch.setattr(sockets, "client_address", lambda: address["value"])
    phones = [joined_phone(app, s["code"])[0] for _ in range(2)]
    assert ack(phones[0], "answer", ANSWER)["ok"] and ack(phones[0], "answer", ANSWER)["ok"]
    assert ack(phones[1], "answer", ANSWER)["ok"]
    assert ack(phones[1], "answer", ANSWER)["error"]["code"] == "rate_limited"  # reconnecting does not help
    address["value"] = "10.0.0.2"
    assert ack(phones[1], "answer", ANSWER)["ok"]


def test_rate_limits_have_safe_defaults():
    from workshop import settings

    d = settings.defaults()
    for name in ("RATE_JOIN", "RATE_JOIN_CONNECTION", "RATE_ANSWER", "RATE_ANSWER_ADDRESS", "RATE_LOOKUP"):
        count, window = d[name]
        assert 0 < count < 10_000 and window >= 10
    assert 1024 <= d["MAX_MESSAGE_BYTES"] <= 8192 and d["MAX_PARTICIPANTS"] > 0  # a few KB, not 1 MB


# Participant cap, lock and remove

def test_a_session_takes_at_most_max_participants(make_app):
    app = make_app(MAX_PARTICIPANTS=2)
    s, fac = started_session(app)
    _, first = joined_phone(app, s["code"])
    joined_phone(app, s["code"])
    extra = connect(app.extensions["socketio"], app, "participant", {"code": s["code"]})
    assert ack(extra, "join", {})["error"]["code"] == "full"
    assert ack(fac, "command", {"action": "remove", "participant": first["me"]["id"]})["ok"]
    assert ack(extra, "join", {})["ok"]  # a removed participant frees its place


def test_the_facilitator_can_lock_joining(app):
    s, fac = started_session(app)
    _, joined = joined_phone(app, s["code"])
    assert ack(fac, "command", {"action": "lock"})["ok"]
    db = app.extensions["workshop"].config.data_dir + "/workshop.sqlite3"
    before = db_fingerprint(db)
    late = connect(app.extensions["socketio"], app, "participant", {"code": s["code"]})
    assert ack(late, "join", {"nickname": "Late"})["error"]["code"] == "locked"
    assert db_fingerprint(db) == before
    back = connect(app.extensions["socketio"], app, "participant", {"code": s["code"], "token": joined["token"]})
    assert back.is_connected("/participant")  # people already in keep their place
    assert ack(back, "answer", ANSWER)["ok"]
    assert ack(fac, "command", {"action": "unlock"})["ok"]
    assert ack(late, "join", {"nickname": "Late"})["ok"]


def test_a_removed_participant_is_out_and_cannot_rejoin_with_its_token(app):
    socketio = app.extensions["socketio"]
    s, fac = started_session(app)
    phone, joined = joined_phone(app, s["code"], "Mallory")
    assert ack(phone, "answer", ANSWER)["ok"]
    assert ack(fac, "command", {"action": "remove", "participant": joined["me"]["id"]})["ok"]
    assert not phone.is_connected("/participant")
    again = connect(socketio, app, "participant", {"code": s["code"], "token": joined["token"]})
    assert not again.is_connected("/participant")
    live = connect(socketio, app, "facilitator", {"code": s["code"], "token": s["facilitator_token"]})
    snapshot = [e["args"][0] for e in live.get_received("/facilitator") if e["name"] == "snapshot"][-1]
    assert snapshot["live"]["joined"] == 0 and snapshot["roster"]["count"] == 0
    assert snapshot["live"]["questions"]["begrippen"]["answered"] == 0  # its answers no longer count
    assert ack(fac, "command", {"action": "remove", "participant": joined["me"]["id"]})["error"]["code"] == \
        "unknown_participant"
