"""The hosting benchmarks of docs/performance.md ("Several workers behind nginx"), one bounded run each.

    python -m bench.hosting rooms      # 200 rooms x 20 phones: 1 worker vs 2 workers, both behind nginx, at
                                       # growing answer rates (windows 20, 10, 5 s)
    python -m bench.hosting plenary    # 2,000 phones in one room: direct vs through nginx, twice each

Prints one summary line per run and writes every run's figures as JSON lines to --out.
"""
from __future__ import annotations

import argparse
import json
import sys

from bench.load import Scenario, run, summary_line

ROOMS = [(workers, window) for window in (20.0, 10.0, 5.0) for workers in (1, 2)]
PLENARY = [False, True, False, True]


def scenarios(which: str, windows: list[float] | None) -> list[Scenario]:
    """The runs of one benchmark."""
    if which == "rooms":
        pairs = [(w, win) for win in windows for w in (1, 2)] if windows else ROOMS
        return [Scenario(name=f"200x20 {w} worker(s) window {win:g} s", phones=4000, sessions=200, window=win,
                         proxy=True, server_workers=w, time_limit=150.0) for w, win in pairs]
    window = windows[0] if windows else 20.0  # 400 answers/s, the standard set's plenary (docs/performance.md)
    return [Scenario(name=f"2000 phones {'via nginx' if proxy else 'direct'}", phones=2000, sessions=1, window=window,
                     proxy=proxy, time_limit=90.0) for proxy in PLENARY]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmark's scenarios in turn."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=("rooms", "plenary"))
    parser.add_argument("--window", type=float, action="append",
                        help="answer windows in seconds (rooms: each in turn, default 20, 10, 5; plenary: default 20)")
    parser.add_argument("--out", default=None, help="append each run's JSON figures to this file")
    args = parser.parse_args(argv)
    for scenario in scenarios(args.which, args.window):
        result = run(scenario)
        rate = (result.get("acked", 0) / result["answer_span_s"]) if result.get("answer_span_s") else None
        result["acked_per_s"] = round(rate, 1) if rate else None
        extra = (f", acked/s {result['acked_per_s']}, server CPU s while answering {result.get('cpu_s_answers')} "
                 f"{result.get('cpu_s_answers_per_process')} = {result.get('cpu_ms_per_acked_answer')} ms/answer, "
                 f"projector updates while answering {result.get('lives_during_answers')}, "
                 f"preempted {result.get('preempted_answers')}x, nginx+redis CPU s {result.get('proxy_cpu_s_answers')}")
        print(summary_line(result) + extra, flush=True)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as f:
                f.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
