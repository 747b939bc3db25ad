"""Memory under churn: a flood of session creations and of phone connect/join/leave cycles, then idle.

    .venv/bin/python bench/memory_churn.py                       # 3,000 creations, 10,000 cycles, ~80 s
    .venv/bin/python bench/memory_churn.py --rounds 2            # the same flood twice: is memory reused?
    .venv/bin/python bench/memory_churn.py --creations 500 --cycles 2000 --tracemalloc   # what grew

Starts a real `workshop serve` (eventlet) on 127.0.0.1 through tests/support/server.py, with this
module as a thin wrapper that writes the server's own counts (rooms held, rate-limiter keys,
broadcaster entries, Engine.IO sockets, Socket.IO rooms, objects the collector tracks by type,
pymalloc and glibc malloc figures) to a file on SIGUSR1 (SIGUSR2: after a full collection).
Then: a warm-up (20 sessions, 200 cycles), the baseline; `--creations` POST /api/sessions and
`--cycles` phones that each connect to /participant, join and disconnect (nine in ten over a
bench/sioclient.py websocket, one in ten with python-socketio's AsyncClient and its default
transports, long-polling then upgrade, as browsers do), the peak; an idle wait long enough for
the server's sweep (ROOM_IDLE_SECONDS=--idle) and Engine.IO's ping tasks, after; one more full
collection, after gc. RSS is VmRSS from /proc/PID/status. BENCH_GARBAGE=FILE (--server-env)
appends the types of the cyclic garbage at the peak. The server is stopped by PID in a finally
block; the run has a hard time limit. docs/performance.md has the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# The server side: `python -m bench.memory_churn serve ...` ---------------------------------------

def allocator_figures() -> dict:
    """pymalloc's arenas (from sys._debugmallocstats) and glibc malloc's heap (mallinfo2), in MB."""
    import ctypes
    import re
    import tempfile

    with tempfile.TemporaryFile("w+") as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read()
    figures = {"allocated_blocks": sys.getallocatedblocks()}
    for name, pattern in (("arenas", r"# arenas allocated current\s*=\s*([\d,]+)"),
                          ("pymalloc_used_mb", r"# bytes in allocated blocks\s*=\s*([\d,]+)"),
                          ("pymalloc_free_mb", r"# bytes in available blocks\s*=\s*([\d,]+)")):
        match = re.search(pattern, text)
        if match:
            value = int(match.group(1).replace(",", ""))
            figures[name] = value if name == "arenas" else round(value / 2**20, 1)
    try:
        class MallInfo2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                       "fsmblks", "uordblks", "fordblks", "keepcost")]
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        info = libc.mallinfo2()
        figures.update(malloc_used_mb=round(info.uordblks / 2**20, 1), malloc_free_mb=round(info.fordblks / 2**20, 1),
                       malloc_mmap_mb=round(info.hblkhd / 2**20, 1))
    except (OSError, AttributeError):
        pass
    return figures


def server_counts(app) -> dict:
    """What the server holds: rooms, limiter keys, sockets, Socket.IO rooms and tracked objects by type."""
    import collections
    import gc

    svc = app.extensions["workshop"]
    sio = app.extensions["socketio"].server
    limiters = {name: len(getattr(svc, name)._events) for name in vars(svc)
                if hasattr(getattr(svc, name), "_events")}
    broadcaster = svc.broadcaster
    objects = gc.get_objects()
    types = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in objects)
    return {
        "rooms": svc.live.rooms_in_memory(),
        "limiter_keys": limiters,
        "broadcaster": {name: len(getattr(broadcaster, name)) for name in
                        ("_last", "_cost", "_stale", "_pending", "_sent", "_touched")},
        "eio_sockets": len(sio.eio.sockets),
        "sio_environ": len(sio.environ),
        "sio_rooms": {ns: len(rooms) for ns, rooms in sio.manager.rooms.items()},
        "manager_index": len(getattr(sio.manager, "_rooms_of", ())),
        "tracked_objects": len(objects),
        "top_types": types.most_common(15),
        "type_counts": dict(types),
        "allocator": allocator_figures(),
    }


def write_garbage(path: str) -> None:
    """Collect with DEBUG_SAVEALL and append the garbage's types and the cycle around one wsgi connection."""
    import collections
    import gc

    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    gc.set_debug(0)
    garbage, gc.garbage[:] = list(gc.garbage), []
    ids = {id(o) for o in garbage}
    with open(path, "a") as f:
        f.write(f"{len(garbage)} objects of cyclic garbage\n")
        for kind, n in collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in garbage).most_common(40):
            f.write(f"{n:8} {kind}\n")
        frames = collections.Counter(f"{o.f_code.co_filename.rsplit('/', 2)[-1]}:{o.f_code.co_name}"
                                     for o in garbage if type(o).__name__ == "frame")
        f.write("frames:\n" + "".join(f"{n:8} {name}\n" for name, n in frames.most_common(15)))
        functions = collections.Counter(f"{o.__module__}.{o.__qualname__}" for o in garbage
                                        if type(o).__name__ == "function")
        f.write("functions:\n" + "".join(f"{n:8} {name}\n" for name, n in functions.most_common(10)))
        sample = next((o for o in garbage if type(o).__name__ == "HttpProtocol"), None)
        if sample is not None:
            f.write("referrers of one HttpProtocol, two levels:\n")
            for ref in gc.get_referrers(sample):
                if id(ref) in ids:
                    f.write(f"  {type(ref).__qualname__} {repr(ref)[:150]}\n")
                    for ref2 in gc.get_referrers(ref):
                        if id(ref2) in ids:
                            f.write(f"    {type(ref2).__qualname__} {repr(ref2)[:150]}\n")
                            for ref3 in gc.get_referrers(ref2):
                                if id(ref3) in ids:
                                    f.write(f"      {type(ref3).__qualname__} {repr(ref3)[:150]}\n")
    del garbage


