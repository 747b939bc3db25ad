"""`workshop serve` with one of the serve settings changed, to check what each one buys on the real app.

    BENCH_BACKLOG=50 BENCH_MAX_CONNECTIONS=1024 BENCH_NODELAY=0 BENCH_DEFLATE=1 \
        python -m bench.variant_server serve --host 127.0.0.1 --port 0

BENCH_BACKLOG / BENCH_MAX_CONNECTIONS replace workshop.server's listen backlog
and eventlet's max_size; BENCH_NODELAY=0 leaves TCP_NODELAY off;
BENCH_SETTING_NAME=VALUE sets the app's setting NAME (as WORKSHOP_NAME would; e.g. BENCH_SETTING_WEBSOCKET_DEFLATE=0);
BENCH_DEFLATE=1 lets websockets negotiate permessage-deflate as the client offers it (context takeover too);
BENCH_GCLOG=FILE appends every garbage collection longer than 5 ms to FILE;
BENCH_GC_THRESHOLD=a,b,c sets gc.set_threshold(a, b, c) instead of workshop.server's choice
(with BENCH_GC_FREEZE=0 also undoes its gc.freeze());
BENCH_LAGLOG=FILE logs every stall of the event loop over 20 ms: how long, and how much of it the
process was on a CPU or waiting for one (/proc/self/schedstat);
BENCH_SPREAD_PINGS=1 applies workshop.web.transport.spread_heartbeats (when the app does not yet);
BENCH_PING_INTERVAL=S sets Engine.IO's ping interval (the app's is 20 s);
BENCH_ONE_WINDOW=1 restores the broadcaster before the projector and facilitator parts had windows of
their own: both parts together, at most every min(interval, COST_FACTOR x the full flush's cost)
(with BENCH_FIXED_WINDOW=1: at most every interval, the broadcaster this project started with);
BENCH_FLUSHLOG=FILE appends each aggregate flush's duration in ms (with the window chosen after it);
BENCH_HEAP=FILE,AT writes the types of the objects the collector tracks, AT s after start;
BENCH_NO_OFFLOAD=1 builds downloads on the event loop again (no OS thread), as before exports were offloaded;
BENCH_GC_GARBAGE=FILE,AT keeps the cyclic garbage of 2 s starting AT s after start and writes its types to FILE.
bench/load.py --variant NAME=VALUE starts this module.
"""
from __future__ import annotations

import os
import socket
import sys

from workshop import cli, server


def write_type_counts(path: str, objects: list, frames: list[str] | None = None) -> None:
    """Write how many objects there are of each type (and of each frame's function, when given)."""
    import collections

    with open(path, "w") as f:
        f.write(f"{len(objects)} objects\n")
        for kind, n in collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in objects).most_common(40):
            f.write(f"{n:8} {kind}\n")
        if frames is not None:
            f.write("frames:\n")
            for kind, n in collections.Counter(frames).most_common(30):
                f.write(f"{n:8} {kind}\n")

for _name, _value in list(os.environ.items()):
    if _name.startswith("BENCH_SETTING_"):
        os.environ["WORKSHOP_" + _name[len("BENCH_SETTING_"):]] = _value

if "BENCH_BACKLOG" in os.environ:
    server.BACKLOG = int(os.environ["BENCH_BACKLOG"])
if "BENCH_MAX_CONNECTIONS" in os.environ:
    server.MAX_CONNECTIONS = int(os.environ["BENCH_MAX_CONNECTIONS"])
if os.environ.get("BENCH_DEFLATE") == "1":  # permessage-deflate as the client offers it, context takeover included
    from workshop.web import transport as deflate  # websocket compression lives in transport.py

    deflate.websocket_compression = lambda app, enabled: app
if os.environ.get("BENCH_NO_OFFLOAD") == "1":
    from workshop.web.services import run_here

    server.thread_pool = lambda mode: run_here
if os.environ.get("BENCH_NODELAY") == "0":
    _listen = server.listen

    def listen(host: str, port: int) -> socket.socket:
        """The app's listening socket with TCP_NODELAY switched off again."""
        sock = _listen(host, port)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        return sock

    server.listen = listen

if os.environ.get("BENCH_GC_THRESHOLD"):
    import gc

    _run_before_gc = server.run

    def gc_run(app, sock, mode) -> None:
        """Replace the collector thresholds `serve` chose (GC_FREEZE=0: and undo its freeze), then serve."""
        gc.set_threshold(*(int(x) for x in os.environ["BENCH_GC_THRESHOLD"].split(",")))
        if os.environ.get("BENCH_GC_FREEZE") == "0":
            gc.unfreeze()
        _run_before_gc(app, sock, mode)

    server.run = gc_run

if os.environ.get("BENCH_GC_GARBAGE"):
    import gc
    import threading
    import time as _time

    _path, _at = os.environ["BENCH_GC_GARBAGE"].split(",")

    def _sample() -> None:
        """Keep two seconds of cyclic garbage and count it by type."""
        _time.sleep(float(_at))
        gc.set_debug(gc.DEBUG_SAVEALL)
        _time.sleep(2)
        gc.collect()
        gc.set_debug(0)
        frames = [f"{o.f_code.co_filename}:{o.f_code.co_name}" for o in gc.garbage if type(o).__name__ == "frame"]
        write_type_counts(_path, gc.garbage, frames)

    threading.Thread(target=_sample, daemon=True).start()

if os.environ.get("BENCH_SPREAD_PINGS") == "1":
    _run_before_spread = server.run

    def spread_run(app, sock, mode) -> None:
        """Serve with the heartbeats spread out."""
        from workshop.web.transport import spread_heartbeats

        spread_heartbeats(app.extensions["socketio"].server.eio)
        _run_before_spread(app, sock, mode)

    server.run = spread_run

