"""Issue 20, finding 1: binary Socket.IO packets hoarded memory without any secret.

A binary-event header announcing 9,999,999,999 attachments made python-socketio keep every later frame of the
connection as an attachment; over a compressed websocket each 25-byte frame was kept as 8 KB (1.2 MB sent, +308 MB).
The app speaks JSON only: a binary packet or a binary Engine.IO message now closes its connection before anything
is kept, and the default namespace `/`, which the app does not use, is refused.
"""
from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.support.server import ServerProcess

from .wire import Frames, RawSocket, create_session

pytestmark = pytest.mark.integration

BROWSER_OFFER = "permessage-deflate; client_max_window_bits"
ATTACHMENT = bytes(8000)  # inflates from about 30 bytes to just under MAX_MESSAGE_BYTES
FRAMES = 40_000           # 8 KB each: 320 MB kept before the fix
# Engine.IO message (4), Socket.IO BINARY_EVENT (5), 9,999,999,999 attachments to come
HEADER = "45" + "9" * 10 + '-/participant,["idea",{"_placeholder":true,"num":0}]'
MAX_GROWTH = 30 * 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server with the default settings (compression on)."""
    with ServerProcess(tmp_path_factory.mktemp("binary") / "data") as running:
        yield running


def rss(server: ServerProcess) -> int:
    """The server process's resident memory in bytes."""
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) * 1024


def connected_phone(server: ServerProcess, code: str) -> Frames:
    """A compressed websocket connected to /participant with nothing but the code on the projector."""
    ws = Frames(server.url, BROWSER_OFFER)
    assert ws.text()[1].startswith("0{")
    ws.send("40/participant," + json.dumps({"code": code}), compress=True)
    while not ws.text()[1].startswith("40/participant,"):
        pass
    return ws


def flood(ws: Frames, frames: int) -> int:
    """Send compressed binary frames in batches until all are sent or the server closed; return how many went."""
    frame = ws.encode(ATTACHMENT, compress=True, opcode=2, mask=bytes(4))  # a zero mask is a valid mask
    batch = 1000
    sent = 0
    try:
        while sent < frames:
            ws.sock.sendall(frame * batch)
            sent += batch
    except OSError:  # reset by the server
        pass
    return sent


def closed_by_server(ws: Frames) -> bool:
    """Whether the server ended the connection (a close frame, EOF or a reset) within the socket's timeout."""
    try:
        while True:
            _, opcode, _ = ws.frame()
            if opcode == 8:
                return True
    except socket.timeout:
        return False
    except OSError:  # EOF (ConnectionError) or a reset
        return True


def test_a_binary_event_header_and_a_stream_of_attachments_hold_no_memory(server):
    code = create_session(server.url)["code"]
    ws = connected_phone(server, code)  # warm up: the first connection loads the room
    ws.close()
    before = rss(server)
    ws = connected_phone(server, code)
    try:
        ws.send(HEADER, compress=True)
        flood(ws, FRAMES)
        assert closed_by_server(ws)
    finally:
        ws.close()
    growth = rss(server) - before
    assert growth < MAX_GROWTH, f"the server grew by {growth / 2**20:.0f} MB"
    assert server.proc.poll() is None


@pytest.mark.parametrize("frame", [
    HEADER,                                                  # BINARY_EVENT
    '461-/participant,1[{"_placeholder":true,"num":0}]',     # BINARY_ACK
], ids=["binary-event", "binary-ack"])
def test_a_binary_packet_closes_its_connection_at_once(server, frame):
    ws = connected_phone(server, create_session(server.url)["code"])
    try:
        ws.send(frame)
        assert closed_by_server(ws)
    finally:
        ws.close()


def test_a_binary_engine_io_message_closes_its_connection(server):
    ws = connected_phone(server, create_session(server.url)["code"])
    try:
        ws.send(b'42/participant,["join",{"nickname":"Bytes"}]', opcode=2)
        assert closed_by_server(ws)
    finally:
        ws.close()


def test_the_default_namespace_is_refused(server):
    raw = RawSocket(server.url)
    try:
        raw.ws.send("40")
        assert raw.wait_for_any(("40", "44")).startswith("44")  # CONNECT_ERROR, not CONNECT
    finally:
        raw.close()
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
