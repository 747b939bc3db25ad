"""Finding 6: a flood of session creations is limited per address; idle rooms leave memory and come back intact."""
from __future__ import annotations

import http.client
import json
import re
import time
from urllib.parse import urlencode, urlsplit

import pytest

from tests.support.server import ServerProcess
from tests.web.helpers import connect, csrf_token, projector_key


def post(url: str, path: str, body: bytes, content_type: str, source: str = "127.0.0.1", cookie: str = ""):
    """POST to the real server from a given loopback source address; return (status, headers, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10, source_address=(source, 0))
    try:
        headers = {"Content-Type": content_type, **({"Cookie": cookie} if cookie else {})}
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def create_api(url: str, source: str = "127.0.0.1"):
    """Create a session through the JSON API."""
    return post(url, "/api/sessions", json.dumps({"title": "Flood"}).encode(), "application/json", source)


def start_page(url: str, source: str) -> tuple[str, str]:
    """Load the start page from a source address, as a browser does; return its cookie and CSRF token."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", "/?lang=en")
        response = conn.getresponse()
        html = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
    finally:
        conn.close()
    return cookie, re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def create_form(url: str, source: str = "127.0.0.1"):
    """Create a session through the start page's form, with its CSRF token (page language English)."""
    cookie, token = start_page(url, source)
    body = urlencode({"title": "Flood", "pacing": "paced", "disciplines": "", "language": "en",
                      "csrf_token": token}).encode()
    return post(url, "/sessions?lang=en", body, "application/x-www-form-urlencoded", source, cookie)


@pytest.mark.integration
def test_a_creation_flood_from_one_address_is_refused_on_both_paths_and_others_still_create(tmp_path):
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_RATE_CREATE": "4,600"}) as server:
        statuses = [create_api(server.url)[0] for _ in range(2)] + [create_form(server.url)[0] for _ in range(2)]
        assert statuses == [201, 201, 303, 303]

        status, headers, body = create_api(server.url)
        assert status == 429
        assert json.loads(body)["error"]["code"] == "rate_limited"
        assert 1 <= int(headers["Retry-After"]) <= 600

        status, headers, body = create_form(server.url)
        assert status == 429
        assert headers["Content-Type"].startswith("text/html")
        assert b"Too many new sessions" in body
        assert 1 <= int(headers["Retry-After"]) <= 600

        # Another address is not affected (the whole of 127.0.0.0/8 is this machine's loopback).
        assert create_api(server.url, source="127.0.0.2")[0] == 201
        assert create_form(server.url, source="127.0.0.2")[0] == 303
        assert create_api(server.url)[0] == 429


