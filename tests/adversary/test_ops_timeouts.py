"""Finding 10: half-open requests and idle connections are dropped; WebSockets are not (real server process)."""
from __future__ import annotations

import time

from tests.adversary.ops_helpers import (close_all, closed_by_server, facilitator, note_saved, open_sockets)
from tests.support.server import ServerProcess

TIMEOUT = "2"  # seconds, for headers and idleness alike
PARTIAL = [
    b"GET /heal",                                        # a request line never finished
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",      # headers never finished
    b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",  # a body never finished
    b"",                                                 # nothing at all
]


def test_half_open_and_idle_connections_are_closed_but_websockets_stay(tmp_path):
    env = {"WORKSHOP_HEADER_TIMEOUT": TIMEOUT, "WORKSHOP_IDLE_TIMEOUT": TIMEOUT}
    server = ServerProcess(tmp_path / "data", env=env).start()
    held, drips, client, polling = [], [], None, None
    try:
        client, _session = facilitator(server.url)
        polling, _other = facilitator(server.url, "polling")  # the fallback where WebSockets are blocked
        started = time.monotonic()
        held = open_sockets(server.port, 48)
        for i, s in enumerate(held):
            s.sendall(PARTIAL[i % len(PARTIAL)])
        kept_alive = open_sockets(server.port, 2)
        for s in kept_alive:  # one finished request, then silence on a kept-alive connection
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        held += kept_alive
        drips = open_sockets(server.port, 3)
        for s in drips:  # a header byte every 0.5 s: each read is quick, the headers never end
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Drip: ")
        deadline = time.monotonic() + 30
        while not all(closed_by_server(s) for s in held + drips) and time.monotonic() < deadline:
            for s in drips:
                try:
                    s.sendall(b"a")
                except OSError:
                    pass  # closed by the server: what should happen
            time.sleep(0.5)
        still_open = [s for s in held + drips if not closed_by_server(s)]
        assert not still_open, f"{len(still_open)} of {len(held) + len(drips)} slow connections still held"
        while time.monotonic() < started + 3 * float(TIMEOUT):
            time.sleep(0.2)  # the WebSocket has now been quiet for longer than the timeouts
        assert client.connected, "the WebSocket was cut by the header or idle timeout"
        assert note_saved(client, "still here")
        assert polling.connected and note_saved(polling, "polling too")
    finally:
        close_all(held + drips)
        for c in (client, polling):
            if c:
                c.disconnect()
        server.stop()
