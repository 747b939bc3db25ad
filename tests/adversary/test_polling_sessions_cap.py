"""Issue 20, finding 8: long-polling sessions bypassed the per-address cap.

MAX_CONNECTIONS_PER_ADDRESS counted TCP connections only: 20,000 Engine.IO sessions over 4 kept-alive
connections (+243 MB). Engine.IO sessions are now counted per client address too (MAX_SESSIONS_PER_ADDRESS; the
forwarded client behind TRUSTED_PROXIES), refused beyond the cap with a clear error, and released when they close.
"""
from __future__ import annotations

import json
import time

import pytest
import websocket

from tests.support.server import ServerProcess

from .wire import Polling, RawSocket

pytestmark = pytest.mark.integration

CAP = 5
EXTRA = 3


def refusal(body: str) -> str:
    """The error code of a refused handshake."""
    return json.loads(body)["error"]["code"]


def open_sessions(poll: Polling, count: int) -> list[tuple[int, str]]:
    """Try `count` handshakes on one kept-alive connection."""
    return [poll.handshake() for _ in range(count)]


def handshake_when_room(poll: Polling, tries: int = 50) -> str:
    """The sid of the first handshake accepted within a bounded number of tries, 50 ms apart."""
    for _ in range(tries):
        status, sid = poll.handshake()
        if status == 200:
            return sid
        time.sleep(0.05)
    raise AssertionError("no room for a session after others closed")


def test_polling_sessions_beyond_the_cap_are_refused_and_closed_ones_give_room(tmp_path):
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_MAX_SESSIONS_PER_ADDRESS": str(CAP)}) as server:
        poll = Polling(server.url)
        try:
            tried = open_sessions(poll, CAP + EXTRA)
            accepted = [sid for status, sid in tried if status == 200]
            refused = [(status, body) for status, body in tried if status != 200]
            assert len(accepted) == CAP
            assert [status for status, _ in refused] == [429] * EXTRA
            assert {refusal(body) for _, body in refused} == {"too_many_connections"}
            other = Polling(server.url, source="127.0.0.2")
            assert other.handshake()[0] == 200  # another address is not affected
            other.close()
            for sid in accepted[:2]:
                assert poll.post(sid, "1") == 200  # Engine.IO's close packet
            again = open_sessions(poll, 3)
            assert [status for status, _ in again] == [200, 200, 429]
        finally:
            poll.close()
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        assert "MAX_SESSIONS_PER_ADDRESS" in log and "Traceback" not in log


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_cap(tmp_path):
    env = {"WORKSHOP_MAX_SESSIONS_PER_ADDRESS": str(CAP), "WORKSHOP_TRUSTED_PROXIES": "1"}
    with ServerProcess(tmp_path / "data", env=env) as server:
        first = Polling(server.url, headers={"X-Forwarded-For": "203.0.113.5"})
        second = Polling(server.url, headers={"X-Forwarded-For": "203.0.113.6"})
        try:
            assert [status for status, _ in open_sessions(first, CAP + 1)] == [200] * CAP + [429]
            assert [status for status, _ in open_sessions(second, CAP)] == [200] * CAP
        finally:
            first.close()
            second.close()


def test_websocket_sessions_count_too_and_give_their_place_back_when_closed(tmp_path):
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_MAX_SESSIONS_PER_ADDRESS": "2"}) as server:
        for _ in range(3):  # a leak of one place per session would refuse the second round
            first, second = RawSocket(server.url), RawSocket(server.url)
            try:
                with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                    RawSocket(server.url)
                assert refused.value.status_code == 429
            finally:
                first.close()
                second.close()
            poll = Polling(server.url)
            try:
                assert poll.post(handshake_when_room(poll), "1") == 200  # the server noticed both closes
            finally:
                poll.close()