def test_the_creation_limit_counts_per_client_address_in_the_app(make_app):
    app = make_app(RATE_CREATE=(2, 600.0))
    first = app.test_client()
    second = app.test_client()
    second.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    for _ in range(2):
        assert first.post("/api/sessions", json={"title": "x"}).status_code == 201
    refused = first.post("/api/sessions", json={"title": "x"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    page = first.post("/sessions", data={"title": "x", "pacing": "paced", "csrf_token": csrf_token(first)})
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "Te veel nieuwe sessies" in page.get_data(as_text=True)  # the default language, Dutch
    assert second.post("/sessions", data={"title": "x", "pacing": "paced",
                                          "csrf_token": csrf_token(second)}).status_code == 303
    assert second.post("/api/sessions", json={"title": "x"}).status_code == 201
    assert second.post("/api/sessions", json={"title": "x"}).status_code == 429


# Idle rooms ---------------------------------------------------------------------------------

def held(app) -> set[str]:
    """Codes of the rooms the app holds in memory."""
    return {room.code for room in app.extensions["workshop"].live.rooms.held()}


def broadcaster_keys(app, code: str) -> list:
    """Everything the broadcaster keeps that names a session."""
    b = app.extensions["workshop"].broadcaster
    entries = (list(b._last) + list(b._cost) + list(b._stale) + list(b._pending) + list(b._sent)
               + list(b._touched) + list(b._shows))
    return [e for e in entries if code in (e if isinstance(e, tuple) else (e,))]


def facilitator_view(client, session) -> dict:
    """What the facilitator's API says about a session: state and live aggregate."""
    response = client.get(f"/api/sessions/{session['code']}",
                          headers={"Authorization": f"Bearer {session['facilitator_token']}"})
    assert response.status_code == 200
    return response.get_json()


def busy_session(app, socketio):
    """A session with three participants, answers, a revealed question, a note and a report link."""
    client = app.test_client()
    session = client.post("/api/sessions", json={"title": "Evict", "pacing": "paced", "language": "en"}).get_json()
    code = session["code"]
    fac = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
    tokens, phones = [], []
    for name in ("A", "B", "C"):
        phone = connect(socketio, app, "participant", {"code": code})
        ack = phone.emit("join", {"nickname": name})
        assert ack["ok"]
        tokens.append(ack["token"])
        phones.append(phone)
    assert fac.emit("command", {"action": "start"})["ok"]
    for phone, option in zip(phones, ("nooit", "zelden", "zelden")):
        assert phone.emit("answer", {"question": "begrippen", "option": option, "round": 1})["ok"]
    assert fac.emit("command", {"action": "reveal", "question": "begrippen"})["ok"]
    assert fac.emit("command", {"action": "next"})["ok"]
    assert phones[0].emit("answer", {"question": "uitspraak", "option": "kan-helpen", "round": 1})["ok"]
    assert fac.emit("note", {"question": "begrippen", "text": "Kept"})["ok"]
    report = fac.emit("report_link", {"enabled": True})["report"]
    assert report["enabled"]
    return session, fac, phones, tokens, report


def disconnect_all(*inboxes) -> None:
    """Close the test clients' sockets and wait (bounded) until the broadcaster's flush tasks are done."""
    for inbox in inboxes:
        if inbox.client.is_connected(inbox.namespace):
            inbox.client.disconnect(namespace=inbox.namespace)
    if inboxes:
        pending = inboxes[0].client.app.extensions["workshop"].broadcaster._pending
        deadline = time.monotonic() + 5
        while pending and time.monotonic() < deadline:
            time.sleep(0.01)


def test_an_idle_room_is_evicted_and_reloads_with_the_same_state_tally_and_links(make_app):
    app = make_app(ROOM_IDLE_SECONDS=0.0)
    socketio, svc, client = app.extensions["socketio"], app.extensions["workshop"], app.test_client()
    session, fac, phones, tokens, report = busy_session(app, socketio)
    code = session["code"]
    before = facilitator_view(client, session)
    assert before["live"]["joined"] == 3 and before["live"]["seq"] == 4
    disconnect_all(fac, *phones)
    roster = svc.broadcaster.roster(svc.live.room(code))
    assert [p["nickname"] for p in roster["participants"]] == ["C", "B", "A"]  # most recent first

    assert svc.sweep() == [code]
    assert code not in held(app)
    assert broadcaster_keys(app, code) == []

    # Everything comes back from SQLite: state, aggregate, identities, answers, the note and the report link.
    assert facilitator_view(client, session) == before
    assert code in held(app)
    fac = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
    snapshot = fac.wait("snapshot")
    assert snapshot["report"] == report
    assert snapshot["notes"]["begrippen"] == "Kept"
    assert snapshot["roster"] == roster
    assert client.get(urlsplit(report["url"]).path).status_code == 200

    # A returning phone with its token is the same participant with its answers, and can go on.
    disconnect_all(fac)
    svc.sweep()
    assert code not in held(app)
    phone = connect(socketio, app, "participant", {"code": code, "token": tokens[0]})
    me = phone.wait("snapshot")["me"]
    assert me["nickname"] == "A"
    assert me["answers"] == {"begrippen": {"1": "nooit"}, "uitspraak": {"1": "kan-helpen"}}
    ack = phone.emit("answer", {"question": "uitspraak", "option": "ten-koste-van", "round": 1})
    assert ack.get("ok") and ack["seq"] == 5, ack  # the sequence continues after the reload
    assert phone.emit("join", {})["error"]["code"] == "already_joined"


@pytest.mark.parametrize("role", ["participant", "screen", "facilitator"])
def test_a_room_with_a_connected_socket_of_any_role_is_never_evicted(make_app, role):
    app = make_app(ROOM_IDLE_SECONDS=0.0)
    socketio, svc = app.extensions["socketio"], app.extensions["workshop"]
    session = app.test_client().post("/api/sessions", json={"title": "Busy"}).get_json()
    code = session["code"]
    auth = {"participant": {"code": code}, "screen": {"code": code, "key": projector_key(session)},
            "facilitator": {"code": code, "token": session["facilitator_token"]}}[role]
    inbox = connect(socketio, app, role, auth)
    inbox.wait("snapshot")
    for _ in range(3):
        assert svc.sweep() == []
        assert code in held(app)
    disconnect_all(inbox)
    assert svc.sweep() == [code]
    assert code not in held(app)


def test_a_room_in_use_is_kept_until_it_has_been_idle_for_the_setting(make_app):
    app = make_app(ROOM_IDLE_SECONDS=3600.0)
    svc = app.extensions["workshop"]
    code = app.test_client().post("/api/sessions", json={"title": "Recent"}).get_json()["code"]
    assert svc.sweep() == [] and code in held(app)
    svc.live.room(code).used_at -= 3601  # as if unused for an hour
    assert svc.sweep() == [code] and code not in held(app)


def test_a_room_object_held_across_an_eviction_never_writes_over_newer_state(make_app):
    app = make_app(ROOM_IDLE_SECONDS=0.0)
    socketio, svc, client = app.extensions["socketio"], app.extensions["workshop"], app.test_client()
    session = client.post("/api/sessions", json={"title": "Race", "pacing": "paced"}).get_json()
    code = session["code"]
    old = svc.live.room(code)  # e.g. held by a handler or a flush task while the sweep runs
    assert svc.sweep() == [code]
    fac = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
    assert fac.emit("command", {"action": "start"})["ok"]
    phone = connect(socketio, app, "participant", {"code": code})
    pid = phone.emit("join", {"nickname": "N"})["me"]["id"]
    # The stale copy still says 'lobby' with nobody in it; changes through it go to the live copy.
    assert old.state.stage == "lobby" and not old.tally.members
    seq = svc.live.answer(old, pid, "begrippen", "nooit", 1)
    svc.live.set_report_link(old, True)
    view = facilitator_view(client, session)
    assert view["state"]["stage"] == "running"
    assert view["live"]["joined"] == 1 and view["live"]["seq"] == seq == 1
    assert svc.live.room(code).report_generation == 1


def test_rate_limit_keys_of_closed_connections_go_away(make_app):
    app = make_app(RATE_JOIN_CONNECTION=(5, 0.05), RATE_ANSWER=(30, 0.05), ROOM_IDLE_SECONDS=3600.0)
    socketio, svc = app.extensions["socketio"], app.extensions["workshop"]
    # Not about broadcasting: no flush threads (in threading mode they race the joins over the tally).
    svc.broadcaster.touch = lambda room, roster=False, parts=(): None
    session = app.test_client().post("/api/sessions", json={"title": "Keys"}).get_json()
    for _ in range(30):
        phone = connect(socketio, app, "participant", {"code": session["code"]})
        assert phone.emit("join", {"nickname": "k"})["ok"]
        disconnect_all(phone)
    assert len(svc.join_connection_limit._events) >= 30
    time.sleep(0.1)  # past the 0.05 s window: the keys have no event left that counts
    svc.sweep()
    assert len(svc.join_connection_limit._events) == 0


def test_a_flood_of_distinct_keys_keeps_a_limiter_bounded():
    from workshop.web.limits import RateLimiter

    now = [0.0]
    limiter = RateLimiter(5, 60.0, clock=lambda: now[0], max_keys=1000)
    for i in range(20_000):
        now[0] += 0.001  # all within one window: nothing expires by itself
        assert limiter.allow(f"sid-{i}")
        assert len(limiter._events) <= 1000
    assert "sid-19999" in limiter._events and "sid-0" not in limiter._events  # the newest keys are kept
    for _ in range(4):
        assert limiter.allow("sid-19999")  # its first event plus these four: the limit of five
    assert not limiter.allow("sid-19999")


def test_the_background_sweep_evicts_idle_rooms_by_itself(make_app):
    app = make_app(ROOM_IDLE_SECONDS=0.0)
    svc = app.extensions["workshop"]
    code = app.test_client().post("/api/sessions", json={"title": "Sweep"}).get_json()["code"]
    assert code in held(app)
    svc.start_sweeping()
    try:
        deadline = time.monotonic() + 10
        while code in held(app) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert code not in held(app)
    finally:
        svc.stop_sweeping()
