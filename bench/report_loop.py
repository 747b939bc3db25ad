"""How long /healthz waits while four comparisons of big sessions are built (issue 20, finding 7).

    .venv/bin/python bench/report_loop.py --sessions 12 --people 5000 [--json]

Stores SESSIONS finished sessions of PEOPLE participants (tests/support/big_sessions.py), starts the real
`workshop serve` (eventlet) on them twice, as shipped (reports built in OS threads) and with
BENCH_NO_OFFLOAD=1 (built on the event loop, as before), and in each makes one comparison of all of them
(which also loads the sessions into memory), then four at once while asking /healthz one after another.
The median and slowest /healthz answer say how long every socket waited meanwhile.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.big_sessions import seed  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402


def served(data_dir: Path, made: list[tuple[str, str]], offload: bool) -> dict[str, object]:
    """One warm comparison, then four at once with /healthz timed meanwhile."""
    body = {"sessions": [{"code": code, "token": token} for code, token in made]}
    env = {} if offload else {"BENCH_NO_OFFLOAD": "1"}
    with ServerProcess(data_dir, env=env, module="bench.variant_server") as server:
        t0 = time.perf_counter()
        requests.post(server.url + "/api/compare", json=body, timeout=300).raise_for_status()
        first_ms = round((time.perf_counter() - t0) * 1000)
        pings, took = [], []

        def compare() -> None:
            began = time.perf_counter()
            requests.post(server.url + "/api/compare", json=body, timeout=300).raise_for_status()
            took.append((time.perf_counter() - began) * 1000)

        workers = [threading.Thread(target=compare) for _ in range(4)]
        for worker in workers:
            worker.start()
        while any(worker.is_alive() for worker in workers):
            t1 = time.perf_counter()
            requests.get(server.url + "/healthz", timeout=60)
            pings.append((time.perf_counter() - t1) * 1000)
    pings.sort()
    return {"first_compare_ms": first_ms, "four_compares_ms": round(max(took)),
            "healthz_answers": len(pings), "healthz_median_ms": round(statistics.median(pings), 1),
            "healthz_max_ms": round(pings[-1], 1)}


def main(argv: list[str] | None = None) -> int:
    """Print the figures, offloaded and on the event loop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=12, help="sessions in each comparison")
    parser.add_argument("--people", type=int, default=5000, help="participants per session")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="workshop-report-loop-"))
    try:
        made = seed(tmp / "data", args.sessions, args.people)
        result = {"sessions": args.sessions, "people": args.people,
                  "offloaded": served(tmp / "data", made, offload=True),
                  "on_event_loop": served(tmp / "data", made, offload=False)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for how in ("offloaded", "on_event_loop"):
            print(f"{how}: {result[how]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
