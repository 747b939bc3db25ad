"""Helpers of the operator-side adversary tests: raw sockets, a facilitator client, bounded waits."""
from __future__ import annotations

import select
import socket
import time

import requests
import socketio

LIMITED_SERVER = "tests.adversary.limited_serve"


def wait_until(predicate, timeout: float = 20.0, step: float = 0.05) -> None:
    """Poll until predicate() is true; fail when the bounded wait runs out."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(step)


def facilitator(url: str, transport: str = "websocket"):
    """A new session and a connected facilitator client (no reconnection: a drop stays visible)."""
    session = requests.post(url + "/api/sessions", json={"title": "Ops"}, timeout=5).json()
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=["/facilitator"], transports=[transport],
                   auth={"code": session["code"], "token": session["facilitator_token"]}, wait_timeout=10)
    return client, session


def note_saved(client, text: str) -> bool:
    """Whether the facilitator's note is acknowledged as saved."""
    ack = client.call("note", {"question": "", "text": text}, namespace="/facilitator", timeout=10)
    return bool(ack and ack.get("ok"))


def open_sockets(port: int, count: int, source: str | None = None) -> list[socket.socket]:
    """Open up to `count` TCP connections to 127.0.0.1:port (fewer if the client side runs out)."""
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        if source:
            s.bind((source, 0))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        sockets.append(s)
    return sockets


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed this connection (EOF or reset); reads and drops any reply."""
    while True:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            if not sock.recv(65536):
                return True
        except OSError:
            return True


def close_all(sockets) -> None:
    """Close every client socket."""
    for s in sockets:
        s.close()


def healthy(url: str) -> bool:
    """Whether the server answers /healthz with 200."""
    try:
        return requests.get(url + "/healthz", timeout=3).status_code == 200
    except requests.RequestException:
        return False
