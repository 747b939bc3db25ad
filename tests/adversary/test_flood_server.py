"""Finding 6 on a real server: after a flood of creations and phone connect/join/leave cycles nothing stays held."""
from __future__ import annotations

import asyncio
import collections

import aiohttp
import pytest

from bench.memory_churn import churn, counts, create
from tests.support.server import ServerProcess

pytestmark = pytest.mark.integration


def counting_server(tmp_path, idle: float) -> ServerProcess:
    """A real `workshop serve` that writes its own counts (rooms, keys, objects by type) on SIGUSR1."""
    env = {"WORKSHOP_ROOM_IDLE_SECONDS": str(idle), "WORKSHOP_RATE_JOIN_CONNECTION": "100000,1",
           "BENCH_COUNTS": str(tmp_path / "counts.json")}
    return ServerProcess(tmp_path / "data", env=env, module="bench.memory_churn")


async def flood(server: ServerProcess, sessions: int, cycles: int) -> int:
    """Create sessions, then run phone cycles over them; return how many cycles failed."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        codes = await create(http, server.url, sessions, 8)
        return await churn(http, server.url, codes, cycles, 20)


async def settled(server: ServerProcess, tmp_path, done, timeout: float = 30.0) -> dict:
    """The server's counts once `done(counts)` holds (bounded wait)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        c = await counts(server.proc.pid, tmp_path / "counts.json")
        if done(c) or loop.time() > deadline:
            return c
        await asyncio.sleep(0.5)


def held_types(c: dict) -> collections.Counter:
    """Objects the collector tracks, by type."""
    return collections.Counter(c["type_counts"])


def test_closed_connections_leave_no_protocol_objects_behind(tmp_path):
    # Rooms stay (an hour of idle time), so no sweep and no collection runs: what is left is what closing left.
    with counting_server(tmp_path, idle=3600) as server:
        assert asyncio.run(flood(server, 20, 300)) == 0
        c = asyncio.run(settled(server, tmp_path, lambda c: c["eio_sockets"] == 0))
        assert c["eio_sockets"] == 0 and c["rooms"] == 20
        # Before the fix every closed connection left its eventlet protocol object (and ~30 others) as
        # cyclic garbage until a full collection: about 300 here.
        assert held_types(c)["eventlet.wsgi.HttpProtocol"] < 10


def test_after_a_flood_the_server_sweeps_rooms_keys_and_broadcaster_state_by_itself(tmp_path):
    with counting_server(tmp_path, idle=1) as server:
        assert asyncio.run(flood(server, 200, 400)) == 0
        c = asyncio.run(settled(server, tmp_path, lambda c: c["rooms"] == 0 and c["eio_sockets"] == 0
                                and sum(c["limiter_keys"].values()) <= 2))
        assert c["rooms"] == 0
        assert c["eio_sockets"] == 0 and sum(c["sio_rooms"].values()) == 0 and c["manager_index"] == 0
        assert sum(c["broadcaster"].values()) == 0
        # At most the two per-address keys of 127.0.0.1 (creations, joins) are left, not one per connection.
        assert sum(c["limiter_keys"].values()) <= 2
