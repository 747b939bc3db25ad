"""Finding 14: malformed frames are refused quietly: no traceback, one WARNING line at most."""
from __future__ import annotations

import pytest
import websocket

from tests.support.server import ServerProcess

from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration

FRAMES = {
    "json nested 4,000 deep": "42/participant," + "[" * 4000 + "]" * 4000,
    "a 5,000-digit integer": '42/participant,["answer",' + "9" * 5000 + "]",
    "a 5,000-digit integer in an ack id": "42/participant," + "9" * 5000 + '["answer",{}]',
    "broken json": '42/participant,["answer",{',
    "a packet type that is not a digit": "4x/participant,[]",
    "binary junk": b"\x00\xff\xfe\x01junk",
    "an attachment announcement with junk": "451-/participant,[\"answer\",{\"_placeholder\":true,\"num\":\"x\"}]",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server whose log the test reads."""
    with ServerProcess(tmp_path_factory.mktemp("frames") / "data") as running:
        yield running


def send_and_wait_for_close(server, code: str, frame) -> None:
    """Connect a phone, send one frame and wait (bounded) until the server has dealt with it."""
    raw = RawSocket(server.url)
    try:
        assert raw.connect("/participant", {"code": code})["ok"]
        raw.ws.send_binary(frame) if isinstance(frame, bytes) else raw.ws.send(frame)
        try:  # the server closes the connection; a well-formed ping round-trip proves it read the frame otherwise
            raw.ws.settimeout(5)
            for _ in range(20):
                if raw.ws.recv() == "":
                    break
        except (websocket.WebSocketConnectionClosedException, websocket.WebSocketTimeoutException):
            pass
    finally:
        raw.close()


def test_malformed_frames_leave_no_traceback_and_one_warning_at_most(server):
    session = create_session(server.url, pacing="self")
    for frame in FRAMES.values():
        send_and_wait_for_close(server, session["code"], frame)
    # The server still serves: a normal phone joins (and its join is logged nowhere as an error).
    phone = RawSocket(server.url)
    try:
        assert phone.connect("/participant", {"code": session["code"]})["ok"]
        assert phone.emit("/participant", "join", {"nickname": "Na de rommel"})["ok"]
    finally:
        phone.close()
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log
    assert "ERROR" not in log and "handler error" not in log
    warnings = [line for line in log.splitlines() if "malformed" in line]
    assert len(warnings) == 1, warnings


def test_a_malformed_frame_ends_only_its_own_connection(server):
    session = create_session(server.url, pacing="self")
    bystander = RawSocket(server.url)
    try:
        assert bystander.connect("/participant", {"code": session["code"]})["ok"]
        send_and_wait_for_close(server, session["code"], FRAMES["broken json"])
        assert bystander.emit("/participant", "join", {"nickname": "Omstander"})["ok"]
    finally:
        bystander.close()
