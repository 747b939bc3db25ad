"""PostgreSQL against SQLite in one sitting: the same load scenarios on each store, one after the other.

    .venv/bin/python -m bench.postgres                      # the 2,000-phone plenary and 200 rooms x 20
    .venv/bin/python -m bench.postgres --only plenary --window 20

It starts a throwaway PostgreSQL (tests/support/postgres.py: initdb into a temporary folder, postgres on
a free port of 127.0.0.1, as the postgres user when run as root, fsync and synchronous_commit on), then
for each scenario runs bench/load.py on SQLite and on a fresh PostgreSQL schema, and prints ack and
projector percentiles, errors and CPU per acknowledged answer (the server's, and with PostgreSQL's own
processes added) with the ratio PostgreSQL / SQLite. PostgreSQL runs with the workshop's default
POSTGRES_SYNCHRONOUS_COMMIT (off: the commit is acknowledged before its WAL flush; the answer survives the
workshop server's death, not PostgreSQL's crash within ~0.6 s, as SQLite's default NORMAL survives a killed
process, not a power cut); `--synchronous-commit on` (each commit waits for its flush: SQLite's FULL) and
`--synchronous-commit off` give one run each, set through the server's WORKSHOP_POSTGRES_SYNCHRONOUS_COMMIT.
The cluster is stopped by its PID at the end.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import Scenario, run  # noqa: E402
from tests.support.postgres import INSTALL_HINT, Cluster, binaries  # noqa: E402
from workshop.settings import Settings  # noqa: E402

SCENARIOS = {
    "plenary": Scenario(name="plenary 2,000 phones", phones=2000, sessions=1, window=20.0),
    "rooms": Scenario(name="200 rooms x 20 phones", phones=4000, sessions=200, window=20.0, time_limit=300.0),
}


def figures(result: dict) -> dict:
    """The figures compared: percentiles, errors, CPU per acknowledged answer."""
    if not result.get("completed"):
        return {"completed": False, "failure": result.get("failure")}
    return {"completed": True, "joined": result["joined"], "errors": result["error_count"],
            "error_kinds": result["errors"],
            "acked": result["db_check"]["acked"], "db_ok": result["db_check"]["ok"],
            "ack_p50_ms": result["ack_ms"]["p50"], "ack_p99_ms": result["ack_ms"]["p99"],
            "projector_p99_ms": result["projector_ms"]["p99"],
            "cpu_ms_per_answer": result["cpu_ms_per_acked_answer"],
            "cpu_ms_per_answer_with_database": result["cpu_ms_per_acked_answer_with_database"],
            "load_during": result.get("load_during")}


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios on both stores and print the comparison (JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=tuple(SCENARIOS), action="append", help="run only this scenario")
    parser.add_argument("--window", type=float, default=None, help="seconds in which every phone answers every question")
    parser.add_argument("--synchronous-commit", choices=("on", "off"), action="append",
                        help="PostgreSQL's synchronous_commit for the workshop's connections, once per value given "
                             "(default: the setting POSTGRES_SYNCHRONOUS_COMMIT's default)")
    parser.add_argument("--json", action="store_true", help="print the full comparison as JSON")
    args = parser.parse_args(argv)
    args.synchronous_commit = args.synchronous_commit or [Settings().postgres_synchronous_commit]
    bin_dir = binaries()
    if bin_dir is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    cluster = Cluster(bin_dir).start()
    report = []
    try:
        for key in args.only or tuple(SCENARIOS):
            base = SCENARIOS[key] if args.window is None else replace(SCENARIOS[key], window=args.window)
            sqlite = figures(run(replace(base, name=f"{base.name}, SQLite")))
            print(f"{base.name}: SQLite {sqlite}", file=sys.stderr, flush=True)
            for commit in args.synchronous_commit:
                postgres = figures(run(replace(base, name=f"{base.name}, PostgreSQL synchronous_commit={commit}",
                                               database_url=cluster.create_schema(), database_pid=cluster.pid,
                                               env={**base.env, "WORKSHOP_POSTGRES_SYNCHRONOUS_COMMIT": commit})))
                ratio = (round(postgres["ack_p99_ms"] / sqlite["ack_p99_ms"], 2)
                         if sqlite.get("completed") and postgres.get("completed") and sqlite["ack_p99_ms"] else None)
                report.append({"scenario": base.name, "phones": base.phones, "sessions": base.sessions,
                               "window_s": base.window, "synchronous_commit": commit, "sqlite": sqlite,
                               "postgres": postgres, "ack_p99_ratio": ratio})
                print(f"{base.name}: PostgreSQL synchronous_commit={commit} {postgres}; ack p99 ratio {ratio}",
                      file=sys.stderr, flush=True)
    finally:
        cluster.stop()
    print(json.dumps(report, indent=2) if args.json else "\n".join(
        f"{r['scenario']}, synchronous_commit={r['synchronous_commit']}: ack p99 SQLite {r['sqlite'].get('ack_p99_ms')} ms, PostgreSQL {r['postgres'].get('ack_p99_ms')} ms"
        f" (x{r['ack_p99_ratio']}); errors {r['sqlite'].get('errors')} / {r['postgres'].get('errors')}; CPU ms/answer "
        f"{r['sqlite'].get('cpu_ms_per_answer')} / {r['postgres'].get('cpu_ms_per_answer_with_database')} (with PostgreSQL's)"
        for r in report))
    ok = all(r["sqlite"].get("completed") and r["postgres"].get("completed") and not r["postgres"]["errors"]
             for r in report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
