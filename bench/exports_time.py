"""Time to build each export of a session with N participants (default 2,000), in process, no server.

    .venv/bin/python bench/exports_time.py --participants 2000 [--json]

Builds a session in a temporary data dir through workshop.live (joins with
nicknames and disciplines, four answers each, a second round on one question,
notes), then times workshop.exports.load_summary and each format of
workshop.exports.render. Process CPU time is reported next to wall time
because the machine may be shared. Under `workshop serve` these run inside the
server's single event loop, so every phone waits while one is built.
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
    """A self-paced session with answers from every participant; returns (live, code)."""
    from workshop import create_app

    app = create_app({"ASYNC_MODE": "threading", "DATA_DIR": str(data_dir), "MAX_PARTICIPANTS": participants + 10})
    live = app.extensions["workshop"].live
    rng = random.Random(seed)
    room, _token = live.create("Export benchmark", "self", None, "nl")
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
    return live, room.code


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
        live, code = build_session(tmp / "data", participants)
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
        for fmt in exports.RENDERERS:
            fig, body = timed(lambda: exports.render(summary, fmt, live.questionnaire), repeat)
            fig["bytes"] = len(body)
            out["formats"][fmt] = fig
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Print the export build times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000, help="participants in the session")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is reported)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    result = measure(args.participants, args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
    elif not result["measurable"]:
        print(result["note"])
    else:
        print(f"summary of {args.participants} participants: {result['summary']}")
        for fmt, fig in result["formats"].items():
            print(f"  {fmt:5} {fig}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
