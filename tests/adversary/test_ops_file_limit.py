"""Finding 2: the server at its open-file limit, and one address opening many sockets (real server process)."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.adversary.ops_helpers import (LIMITED_SERVER, close_all, closed_by_server, facilitator, healthy, note_saved,
                                         open_sockets, wait_until)
from tests.support.server import ServerProcess, wait_for_line

FLOOD = 300  # more sockets than a server limited to 200 open files can hold


def log(server: ServerProcess) -> str:
    """What the server wrote to stderr so far."""
    return Path(server.log_path).read_text(errors="replace")


def alive(server: ServerProcess) -> bool:
    """Whether the server process is still running."""
    return server.proc.poll() is None


@pytest.mark.parametrize("reserve,warning", [
    (None, "refusing new ones"),                   # the default FD_RESERVE: refused before descriptors run out
    ("0", "accept failed (Too many open files)"),  # no reserve: accept() itself hits EMFILE
], ids=["with-reserve", "emfile"])
def test_a_socket_flood_at_the_open_file_limit_does_not_end_the_server(tmp_path, reserve, warning):
    env = {"LIMIT_NOFILE": "200,200", "WORKSHOP_IDLE_TIMEOUT": "300", "WORKSHOP_HEADER_TIMEOUT": "300"}
    if reserve is not None:
        env["WORKSHOP_FD_RESERVE"] = reserve
    server = ServerProcess(tmp_path / "data", module=LIMITED_SERVER, env=env).start()
    client = flood = None
    try:
        client, _session = facilitator(server.url)
        flood = open_sockets(server.port, FLOOD)
        assert len(flood) == FLOOD  # the kernel's backlog takes them all; the server must cope
        wait_until(lambda: warning in log(server) or not alive(server))  # the server is at its limit, or gone
        assert alive(server), "the server exited at its open-file limit"
        assert note_saved(client, "during the flood"), "an existing client was not served during the flood"
        close_all(flood)
        wait_until(lambda: healthy(server.url), timeout=20)
        assert note_saved(client, "after the flood")
        assert client.connected and alive(server)
        assert log(server).count(warning) <= 2  # hundreds of refusals, one console line a minute
    finally:
        if flood:
            close_all(flood)
        if client:
            client.disconnect()
        server.stop()


def following_lines(server: ServerProcess, timeout: float = 10.0) -> list[str]:
    """The server's capacity line, logged after its address (bounded wait)."""
    match, _offset = wait_for_line(server.log_path, server.log_offset, r"Connections: .*",
                                   time.monotonic() + timeout, server.proc)
    return [match.group(0)]


def test_serve_raises_its_soft_open_file_limit_and_says_so(tmp_path):
    server = ServerProcess(tmp_path / "data", module=LIMITED_SERVER, env={"LIMIT_NOFILE": "256,4096"}).start()
    try:
        limits = Path(f"/proc/{server.proc.pid}/limits").read_text()
        soft, hard = re.search(r"Max open files\s+(\d+)\s+(\d+)", limits).groups()
        assert (soft, hard) == ("4096", "4096")
        printed = "".join(following_lines(server))
        assert "open-file limit 4096, raised from 256" in printed
        room = int(re.search(r"room for (\d+) at a time", printed).group(1))
        assert 256 < room < 4096
    finally:
        server.stop()


def test_one_address_cannot_hold_more_than_its_share_of_connections(tmp_path):
    env = {"WORKSHOP_MAX_CONNECTIONS_PER_ADDRESS": "20", "WORKSHOP_IDLE_TIMEOUT": "300"}
    server = ServerProcess(tmp_path / "data", env=env).start()
    mine = []
    try:
        mine = open_sockets(server.port, 30)
        wait_until(lambda: sum(closed_by_server(s) for s in mine) >= 10 or not alive(server))
        time.sleep(0.5)  # room for a wrongly refused 11th to show up
        refused = [s for s in mine if closed_by_server(s)]
        assert len(refused) == 10  # the 20 within the cap stay open
        other = open_sockets(server.port, 1, source="127.0.0.2")[0]  # another address is still served
        other.sendall(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        reply = b""
        while chunk := other.recv(4096):
            reply += chunk
        other.close()
        assert reply.startswith(b"HTTP/1.1 200")
        assert not healthy(server.url)  # this address is at its cap...
        close_all(mine)
        wait_until(lambda: healthy(server.url), timeout=20)  # ...until its connections close
    finally:
        close_all(mine)
        server.stop()