def serve_with_counts(argv: list[str]) -> int:
    """Run `workshop serve`, writing server_counts() to $BENCH_COUNTS on SIGUSR1 (SIGUSR2: after gc.collect())."""
    from workshop import cli, server

    run = server.run

    def counted_run(app, sock, mode) -> None:
        """Install the SIGUSR1 handler, then serve."""
        def dump(signum, frame):
            """Write the counts next to a marker file the benchmark waits for."""
            import gc

            if os.environ.get("BENCH_GARBAGE") and signum == signal.SIGUSR1:
                write_garbage(os.environ["BENCH_GARBAGE"])
            collected = gc.collect() if signum == signal.SIGUSR2 else None
            if signum == signal.SIGUSR2 and os.environ.get("BENCH_TRIM") == "1":
                import ctypes  # glibc: give the free pages of malloc's heap back to the system
                ctypes.CDLL("libc.so.6").malloc_trim(0)
            path = Path(os.environ["BENCH_COUNTS"])
            import tracemalloc
            if tracemalloc.is_tracing():  # --tracemalloc: keep a snapshot per measuring point
                tracemalloc.take_snapshot().dump(str(path.with_suffix(f".{time.monotonic_ns()}.snap")))
            path.with_suffix(".tmp").write_text(json.dumps({**server_counts(app), "collected": collected}))
            path.with_suffix(".tmp").replace(path)

        signal.signal(signal.SIGUSR1, dump)
        signal.signal(signal.SIGUSR2, dump)
        run(app, sock, mode)

    server.run = counted_run
    return cli.main(argv)


# The load side -------------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    """The process's resident set (VmRSS) in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def counts(pid: int, path: Path, collect: bool = False, timeout: float = 20.0) -> dict:
    """Ask the server for its counts (SIGUSR1; SIGUSR2 after a full garbage collection) and wait for the file."""
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR2 if collect else signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        await asyncio.sleep(0.05)
    raise RuntimeError("the server wrote no counts")


