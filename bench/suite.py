"""The standard benchmark set, bounded to 10 minutes; writes JSON and a markdown table to bench/results/.

    bash bench/run            (or: make bench)
    .venv/bin/python bench/suite.py --budget 600 [--quick]

Scenarios, in order: 50, 500 and 2,000 phones in one session; then 4,000 and
8,000 while the previous step held and the budget allows; a burst of 1,000
answers per second; 100 sessions of 20 phones; the 500-phone load against the
gevent and threading async modes and against the naive baseline
(bench/naive_server.py); the export build times for 2,000 participants.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import exports_time  # noqa: E402
from bench.load import Scenario, machine_load, run, summary_line  # noqa: E402

RESULTS = ROOT / "bench" / "results"
COMPARE_PHONES = 500


def window_for(phones: int) -> float:
    """Answer window: 10 s up to 1,000 phones, then about 400 answers per second (4 per phone)."""
    return max(10.0, phones / 100)


def standard(quick: bool) -> list[tuple[str, Scenario]]:
    """The fixed part of the set: (group, scenario)."""
    sizes = [50, 500] if quick else [50, 500, 2000]
    items = [("size", Scenario(name=f"{n} phones", phones=n, window=window_for(n), time_limit=150)) for n in sizes]
    return items


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    return {"nproc": sh("nproc"), "free_h": sh("free -h"), "uname_a": sh("uname -a"),
            "python": sys.version.split()[0] + " " + platform.python_implementation(),
            "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
            "git": sh(f"git -C {ROOT} rev-parse --short HEAD") + (" (with uncommitted changes)" if sh(
                f"git -C {ROOT} status --porcelain -- workshop") else "")}


def held(r: dict) -> bool:
    """Whether a step went well enough to try the next size."""
    return bool(r.get("completed")) and r["error_count"] == 0 and (r["projector_ms"]["p99"] or 1e9) < 5000


RATIO_KEYS = [("join_s", "join"), ("projector_ms.p50", "projector p50"), ("projector_ms.p95", "projector p95"),
              ("projector_ms.p99", "projector p99"), ("ack_ms.p50", "ack p50"), ("ack_ms.p99", "ack p99"),
              ("cpu_s_total", "CPU s"), ("peak_rss_mb", "peak RSS"), ("kb_per_phone", "KB/phone")]


def get(r: dict, dotted: str):
    """A nested figure by dotted name, None when absent."""
    value = r
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def ratios(base: dict, other: dict) -> dict[str, float | None]:
    """other / base for each comparable figure."""
    out = {}
    for key, label in RATIO_KEYS:
        a, b = get(base, key), get(other, key)
        out[label] = round(b / a, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else None
    return out


def fmt(value, digits: int = 0) -> str:
    """A figure for the table; – when missing."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if digits else f"{value:g}"
    return str(value)


def row(r: dict) -> str:
    """One markdown row of a run."""
    sc = r["scenario"]
    if not r.get("completed"):
        return (f"| {sc['name']} | {sc['phones']} | {sc['sessions']} | – | – | – | FAILED: {r.get('failure', '')[:80]} "
                f"| – | – | – | – | – | – | – | – | {r.get('load_after', ['–'])[0]} |")
    p, a = r["projector_ms"], r["ack_ms"]
    errors = str(r["error_count"]) + (" " + ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) if r["errors"] else "")
    return (f"| {sc['name']} | {r['joined']}/{sc['phones']} | {sc['sessions']} | {r['answers_per_s']:g} | "
            f"{fmt(r['join_s'])} | {errors} | {fmt(p['p50'])} | {fmt(p['p95'])} | {fmt(p['p99'])} | "
            f"{fmt(a['p50'])} | {fmt(a['p99'])} | {fmt(r['peak_rss_mb'])} | {fmt(r['kb_per_phone'])} | "
            f"{fmt(r['cpu_s_total'])} | {fmt(r['cpu_wait_s_answers'])} | "
            f"{'ok' if r['db_check']['ok'] else 'BAD'} | {r['load_during'][0]} |")


