"""Time to build each export of a session with N participants (default 2,000), in process, no server.

    .venv/bin/python bench/exports_time.py --participants 2000 [--json] [--served]

Builds a session in a temporary data dir through workshop.live.service (joins with
nicknames and disciplines, four answers each, a second round on one question,
notes), then times workshop.exports.load_summary and each format of
workshop.exports.render. Process CPU time is reported next to wall time
because the machine may be shared. Under `workshop serve` these run inside the
server's single event loop, so every phone waits while one is built.

--served also starts the real `workshop serve` (eventlet) on that session twice, once as shipped
(downloads built in an OS thread) and once with BENCH_NO_OFFLOAD=1 (built on the event loop), and
while the XLSX downloads it asks /healthz every 20 ms: the slowest and median answers say how long
everyone else waits meanwhile.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build_session(data_dir: Path, participants: int, seed: int = 1):
    """A self-paced session with answers from every participant; returns (live, code, facilitator token)."""
    from workshop import create_app

    app = create_app({"ASYNC_MODE": "threading", "DATA_DIR": str(data_dir), "MAX_PARTICIPANTS": participants + 10})
    live = app.extensions["workshop"].live
    rng = random.Random(seed)
    room, token = live.create("Export benchmark", "self", None, "nl")
    live.command(room, "start")
    questions = live.questionnaire.questions
    members = []
    for i in range(participants):
        member, _ = live.join(room, f"Deelnemer {i + 1}", rng.choice(room.disciplines))
        members.append(member.id)
    for pid in members:
        for q in questions:
            live.answer(room, pid, q.id, rng.choice(q.options).id, 1)
    first = questions[0].id
    live.command(room, "close", question=first)
    live.command(room, "new_round", question=first)
    live.command(room, "open", question=first)
    for pid in members[: participants // 2]:
        live.answer(room, pid, first, rng.choice(questions[0].options).id, 2)
    live.save_note(room, "", "Algemene notitie " * 20)
    for q in questions:
        live.save_note(room, q.id, f"Notitie bij {q.id} " * 10)
    live.command(room, "results")
    return live, room.code, token


def timed(fn, repeat: int) -> tuple[dict[str, float], object]:
    """Median wall and CPU milliseconds of fn over `repeat` runs, and its last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return {"wall_ms": round(statistics.median(walls) * 1000, 1),
            "cpu_ms": round(statistics.median(cpus) * 1000, 1)}, result


def measure(participants: int, repeat: int = 3) -> dict[str, object]:
    """Build the session, then time the summary and every export format."""
    tmp = Path(tempfile.mkdtemp(prefix="workshop-exports-"))
    try:
        t0 = time.perf_counter()
        live, code, _token = build_session(tmp / "data", participants)
        setup_s = time.perf_counter() - t0
        try:
            from workshop import exports

        except ImportError:
            return {"participants": participants, "measurable": False,
                    "note": "workshop/exports.py does not exist yet"}
        now = live.clock()
        load = lambda: exports.load_summary(live.store, live.questionnaire, code, now=now)  # noqa: E731
        figures, summary = timed(load, repeat)
        out: dict[str, object] = {"participants": participants, "measurable": True, "setup_s": round(setup_s, 1),
                                  "summary": figures, "formats": {}}
        for fmt in exports.FORMATS:
            fig, body = timed(lambda: exports.render(summary, fmt, live.questionnaire), repeat)
            fig["bytes"] = len(body)
            out["formats"][fmt] = fig
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def served(data_dir: Path, code: str, token: str, offload: bool) -> dict[str, object]:
    """Download the XLSX from a real server while timing /healthz every 20 ms."""
    import threading

    import requests

    from tests.support.server import ServerProcess

    env = {} if offload else {"BENCH_NO_OFFLOAD": "1"}
    with ServerProcess(data_dir, env=env, module="bench.variant_server") as server:
        browser = requests.Session()
        browser.get(f"{server.url}/s/{code}/manage?t={token}", timeout=10)  # the facilitator cookie
        done, pings = threading.Event(), []
        got: dict[str, object] = {}

        def download() -> None:
            t0 = time.perf_counter()
            response = browser.get(f"{server.url}/s/{code}/export.xlsx", timeout=120)
            got.update(status=response.status_code, bytes=len(response.content),
                       download_ms=round((time.perf_counter() - t0) * 1000))
            done.set()

        worker = threading.Thread(target=download)
        worker.start()
        while not done.is_set():
            t0 = time.perf_counter()
            requests.get(server.url + "/healthz", timeout=30)
            pings.append((time.perf_counter() - t0) * 1000)
            done.wait(0.02)
        worker.join()
    pings.sort()
    return {**got, "pings": len(pings), "ping_median_ms": round(statistics.median(pings), 1),
            "ping_max_ms": round(pings[-1], 1)}


def measure_served(participants: int) -> dict[str, object]:
    """The XLSX download from a real server, built in an OS thread and on the event loop."""
    tmp = Path(tempfile.mkdtemp(prefix="workshop-exports-served-"))
    try:
        live, code, token = build_session(tmp / "data", participants)
        live.store.close()
        return {"participants": participants,
                "offloaded": served(tmp / "data", code, token, offload=True),
                "on_event_loop": served(tmp / "data", code, token, offload=False)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Print the export build times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000, help="participants in the session")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is reported)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--served", action="store_true",
                        help="also time the XLSX download from a real server and /healthz meanwhile")
    args = parser.parse_args(argv)
    result = measure(args.participants, args.repeat)
    if args.served:
        result["served"] = measure_served(args.participants)
    if args.json:
        print(json.dumps(result, indent=2))
    elif not result["measurable"]:
        print(result["note"])
    else:
        print(f"summary of {args.participants} participants: {result['summary']}")
        for fmt, fig in result["formats"].items():
            print(f"  {fmt:5} {fig}")
        for how, fig in result.get("served", {}).items():
            if how != "participants":
                print(f"  served xlsx, {how}: {fig}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