async def create(http, url: str, n: int, concurrency: int) -> list[str]:
    """Create n sessions through the API; return their codes."""
    import aiohttp  # noqa: F401

    gate, codes = asyncio.Semaphore(concurrency), []

    async def one(i: int) -> None:
        """Create one session."""
        async with gate:
            async with http.post(url + "/api/sessions", json={"title": f"churn {i}", "language": "en"}) as r:
                if r.status != 201:
                    raise RuntimeError(f"create: HTTP {r.status} {await r.text()}")
                codes.append((await r.json())["code"])

    await asyncio.gather(*(one(i) for i in range(n)))
    return codes


async def cycle_light(http, url: str, code: str, i: int) -> None:
    """Connect a phone over a websocket, join, disconnect."""
    from bench.sioclient import Client

    client = Client(http, url, "/participant", deflate=False, decode=())
    try:
        await client.connect({"code": code}, timeout=30)
        ack = await client.call("join", {"nickname": f"p{i}"}, timeout=30)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise RuntimeError(f"join refused: {ack}")
    finally:
        await client.close()


async def cycle_browserlike(url: str, code: str, i: int) -> None:
    """Connect a phone with python-socketio's default transports (polling, then upgrade), join, disconnect."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(url, namespaces=["/participant"], auth={"code": code}, wait_timeout=30)
        ack = await client.call("join", {"nickname": f"b{i}"}, namespace="/participant", timeout=30)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise RuntimeError(f"join refused: {ack}")
    finally:
        await client.disconnect()


async def churn(http, url: str, codes: list[str], n: int, concurrency: int, first: int = 0) -> int:
    """Run n connect/join/leave cycles over the sessions; return how many failed."""
    gate, failed = asyncio.Semaphore(concurrency), 0

    async def one(i: int) -> None:
        """One cycle; every tenth browser-like."""
        nonlocal failed
        async with gate:
            code = codes[i % len(codes)]
            try:
                if i % 10 == 9:
                    await cycle_browserlike(url, code, i)
                else:
                    await cycle_light(http, url, code, i)
            except Exception as exc:  # counted and shown, never fatal
                failed += 1
                if failed <= 3:
                    print(f"  cycle {i} failed: {type(exc).__name__}: {exc}", flush=True)

    await asyncio.gather(*(one(i) for i in range(first, first + n)))
    return failed


def show(label: str, pid: int, c: dict) -> float:
    """Print one measuring point; return its RSS."""
    rss = rss_mb(pid)
    print(f"{label:22} RSS {rss:7.1f} MB  rooms {c['rooms']:5}  limiter keys {sum(c['limiter_keys'].values()):6}  "
          f"broadcaster {sum(c['broadcaster'].values()):5}  eio sockets {c['eio_sockets']:4}  "
          f"sio rooms {sum(c['sio_rooms'].values()):5}  tracked objects {c['tracked_objects']}", flush=True)
    print(f"{'':22} allocator {c['allocator']}", flush=True)
    return rss


async def drive(args, server, counts_path: Path) -> dict:
    """The measured sequence: warm-up, baseline, creations, cycles, peak, idle, after."""
    import aiohttp

    pid, url, figures = server.proc.pid, server.url, {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        warm = await create(http, url, 20, 8)
        await churn(http, url, warm, 200, 50)
        await asyncio.sleep(args.idle + 3)
        c = await counts(pid, counts_path)
        figures["baseline"] = {"rss_mb": show("baseline", pid, c), **c}
        started = time.monotonic()
        codes = await create(http, url, args.creations, 16)
        figures["create_s"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        figures["failed_cycles"] = await churn(http, url, codes, args.cycles, args.concurrency, first=200)
        figures["cycles_s"] = round(time.monotonic() - started, 1)
        c = await counts(pid, counts_path)
        figures["peak"] = {"rss_mb": show("peak", pid, c), **c}
        # ROOM_IDLE_SECONDS and the next sweep (every ROOM_IDLE_SECONDS / 4, at least 1 s), and Engine.IO's
        # ping task of a closed socket (it sleeps up to the 20 s ping interval), then a margin.
        await asyncio.sleep(max(args.idle * 1.25, 20) + 5)
        c = await counts(pid, counts_path)
        figures["after"] = {"rss_mb": show("after", pid, c), **c}
        c = await counts(pid, counts_path, collect=True)
        label = "after gc + malloc_trim" if args.trim else "after gc"
        figures["after_gc"] = {"rss_mb": show(label, pid, c), "trim": args.trim, **c}
        for again in range(2, args.rounds + 1):  # the same flood again: is the retained memory reused?
            codes = await create(http, url, args.creations, 16)
            figures["failed_cycles"] += await churn(http, url, codes, args.cycles, args.concurrency,
                                                    first=200 + (again - 1) * args.cycles)
            c = await counts(pid, counts_path)
            figures[f"peak_{again}"] = {"rss_mb": show(f"peak, round {again}", pid, c), **c}
            await asyncio.sleep(max(args.idle * 1.25, 20) + 5)
            c = await counts(pid, counts_path)
            figures[f"after_{again}"] = {"rss_mb": show(f"after, round {again}", pid, c), **c}
    return figures


def run(args) -> dict:
    """Start the server, drive the churn, stop the server; return the figures."""
    from tests.support.server import ServerProcess

    tmp = Path(tempfile.mkdtemp(prefix="memory-churn-"))
    counts_path = tmp / "counts.json"
    # Per-connection rate-limit keys live one window after their last event: a 10 s window lets the sweep
    # drop them within the run (the default is 60 s).
    env = {"PYTHONTRACEMALLOC": "1"} if args.tracemalloc else {}
    env |= dict(item.split("=", 1) for item in args.server_env)
    env |= {"WORKSHOP_RATE_CREATE": "1000000,60", "WORKSHOP_RATE_JOIN_CONNECTION": "100000,10",
           "BENCH_TRIM": "1" if args.trim else "0", "WORKSHOP_ROOM_IDLE_SECONDS": str(args.idle),
           "BENCH_COUNTS": str(counts_path)}
    server = ServerProcess(tmp / "data", env=env, module="bench.memory_churn")
    try:
        server.start()
        figures = asyncio.run(asyncio.wait_for(drive(args, server, counts_path), args.time_limit))
        if args.tracemalloc:
            figures["grown"] = snapshot_growth(sorted(tmp.glob("counts.*.snap")))
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return figures


def snapshot_growth(snapshots: list[Path], top: int = 15) -> list[str]:
    """What was allocated after the baseline and is still alive at the end (tracemalloc), biggest first."""
    import tracemalloc

    first, last = (tracemalloc.Snapshot.load(str(s)) for s in (snapshots[0], snapshots[-1]))
    lines = [str(stat) for stat in last.compare_to(first, "lineno")[:top]]
    for line in lines:
        print("  grown:", line, flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run once, print the summary (and the JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creations", type=int, default=3000)
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100, help="cycles in flight at once")
    parser.add_argument("--idle", type=float, default=20.0, help="the server's ROOM_IDLE_SECONDS for this run")
    parser.add_argument("--rounds", type=int, default=1, help="floods one after the other (each with its idle wait)")
    parser.add_argument("--time-limit", type=float, default=170.0)
    parser.add_argument("--trim", action="store_true", help="diagnosis: malloc_trim(0) after the last collection")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="diagnosis: trace the server's allocations; print what grew from baseline to the end")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="diagnosis: an environment variable for the server, e.g. PYTHONMALLOC=malloc")
    parser.add_argument("--json", help="also write the figures (with object counts) to this file")
    args = parser.parse_args(argv)
    started = time.monotonic()
    figures = run(args)
    figures["run_s"] = round(time.monotonic() - started, 1)
    print(f"creations {args.creations} in {figures['create_s']} s, cycles {args.cycles} in {figures['cycles_s']} s "
          f"({figures['failed_cycles']} failed); run {figures['run_s']} s; "
          f"after - baseline {figures['after']['rss_mb'] - figures['baseline']['rss_mb']:+.1f} MB", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        sys.exit(serve_with_counts(sys.argv[1:]))
    sys.exit(main())
