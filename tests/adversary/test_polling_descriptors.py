"""Issue 20, finding 2: a broken frame over long-polling pinned a descriptor for ever.

Handshake, POST `40/participant`, POST one frame that cannot be decoded (JSON nested 3,000 deep), close the TCP
connection. The malformed-frame guard closed the session waiting for a GET to drain it, inside the POST, which
never returned: its descriptor stayed in CLOSE_WAIT. Now the POST is answered and the session closed at once.
"""
from __future__ import annotations

import json
import os

import pytest

from tests.adversary.ops_helpers import wait_until
from tests.support.server import ServerProcess

from .wire import Polling, create_session

pytestmark = pytest.mark.integration

ATTEMPTS = 50
IDLE = 2  # seconds (IDLE_TIMEOUT): the longest a descriptor may stay after its client left
NESTED = "42/participant," + "[" * 3000 + "]" * 3000


def descriptors(server: ServerProcess) -> int:
    """How many file descriptors the server process holds."""
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def broken_frame_and_leave(server: ServerProcess, code: str) -> None:
    """One attacker round: a polling phone connects, sends an undecodable frame and closes TCP without waiting."""
    poll = Polling(server.url)
    status, sid = poll.handshake()
    assert status == 200, sid
    assert poll.post(sid, "40/participant," + json.dumps({"code": code})) == 200
    poll.post(sid, NESTED, read=False)
    poll.close()


def test_broken_frames_over_polling_leave_no_descriptor_behind(tmp_path):
    env = {"WORKSHOP_IDLE_TIMEOUT": str(IDLE)}
    with ServerProcess(tmp_path / "data", env=env) as server:
        code = create_session(server.url)["code"]
        broken_frame_and_leave(server, code)  # warm up: the room, the database and the log are open
        baseline = descriptors(server)
        for _ in range(ATTEMPTS):
            broken_frame_and_leave(server, code)
        try:
            wait_until(lambda: descriptors(server) <= baseline + 2, timeout=IDLE + 10, step=0.2)
        except AssertionError:
            raise AssertionError(f"{descriptors(server) - baseline} descriptors more than before {ATTEMPTS} "
                                 f"broken frames, {IDLE + 10} s after the last") from None
        poll = Polling(server.url)
        try:
            assert poll.handshake()[0] == 200  # and the server still serves
        finally:
            poll.close()
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log
