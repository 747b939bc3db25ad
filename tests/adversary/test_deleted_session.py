"""Finding 8: a session deleted from the command line while the server runs is gone everywhere.

The operator runs the real CLI (`python -m workshop sessions delete|purge`) in another process while a real
`workshop serve` holds a phone, a projector and a facilitator of the session on their sockets. Within a
bounded wait every socket is told `session_deleted` and disconnected; pages, API and reconnects then
answer as for an unknown code (404 / `unknown_session`).
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest
import requests
import socketio

from tests.support.server import ROOT, ServerProcess

pytestmark = pytest.mark.integration

WAIT = 15.0  # bounded wait for events; the server checks for deletions every ~0.5 s


class Client:
    """A python-socketio client on one namespace that records session_deleted, disconnects and refusals."""

    def __init__(self, url: str, namespace: str, auth: dict):
        """Connect (no automatic reconnection: a page that received session_deleted stops too)."""
        self.namespace = namespace
        self.deleted = threading.Event()
        self.gone = threading.Event()
        self.notice: dict | None = None
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("session_deleted", self._deleted, namespace=namespace)
        self.sio.on("disconnect", lambda *reason: self.gone.set(), namespace=namespace)
        self.sio.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=10)

    def _deleted(self, data=None):
        """Keep the notice."""
        self.notice = data
        self.deleted.set()

    def call(self, event: str, data=None):
        """Emit and wait for the acknowledgement."""
        return self.sio.call(event, data, namespace=self.namespace, timeout=10)

    def close(self) -> None:
        """Disconnect if still connected."""
        if self.sio.connected:
            self.sio.disconnect()


def refusal(url: str, namespace: str, auth: dict) -> dict | None:
    """Try a fresh connection; return the refusal's {code, message}, or None when it was accepted."""
    refused: dict = {}
    sio = socketio.Client(reconnection=False)
    # python-socketio hands over {"message": text, "data": {"code", "message"}} (the server's refusal object).
    sio.on("connect_error", lambda data=None: refused.update((data or {}).get("data") or {"code": "?"}),
           namespace=namespace)
    try:
        sio.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        return refused or {"code": "?"}
    sio.disconnect()
    return None


def new_session(url: str, title: str) -> dict:
    """Create a session through the API."""
    response = requests.post(url + "/api/sessions", json={"title": title}, timeout=5)
    assert response.status_code == 201
    return response.json()


def connect_all(url: str, session: dict) -> tuple[Client, Client, Client, str]:
    """Connect a joined phone, the projector and the facilitator; return them and the phone's token."""
    code = session["code"]
    phone = Client(url, "/participant", {"code": code})
    joined = phone.call("join", {"nickname": "Anna"})
    assert joined["ok"], joined
    screen = Client(url, "/screen", {"code": code, "key": session["projector_url"].split("k=", 1)[1]})
    facilitator = Client(url, "/facilitator", {"code": code, "token": session["facilitator_token"]})
    return phone, screen, facilitator, joined["token"]


def run_cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    """Run the real command line in its own process, as an operator would."""
    return subprocess.run([sys.executable, "-m", "workshop", "sessions", *args, "--yes", "--data-dir", str(data_dir)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def assert_gone_everywhere(url: str, session: dict, clients: list[Client], token: str) -> None:
    """Every socket was told and disconnected; pages, API and reconnects answer as for an unknown code."""
    for client in clients:
        assert client.deleted.wait(WAIT), f"{client.namespace} got no session_deleted notice"
        assert client.notice["code"] == "session_deleted" and client.notice["message"]
        assert client.gone.wait(WAIT), f"{client.namespace} was not disconnected"
    code = session["code"]
    key = session["projector_url"].split("k=", 1)[1]
    bearer = {"Authorization": f"Bearer {session['facilitator_token']}"}
    assert requests.get(f"{url}/j/{code}", timeout=5).status_code == 404
    assert requests.get(f"{url}/s/{code}/screen?k={key}", timeout=5).status_code == 404
    assert requests.get(f"{url}/s/{code}/manage?t={session['facilitator_token']}", timeout=5,
                        allow_redirects=False).status_code == 404
    assert requests.get(f"{url}/s/{code}/export.csv", timeout=5).status_code == 404
    api = requests.get(f"{url}/api/sessions/{code}", headers=bearer, timeout=5)
    assert api.status_code == 404 and api.json()["error"]["code"] == "unknown_session"
    assert requests.get(f"{url}/api/sessions/{code}/summary", headers=bearer, timeout=5).status_code == 404
    assert refusal(url, "/participant", {"code": code, "token": token})["code"] == "unknown_session"
    assert refusal(url, "/participant", {"code": code})["code"] == "unknown_session"
    assert refusal(url, "/screen", {"code": code, "key": key})["code"] == "unknown_session"
    assert refusal(url, "/facilitator", {"code": code, "token": session["facilitator_token"]})["code"] == "unknown_session"


@pytest.mark.parametrize("async_mode", ["eventlet", "threading"])
def test_cli_delete_of_a_running_session_disconnects_every_socket(tmp_path, async_mode):
    data_dir = tmp_path / "data"
    with ServerProcess(data_dir, async_mode=async_mode) as server:
        session = new_session(server.url, "Te verwijderen")
        phone, screen, facilitator, token = connect_all(server.url, session)
        clients = [phone, screen, facilitator]
        try:
            assert requests.get(f"{server.url}/j/{session['code']}", timeout=5).status_code == 200
            done = run_cli(data_dir, "delete", session["code"])
            assert done.returncode == 0, done.stderr
            assert_gone_everywhere(server.url, session, clients, token)
            assert server.proc.poll() is None
        finally:
            for client in clients:
                client.close()


def test_cli_purge_of_running_sessions_disconnects_theirs_and_leaves_the_others(tmp_path):
    data_dir = tmp_path / "data"
    with ServerProcess(data_dir) as server:
        old = [new_session(server.url, f"Oud {i}") for i in range(2)]
        fresh = new_session(server.url, "Vers")
        connected = {s["code"]: connect_all(server.url, s) for s in (*old, fresh)}
        try:
            with sqlite3.connect(data_dir / "workshop.sqlite3") as db:  # two sessions untouched for a year
                db.executemany("UPDATE sessions SET updated_at = '2000-01-01T00:00:00+00:00' WHERE code = ?",
                               [(s["code"],) for s in old])
            done = run_cli(data_dir, "purge")
            assert done.returncode == 0, done.stderr
            for s in old:
                phone, screen, facilitator, token = connected[s["code"]]
                assert_gone_everywhere(server.url, s, [phone, screen, facilitator], token)
            # The session that was kept still works on the same sockets.
            phone, screen, facilitator, _token = connected[fresh["code"]]
            assert facilitator.call("command", {"action": "start"})["ok"]
            ack = phone.call("answer", {"question": "begrippen", "option": "nooit", "round": 1})
            assert ack["ok"], ack
            assert not any(c.deleted.is_set() or c.gone.is_set() for c in (phone, screen, facilitator))
            assert requests.get(f"{server.url}/j/{fresh['code']}", timeout=5).status_code == 200
        finally:
            for clients in connected.values():
                for client in clients[:3]:
                    client.close()
