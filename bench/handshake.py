"""Server cost of a phone's connect + join: websocket only vs the browser default (long-polling, then upgrade).

    .venv/bin/python bench/handshake.py --phones 300

Uses python-socketio's AsyncClient (the reference client) for both, against a
real `workshop serve`, and reports server CPU milliseconds and wall time per
joined phone. The page's socket.io client (static/js/common.js) uses the
default transports, so every phone first does the polling handshake.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import socketio  # noqa: E402

from bench.load import create_session, machine_load, proc_cpu, proc_status  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402


async def one_phone(url: str, code: str, transports: list[str], gate: asyncio.Semaphore, clients: list) -> bool:
    """Connect and join one phone; keep it connected."""
    async with gate:
        client = socketio.AsyncClient(reconnection=False)
        clients.append(client)
        try:
            await client.connect(url, namespaces=["/participant"], transports=transports,
                                 auth={"code": code, "token": None}, wait_timeout=30)
            ack = await client.call("join", {"nickname": "x"}, namespace="/participant", timeout=30)
            return bool(ack.get("ok"))
        except (socketio.exceptions.SocketIOError, OSError, asyncio.TimeoutError):
            return False


async def measure(url: str, pid: int, phones: int, transports: list[str]) -> dict:
    """Join `phones` phones with the given transports; server CPU and wall time per phone."""
    async with aiohttp.ClientSession() as http:
        info = await create_session(http, url, "handshake")
    clients: list = []
    gate = asyncio.Semaphore(50)
    cpu0, t0 = proc_cpu(pid), time.monotonic()
    results = await asyncio.gather(*(one_phone(url, info["code"], transports, gate, clients) for _ in range(phones)))
    wall, cpu = time.monotonic() - t0, proc_cpu(pid) - cpu0
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    ok = sum(results)
    return {"transports": "+".join(transports), "joined": ok, "of": phones,
            "server_cpu_ms_per_phone": round(cpu / max(ok, 1) * 1000, 2), "wall_s": round(wall, 2)}


def main(argv: list[str] | None = None) -> int:
    """Compare both handshakes on one server."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="workshop-handshake-"))
    server = ServerProcess(tmp / "data")
    try:
        server.start()
        out = {"load": machine_load(), "runs": []}
        for transports in (["websocket"], ["polling", "websocket"], ["websocket"], ["polling", "websocket"]):
            out["runs"].append(asyncio.run(asyncio.wait_for(
                measure(server.url, server.proc.pid, args.phones, transports), 120)))
        out["peak_rss_mb"] = round(proc_status(server.proc.pid)["VmHWM"] / 1024, 1)
        print(json.dumps(out, indent=2))
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