if os.environ.get("BENCH_PING_INTERVAL"):
    _run_before_ping = server.run

    def ping_run(app, sock, mode) -> None:
        """Serve with another heartbeat interval."""
        app.extensions["socketio"].server.eio.ping_interval = float(os.environ["BENCH_PING_INTERVAL"])
        _run_before_ping(app, sock, mode)

    server.run = ping_run

if os.environ.get("BENCH_ONE_WINDOW") == "1":
    _run_before_one = server.run

    def one_window_run(app, sock, mode) -> None:
        """Serve with one window for both parts."""
        from workshop.web import broadcaster as broadcast

        b = app.extensions["workshop"].broadcaster
        send = b._send
        b._send = lambda room, parts: send(room, {broadcast.SCREEN, broadcast.FULL})
        if os.environ.get("BENCH_FIXED_WINDOW") == "1":  # the very first broadcaster: always `interval`
            b.window = lambda code, part: b.interval
        else:
            b.window = lambda code, part: min(b.interval, broadcast.COST_FACTOR * b._cost.get((code, broadcast.FULL), 0.0))
        _run_before_one(app, sock, mode)

    server.run = one_window_run

if os.environ.get("BENCH_FLUSHLOG"):
    _run_before_flush = server.run

    def flush_run(app, sock, mode) -> None:
        """Serve with the broadcaster's flush timed."""
        import time as _t

        broadcaster = app.extensions["workshop"].broadcaster
        log = open(os.environ["BENCH_FLUSHLOG"], "a", buffering=1)
        send, roster = broadcaster._send, broadcaster.roster

        def timed_roster(room):
            t0 = _t.perf_counter()
            try:
                return roster(room)
            finally:
                timed_roster.last = (_t.perf_counter() - t0) * 1000

        def timed_send(room, parts) -> None:
            timed_roster.last = timed_roster.live = 0.0
            t0 = _t.perf_counter()
            send(room, parts)
            log.write(f"{_t.monotonic():.3f} {(_t.perf_counter() - t0) * 1000:.2f} roster {timed_roster.last:.2f} "
                      f"members {len(room.tally.members)} live {timed_roster.live:.2f} parts {'+'.join(sorted(parts))}\n")

        broadcaster._send, broadcaster.roster = timed_send, timed_roster
        flush_later, schedule = broadcaster._flush_later, broadcaster._schedule

        def logged_flush_later(room, wake):
            started = _t.monotonic()
            try:
                return flush_later(room, wake)
            finally:
                log.write(f"{_t.monotonic():.3f} task woke {(_t.monotonic() - wake) * 1000:.1f} ms late "
                          f"(started {(started - wake) * 1000:.1f} ms before its wake time)\n")

        broadcaster._flush_later = logged_flush_later
        from workshop.core.tally import Tally

        live = Tally.live

        def timed_live(self, *args, **kwargs):
            t0 = _t.perf_counter()
            try:
                return live(self, *args, **kwargs)
            finally:
                timed_roster.live = (_t.perf_counter() - t0) * 1000

        Tally.live = timed_live
        _run_before_flush(app, sock, mode)

    server.run = flush_run

if os.environ.get("BENCH_LAGLOG"):
    _run_before_lag = server.run

    def lag_run(app, sock, mode) -> None:
        """Serve with a ticker greenthread that logs how late it wakes up."""
        import time as _t

        socketio = app.extensions["socketio"]
        log = open(os.environ["BENCH_LAGLOG"], "a", buffering=1)

        def schedstat() -> tuple[float, float]:
            """CPU and run-queue milliseconds of all the process's threads."""
            total_cpu = total_wait = 0
            for task in os.listdir("/proc/self/task"):
                try:
                    with open(f"/proc/self/task/{task}/schedstat") as f:
                        cpu, wait, _ = f.read().split()
                    total_cpu += int(cpu)
                    total_wait += int(wait)
                except (OSError, ValueError):
                    pass
            return total_cpu / 1e6, total_wait / 1e6

        def ticker() -> None:
            """Sleep 10 ms at a time; log wake-ups more than 20 ms late."""
            while True:
                t0, (c0, w0) = _t.monotonic(), schedstat()
                socketio.sleep(0.01)
                late = (_t.monotonic() - t0 - 0.01) * 1000
                if late > 20:
                    c1, w1 = schedstat()
                    log.write(f"{_t.monotonic():.3f} stall {late:.0f} ms: on cpu {c1 - c0:.0f} ms, "
                              f"waiting for a cpu {w1 - w0:.0f} ms\n")

        socketio.start_background_task(ticker)
        _run_before_lag(app, sock, mode)

    server.run = lag_run

if os.environ.get("BENCH_HEAP"):
    import gc
    import threading
    import time as _time

    _heap_path, _heap_at = os.environ["BENCH_HEAP"].split(",")

    def _heap() -> None:
        """Count the tracked objects by type."""
        _time.sleep(float(_heap_at))
        write_type_counts(_heap_path, gc.get_objects())

    threading.Thread(target=_heap, daemon=True).start()

if os.environ.get("BENCH_GCLOG"):
    import gc
    import time

    _gc_log = open(os.environ["BENCH_GCLOG"], "a", buffering=1)
    _gc_start = [0.0]

    def _gc_timer(phase: str, info: dict) -> None:
        """Log long collections: generation, duration, objects collected."""
        if phase == "start":
            _gc_start[0] = time.perf_counter()
        else:
            took = time.perf_counter() - _gc_start[0]
            if took > 0.005:
                _gc_log.write(f"{time.monotonic():.3f} gen{info['generation']} {took * 1000:.1f} ms "
                              f"collected {info['collected']} objects {len(gc.get_objects())}\n")

    gc.callbacks.append(_gc_timer)

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