HEADER = ("| scenario | joined | sessions | answers/s | join s | errors | projector p50 ms | p95 | p99 | "
          "ack p50 ms | ack p99 | peak RSS MB | KB/phone | server CPU s | CPU wait s | db | load 1 min |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def markdown(report: dict) -> str:
    """The results as markdown."""
    m = report["machine"]
    lines = [f"# Benchmark results {report['started']}", "",
             f"Command: `{report['command']}`  ", f"Machine: {m['nproc']} cores ({m['cpu']}), {m['python']}, "
             f"`{m['uname_a']}`  ", f"Code: {m['git']}  ",
             f"Load average before/after: {report['load_before']} / {report['load_after']}; wall {report['wall_s']} s", "",
             "```", m["free_h"], "```", "", HEADER]
    lines += [row(r) for r in report["runs"]]
    if report.get("ratios"):
        lines += ["", f"Ratios to eventlet (ours) at {COMPARE_PHONES} phones (value / eventlet; > 1 is worse):", "",
                  "| variant | " + " | ".join(label for _, label in RATIO_KEYS) + " |",
                  "|---|" + "---|" * len(RATIO_KEYS)]
        for name, values in report["ratios"].items():
            lines.append(f"| {name} | " + " | ".join(fmt(values[label]) for _, label in RATIO_KEYS) + " |")
    ex = report.get("exports")
    if ex:
        lines += ["", f"Export build for {ex['participants']} participants:"]
        if ex.get("measurable"):
            lines.append(f"summary {ex['summary']['cpu_ms']} ms CPU ({ex['summary']['wall_ms']} ms wall); " + "; ".join(
                f"{k} {v['cpu_ms']} ms CPU ({v['wall_ms']} ms wall, {v['bytes']} bytes)" for k, v in ex["formats"].items()))
        else:
            lines.append(ex.get("note", "not measurable"))
    if report.get("skipped"):
        lines += ["", "Skipped: " + "; ".join(report["skipped"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the set within the budget and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=570.0, help="seconds for the whole set (default 570)")
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke test of the tool)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    deadline = started + args.budget
    report: dict = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "command": " ".join(["bench/run"] + (argv if argv is not None else sys.argv[1:])),
                    "machine": machine(), "load_before": machine_load(), "runs": [], "skipped": []}

    def left() -> float:
        return deadline - time.monotonic()

    def go(sc: Scenario, need: float) -> dict | None:
        """Run a scenario if the budget allows; the time limit never exceeds what is left."""
        if left() < need:
            report["skipped"].append(f"{sc.name} (needs ~{need:.0f} s, {left():.0f} s left)")
            print(f"skip {sc.name}: {left():.0f} s left", flush=True)
            return None
        sc.time_limit = min(sc.time_limit, max(30.0, left() - 10))
        r = run(sc)
        report["runs"].append(r)
        print(summary_line(r) + f"  [{r['wall_s']} s]", flush=True)
        return r

    base = None
    last = None
    for _, sc in standard(args.quick):
        last = go(sc, 30 + sc.phones / 100)
        if sc.phones == COMPARE_PHONES:
            base = last
    if not args.quick:
        for n in (4000, 8000):
            if last is None or not held(last):
                report["skipped"].append(f"{n} phones (the previous size did not hold)")
                break
            last = go(Scenario(name=f"{n} phones", phones=n, window=window_for(n), time_limit=240), 40 + n / 40)
        go(Scenario(name="burst 1,000 answers/s", phones=1000, window=4.0, time_limit=90), 40)
        go(Scenario(name="100 sessions x 20 phones", phones=2000, sessions=100, window=20.0, time_limit=150), 70)
    compare = {}
    for name, kwargs in (("gevent", {"async_mode": "gevent"}), ("threading", {"async_mode": "threading"}),
                         ("naive (every answer to every phone)", {"naive": True})):
        sc = Scenario(name=f"{COMPARE_PHONES} phones, {name}", phones=COMPARE_PHONES, window=window_for(COMPARE_PHONES),
                      time_limit=90, **kwargs)
        r = go(sc, 40)
        if r is not None and base is not None and base.get("completed"):
            compare[name] = ratios(base, r) if r.get("completed") else {label: None for _, label in RATIO_KEYS}
    report["ratios"] = compare
    if left() > 40:
        report["exports"] = exports_time.measure(250 if args.quick else 2000, repeat=3)
    else:
        report["skipped"].append("export build times (out of budget)")
    report["load_after"] = machine_load()
    report["wall_s"] = round(time.monotonic() - started, 1)

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / f"{stamp}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(report, indent=2))
    text = markdown(report)
    for path in (RESULTS / f"{stamp}.md", RESULTS / "latest.md"):
        path.write_text(text)
    print(f"\nwrote {RESULTS / (stamp + '.md')} and .json ({report['wall_s']} s)\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
