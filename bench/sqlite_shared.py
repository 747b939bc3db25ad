"""SQLite in WAL mode shared by worker processes: commits per second and the wait for the write lock.

    python -m bench.sqlite_shared --processes 1 2 4 --seconds 5            # as fast as they can
    python -m bench.sqlite_shared --processes 2 4 --seconds 5 --rate 500   # each at 500 answers/s

Each process opens the real Store on one database, owns its own sessions (as a worker does) and stores
answers as fast as it can, one committed transaction per answer (as Live.answer does). Prints, per
process count, the commits per second of all processes together and the p50/p99/max time one commit took
(mostly waiting for another process's write lock: busy_timeout).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path


def writer(path: str, index: int, seconds: float, start_at: float, out, rate: float = 0.0) -> None:
    """Store answers to this process's own session until the time is up; send back each commit's duration."""
    from workshop.store.sqlite import Store

    store = Store(path)
    session = store.create_session(code=f"P{index:05d}", title="bench", language="nl", questionnaire_id="q",
                                   questionnaire_version="1", disciplines=[], facilitator_hash="x",
                                   state={}, now="2026-01-01T00:00:00+00:00")
    people = [store.add_participant(session, f"t{index}-{n}", None, None, "2026-01-01T00:00:00+00:00")[0]
              for n in range(200)]
    while time.time() < start_at:
        time.sleep(0.001)
    durations, seq, end = [], 0, start_at + seconds
    while time.time() < end:
        seq += 1
        t0 = time.perf_counter()
        store.save_answer(session, people[seq % len(people)], f"q{seq % 40}", 1, "a", seq, "2026-01-01T00:00:00+00:00")
        durations.append(time.perf_counter() - t0)
        if rate:  # paced: the next commit at its turn (a worker's answers arrive spread out, not in a loop)
            time.sleep(max(0.0, start_at + seq / rate - time.time()))
    store.close()
    out.put(durations)


def measure(processes: int, seconds: float, folder: Path, rate: float = 0.0) -> dict:
    """Run `processes` writers on one fresh database; return the totals."""
    path = str(folder / f"shared-{processes}.sqlite3")
    from workshop.store.sqlite import Store

    Store(path).close()  # schema first, so no writer waits on it
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 2.0
    procs = [ctx.Process(target=writer, args=(path, i, seconds, start_at, out, rate)) for i in range(processes)]
    for p in procs:
        p.start()
    durations = [d for _ in procs for d in out.get(timeout=seconds + 60)]
    for p in procs:
        p.join()
    durations.sort()
    ms = lambda q: round(durations[min(len(durations) - 1, int(q * len(durations)))] * 1000, 2)  # noqa: E731
    return {"processes": processes, "rate_per_process": rate or "max", "commits_per_s": round(len(durations) / seconds), "p50_ms": ms(0.5),
            "p99_ms": ms(0.99), "max_ms": round(durations[-1] * 1000, 2),
            "mean_ms": round(statistics.fmean(durations) * 1000, 3)}


def main(argv: list[str] | None = None) -> int:
    """Measure each process count in turn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=0.0, help="commits per second per process (0: as fast as it can)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="workshop-sqlite-") as folder:
        for count in args.processes:
            print(measure(count, args.seconds, Path(folder), args.rate), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
