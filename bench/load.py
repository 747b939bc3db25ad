"""Load test: N simulated phones, a facilitator and a projector against a real `workshop serve` on 127.0.0.1.

    .venv/bin/python bench/load.py --phones 2000 --window 20
    .venv/bin/python bench/load.py --phones 1000 --window 4            # burst: 1,000 answers per second
    .venv/bin/python bench/load.py --sessions 100 --phones 2000        # many rooms: 100 x 20 phones
    .venv/bin/python bench/load.py --phones 500 --async-mode gevent
    .venv/bin/python bench/load.py --phones 500 --naive                # baseline: every answer to every phone
    .venv/bin/python bench/load.py --phones 2000 --database-url postgresql://...   # on PostgreSQL (bench/postgres.py)

It starts the server (tests/support/server.py), creates the sessions through
POST /api/sessions, starts them self-paced with the facilitator's `command`,
joins the phones (sharded over worker processes), has every phone answer all
questions at random moments within the window, then reports join time,
errors, answer->projector and ack latencies, server RSS and CPU, and checks
that every acknowledged answer is in the database exactly once. Every process
it starts is stopped by PID before it returns; a run has a hard time limit.
"""
from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.sioclient import Client, SocketError  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

DISCIPLINES = ["Directie/management", "Bedrijfsvoering", "Artistiek/inhoud", "Publiek & marketing",
               "Collectie & ICT", "Anders"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Scenario:
    """One run's parameters."""

    name: str = "run"
    phones: int = 50
    sessions: int = 1
    window: float = 10.0
    questions: int = 4          # how many of the questions each phone answers (in order)
    async_mode: str = "eventlet"
    naive: bool = False
    deflate: bool = True
    workers: int = 0            # 0: one per 1,000 phones, at most 3
    time_limit: float = 180.0
    join_concurrency: int = 1000
    seed: int = 1
    env: dict[str, str] = field(default_factory=dict)
    profile: str | None = None  # write the server's cProfile statistics here
    variant: dict[str, str] = field(default_factory=dict)  # bench/variant_server.py knobs, e.g. {"BACKLOG": "50"}
    proxy: bool = False         # nginx (deploy/nginx's maps and locations) in front of the server
    server_workers: int = 1     # above 1: `workshop serve --workers N` with redis-server, behind nginx
    database_url: str | None = None  # PostgreSQL (WORKSHOP_DATABASE_URL) instead of SQLite in the data directory
    database_pid: int | None = None  # its postmaster: the CPU of it and its children is counted as the database's


# Server process figures ---------------------------------------------------------------

def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                values[key] = int(value.split()[0])
    return values


def proc_cpu(pid: int) -> float:
    """User plus system CPU seconds of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_preempted(pid: int) -> int:
    """How many times the kernel took the CPU from a process that still had work (nonvoluntary switches)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("nonvoluntary_ctxt_switches:"):
                return int(line.split(":")[1])
    return 0


def proc_waiting(pid: int) -> float:
    """Seconds the process's threads spent runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[1])
        except (OSError, IndexError):
            pass
    return total / 1e9


def children(pid: int) -> list[int]:
    """The PIDs of a process's children (PostgreSQL's backends and helpers are the postmaster's)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(") ", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def machine_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def machine_load() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) in milliseconds, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return round(ordered[index] * 1000, 1)


# Phones (in worker processes) -----------------------------------------------------------

class Phone:
    """One simulated participant."""

    def __init__(self, http, url: str, code: str, session_index: int, number: int, deflate: bool,
                 rng: random.Random):
        self.client = Client(http, url, "/participant", deflate=deflate, decode=("removed", "failed"),
                             query=f"code={code}")
        self.code = code
        self.session_index = session_index
        self.number = number
        self.rng = rng
        self.pid: int | None = None
        self.error: str | None = None
        self.t_start = self.t_joined = 0.0

    async def join(self, gate: asyncio.Semaphore, questions: list[tuple[str, list[str]]]) -> None:
        """Connect to /participant and join with a nickname and a discipline."""
        async with gate:
            self.t_start = time.monotonic()
            try:
                await self.client.connect({"code": self.code, "token": None})
                ack = await self.client.call("join", {"nickname": f"Phone {self.number}",
                                                      "discipline": self.rng.choice(DISCIPLINES)})
                if not ack.get("ok"):
                    self.error = "join:" + ack["error"]["code"]
                    return
                self.pid = ack["me"]["id"]
                self.t_joined = time.monotonic()
            except SocketError as exc:
                self.error = "join:" + exc.code + (f":{exc.detail}" if exc.detail else "")

    async def answer_all(self, t_go: float, window: float, questions: list[tuple[str, list[str]]]) -> list[tuple]:
        """Answer every question once, each at a random moment in the window; return one record per answer."""
        records = []
        if self.pid is None:
            return records
        moments = sorted(self.rng.uniform(0, window) for _ in questions)
        for (question, options), moment in zip(questions, moments):
            delay = t_go + moment - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            option = self.rng.choice(options)
            t0 = time.monotonic()
            try:
                ack = await self.client.call("answer", {"question": question, "option": option, "round": 1},
                                             timeout=30)
                t1 = time.monotonic()
                if ack.get("ok"):
                    records.append((self.session_index, self.pid, question, option, 1, t0, t1, ack["seq"], None))
                else:
                    records.append((self.session_index, self.pid, question, option, 1, t0, t1, None,
                                    ack["error"]["code"]))
            except SocketError as exc:
                records.append((self.session_index, self.pid, question, option, 1, t0, None, None, exc.code))
        return records


async def loop_lag(samples: list[float], stop: asyncio.Event, period: float = 0.05) -> None:
    """Measure how late the event loop wakes up (a sign the load tool itself is saturated)."""
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.sleep(period)
        samples.append(time.monotonic() - t - period)


async def pipe_recv(conn, deadline: float):
    """Wait for the coordinator's next message without blocking the event loop."""
    while time.monotonic() < deadline:
        if await asyncio.to_thread(conn.poll, 0.2):
            return conn.recv()
    raise TimeoutError("coordinator went quiet")


async def worker_async(conn, job: dict[str, Any]) -> None:
    """Run a shard of phones through join, answers and close, reporting to the coordinator."""
    deadline = time.monotonic() + job["time_limit"]
    rng = random.Random(job["seed"])
    questions = job["questions"]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    lag: list[float] = []
    stop = asyncio.Event()
    async with aiohttp.ClientSession(connector=connector) as http:
        lagger = asyncio.create_task(loop_lag(lag, stop))
        phones = [Phone(http, job["url"], code, s, number, job["deflate"], random.Random(rng.random()))
                  for number, (s, code) in job["phones"]]
        conn.send(("ready",))
        await pipe_recv(conn, deadline)
        gate = asyncio.Semaphore(job["join_concurrency"])
        await asyncio.gather(*(p.join(gate, questions) for p in phones))
        conn.send(("joined", [(p.session_index, p.pid, p.t_start, p.t_joined, p.error) for p in phones],
                   lag[:]))
        lag.clear()
        _, t_go, window = await pipe_recv(conn, deadline)
        batches = await asyncio.gather(*(p.answer_all(t_go, window, questions) for p in phones))
        dropped = sum(1 for p in phones if p.pid is not None and p.client.closed_reason)
        conn.send(("answered", [r for batch in batches for r in batch], dropped, lag[:]))
        await pipe_recv(conn, deadline)
        stop.set()
        await asyncio.gather(*(p.client.close() for p in phones), return_exceptions=True)
        lagger.cancel()
    conn.send(("closed",))


def worker_main(conn, job: dict[str, Any]) -> None:
    """Entry point of a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(worker_async(conn, job))
    except Exception as exc:  # report instead of dying silently
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


# Coordinator ----------------------------------------------------------------------------------

class Screen:
    """A projector on /screen recording when each `live` arrives and the seq it reflects."""

    def __init__(self, http, url: str, code: str, key: str):
        self.code, self.key = code, key
        self.times: list[float] = []
        self.seqs: list[int] = []
        self.client = Client(http, url, "/screen", decode=("live", "snapshot"), on_event=self._event,
                             query=f"code={code}")

    def _event(self, name: str, payload: Any, received: float) -> None:
        """Keep (time, seq) of every aggregate."""
        live = payload.get("live") if name == "snapshot" else payload
        if isinstance(live, dict) and "seq" in live:
            self.times.append(received)
            self.seqs.append(live["seq"])

    def seen_at(self, seq: int) -> float | None:
        """When the first aggregate reflecting answer `seq` arrived."""
        index = bisect.bisect_left(self.seqs, seq)
        return self.times[index] if index < len(self.seqs) else None


async def create_session(http, url: str, title: str) -> dict[str, Any]:
    """POST /api/sessions for a self-paced session."""
    body = {"title": title, "pacing": "self", "disciplines": DISCIPLINES, "language": "en"}
    async with http.post(url + "/api/sessions", json=body) as r:
        if r.status != 201:
            raise RuntimeError(f"create session: HTTP {r.status} {await r.text()}")
        return await r.json()


async def coordinator_recv(conn, proc, deadline: float):
    """The next message of a worker, or an error when it died or the run is out of time."""
    while time.monotonic() < deadline:
        if await asyncio.to_thread(conn.poll, 0.2):
            msg = conn.recv()
            if msg[0] == "error":
                raise RuntimeError("worker failed: " + msg[1])
            return msg
        if not proc.is_alive():
            raise RuntimeError(f"worker {proc.pid} exited with {proc.exitcode}")
    raise TimeoutError("worker did not answer before the time limit")


def questions_of() -> list[tuple[str, list[str]]]:
    """The questionnaire's question ids with their option ids, in order."""
    from workshop.core.questionnaire import default

    return [(q.id, [o.id for o in q.options]) for q in default().questions]


async def drive(sc: Scenario, server: ServerProcess, workers: list, db_path: Path) -> dict[str, Any]:
    """Run one scenario against a started server and return its figures."""
    deadline = time.monotonic() + sc.time_limit
    pids = server.server_pids() if hasattr(server, "server_pids") else [server.proc.pid]
    pid = pids[0]  # memory figures: the first (or only) server process

    def server_cpu() -> float:
        """CPU seconds of every server process (each worker; nginx and Redis not included)."""
        return sum(proc_cpu(p) for p in pids)

    helpers = server.helper_pids() if hasattr(server, "helper_pids") else []

    def helper_cpu() -> float:
        """CPU seconds of nginx and redis-server (0 without them)."""
        return sum(proc_cpu(p) for p in helpers)

    def database_cpu() -> float:
        """CPU seconds of the PostgreSQL server (postmaster and its children; 0 on SQLite, which is in-process)."""
        if sc.database_pid is None:
            return 0.0
        return sum(proc_cpu(p) for p in [sc.database_pid, *children(sc.database_pid)])

    url = server.url
    questions = questions_of()[:sc.questions]
    out: dict[str, Any] = {"scenario": asdict(sc), "load_start": machine_load()}
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        created = [await create_session(http, url, f"Bench {i + 1}") for i in range(sc.sessions)]
        screens, facilitators = [], []
        for info in created:
            code = info["code"]
            key = parse_qs(urlsplit(info["projector_url"]).query)["k"][0]
            fac = Client(http, url, "/facilitator", decode=(), query=f"code={code}")
            await fac.connect({"code": code, "token": info["facilitator_token"]})
            ack = await fac.call("command", {"action": "start"})
            if not ack.get("ok"):
                raise RuntimeError(f"start failed: {ack}")
            facilitators.append(fac)
            screen = Screen(http, url, code, key)
            await screen.client.connect({"code": code, "key": key})
            screens.append(screen)
        await asyncio.sleep(1.0)
        idle = proc_status(pid)
        cpu_idle = server_cpu()

        # Shard the phones over worker processes.
        n_workers = sc.workers or min(3, max(1, (sc.phones + 999) // 1000))
        assignment = [(i + 1, (i % sc.sessions, created[i % sc.sessions]["code"])) for i in range(sc.phones)]
        ctx = mp.get_context("spawn")
        pipes = []
        for w in range(n_workers):
            parent, child = ctx.Pipe()
            job = {"url": url, "phones": assignment[w::n_workers], "deflate": sc.deflate,
                   "questions": questions, "seed": sc.seed * 1000 + w, "time_limit": sc.time_limit,
                   "join_concurrency": max(1, sc.join_concurrency // n_workers)}
            proc = ctx.Process(target=worker_main, args=(child, job), daemon=True)
            proc.start()
            workers.append(proc)
            pipes.append((parent, proc))
        for conn, proc in pipes:
            await coordinator_recv(conn, proc, deadline)

        # Join.
        cpu_before_join = server_cpu()
        wait_before_join = proc_waiting(pid)
        t_join = time.monotonic()
        for conn, _ in pipes:
            conn.send(("join",))
        joined, lag_join = [], []
        for conn, proc in pipes:
            msg = await coordinator_recv(conn, proc, deadline)
            joined.extend(msg[1])
            lag_join.extend(msg[2])
        cpu_join = server_cpu() - cpu_before_join
        wait_join = proc_waiting(pid) - wait_before_join
        errors: dict[str, int] = {}
        for _, p_id, _, _, err in joined:
            if err:
                errors[err] = errors.get(err, 0) + 1
        ok = [j for j in joined if j[4] is None]
        join_s = (max(j[3] for j in ok) - t_join) if ok else None
        await asyncio.sleep(1.5)  # let the roster flush settle
        with_phones = proc_status(pid)

        # Answers.
        cpu_before = server_cpu()
        cpu_before_each = [proc_cpu(p) for p in pids]
        preempted_before = sum(proc_preempted(p) for p in pids)
        helpers_before = helper_cpu()
        database_before = database_cpu()
        tools_before = sum(proc_cpu(p.pid) for p in workers) + proc_cpu(os.getpid())
        busy_before, _ = machine_cpu()
        wait_before = proc_waiting(pid)
        load_during = machine_load()
        t_go = time.monotonic() + 0.3
        for conn, _ in pipes:
            conn.send(("answer", t_go, sc.window))
        records, dropped, lag_answer = [], 0, []
        for conn, proc in pipes:
            msg = await coordinator_recv(conn, proc, deadline)
            records.extend(msg[1])
            dropped += msg[2]
            lag_answer.extend(msg[3])
        answer_span = time.monotonic() - t_go
        acked = [r for r in records if r[7] is not None]
        # Wait for the last aggregates to arrive (at most 5 s).
        last = {}
        for r in acked:
            last[r[0]] = max(last.get(r[0], 0), r[7])
        t_wait = time.monotonic()
        while time.monotonic() - t_wait < 5 and any(
                (screens[s].seqs[-1] if screens[s].seqs else 0) < seq for s, seq in last.items()):
            await asyncio.sleep(0.05)
        cpu_answer = server_cpu() - cpu_before
        cpu_answer_each = [proc_cpu(p) - before for p, before in zip(pids, cpu_before_each)]
        preempted_answer = sum(proc_preempted(p) for p in pids) - preempted_before
        helpers_answer = helper_cpu() - helpers_before
        database_answer = database_cpu() - database_before
        tools_answer = sum(proc_cpu(p.pid) for p in workers) + proc_cpu(os.getpid()) - tools_before
        busy_answer = machine_cpu()[0] - busy_before
        wait_answer = proc_waiting(pid) - wait_before
        span_all = time.monotonic() - t_go
        gaps = [b - a for a, b in zip(screens[0].times, screens[0].times[1:]) if a >= t_go]
        load_after = machine_load()
        after = proc_status(pid)

        ack_lat, screen_lat, missing = [], [], 0
        for r in acked:
            ack_lat.append(r[6] - r[5])
            seen = screens[r[0]].seen_at(r[7])
            if seen is None:
                missing += 1
            else:
                screen_lat.append(seen - r[5])
        for r in records:
            if r[8]:
                key = "answer:" + r[8]
                errors[key] = errors.get(key, 0) + 1
        if missing:
            errors["not_on_projector"] = missing
        if dropped:
            errors["disconnected"] = dropped

        check = check_database(sc, db_path, created, joined, records)
        for key in ("missing_rows", "wrong_option", "duplicate_rows"):
            if check[key]:
                errors["db:" + key] = check[key]

        for conn, _ in pipes:
            conn.send(("close",))
        for conn, proc in pipes:
            try:
                await coordinator_recv(conn, proc, min(deadline, time.monotonic() + 15))
            except (TimeoutError, RuntimeError):
                pass
        for client in facilitators + [s.client for s in screens]:
            await client.close()

    n_joined = len(ok)
    per_phone = (with_phones["VmRSS"] - idle["VmRSS"]) / n_joined if n_joined else None
    out.update({
        "phones": sc.phones,
        "joined": n_joined,
        "join_s": round(join_s, 2) if join_s is not None else None,
        "join_cpu_s": round(cpu_join, 2),
        "join_cpu_wait_s": round(wait_join, 2),
        "answers": len(records),
        "acked": len(acked),
        "answers_per_s": round(len(records) / max(sc.window, 1e-9), 1),
        "answer_span_s": round(answer_span, 2),
        "errors": errors,
        "error_count": sum(errors.values()),
        "projector_ms": {"p50": percentile(screen_lat, 50), "p95": percentile(screen_lat, 95),
                         "p99": percentile(screen_lat, 99), "max": percentile(screen_lat, 100)},
        "ack_ms": {"p50": percentile(ack_lat, 50), "p95": percentile(ack_lat, 95), "p99": percentile(ack_lat, 99),
                   "max": percentile(ack_lat, 100)},
        "lives_received": sum(len(s.seqs) for s in screens),
        "rss_idle_mb": round(idle["VmRSS"] / 1024, 1),
        "rss_with_phones_mb": round(with_phones["VmRSS"] / 1024, 1),
        "rss_after_mb": round(after["VmRSS"] / 1024, 1),
        "peak_rss_mb": round(after["VmHWM"] / 1024, 1),
        "kb_per_phone": round(per_phone, 1) if per_phone is not None else None,
        "cpu_s_total": round(server_cpu() - cpu_idle, 2),
        "cpu_s_answers": round(cpu_answer, 2),
        "cpu_s_answers_per_process": [round(c, 2) for c in cpu_answer_each],
        "cpu_ms_per_acked_answer": round(cpu_answer / len(acked) * 1000, 2) if acked else None,
        "preempted_answers": preempted_answer,  # nonvoluntary context switches of the server processes
        "lives_during_answers": sum(1 for s in screens for t in s.times if t >= t_go),
        "proxy_cpu_s_answers": round(helpers_answer, 2),  # nginx + redis-server while answering
        "database_cpu_s_answers": round(database_answer, 2),  # PostgreSQL's processes while answering (0: SQLite)
        "cpu_ms_per_acked_answer_with_database": round((cpu_answer + database_answer) / len(acked) * 1000, 2)
        if acked else None,
        "cpu_share_answers": round(cpu_answer / max(span_all, 1e-9), 2),
        "load_tool_cpu_share_answers": round(tools_answer / max(span_all, 1e-9), 2),
        "other_cpu_share_answers": round((busy_answer - cpu_answer - tools_answer) / max(span_all, 1e-9), 2),
        "cpu_wait_s_answers": round(wait_answer, 2),
        "longest_projector_gap_ms": round(max(gaps) * 1000, 1) if gaps else None,
        "client_loop_lag_ms": {"join_p99": percentile(lag_join, 99), "answer_p99": percentile(lag_answer, 99)},
        "load_during": load_during,
        "load_after": load_after,
        "db_check": check,
    })
    return out


def check_database(sc: Scenario, db_path: Path, created: list[dict], joined: list[tuple],
                   records: list[tuple]) -> dict[str, Any]:
    """Every acknowledged answer is in the database exactly once with the acknowledged option."""
    from workshop.store.postgres import PostgresStore
    from workshop.store.sqlite import read_only

    db = PostgresStore(sc.database_url, read_only=True) if sc.database_url else read_only(db_path)
    try:
        ids = {s: db.session(info["code"])["id"] for s, info in enumerate(created)}
        rows: dict[tuple, list[str]] = {}
        for s, session_id in ids.items():
            for a in db.answers(session_id):
                rows.setdefault((a["participant_id"], a["question_id"], a["round"]), []).append(a["option_id"])
        participants = sum(len(db.participants(sid)) for sid in ids.values())
    finally:
        db.close()
    expected: dict[tuple, str] = {}
    for r in records:
        if r[7] is not None:
            expected[(r[1], r[2], r[4])] = r[3]
    missing = sum(1 for k in expected if k not in rows)
    wrong = sum(1 for k, option in expected.items() if k in rows and rows[k][-1] != option)
    duplicates = sum(1 for options in rows.values() if len(options) > 1)
    unacked = sum(1 for k in rows if k not in expected)
    joined_ok = sum(1 for j in joined if j[4] is None)
    return {"acked": len(expected), "rows": sum(len(v) for v in rows.values()), "missing_rows": missing,
            "wrong_option": wrong, "duplicate_rows": duplicates, "rows_without_ack": unacked,
            "participants_in_db": participants, "participants_joined": joined_ok,
            "ok": missing == 0 and wrong == 0 and duplicates == 0}


def run(sc: Scenario) -> dict[str, Any]:
    """Start a server, drive the scenario, stop everything it started; return the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="workshop-bench-"))
    env = {"WORKSHOP_MAX_PARTICIPANTS": "100000", **sc.env}
    if sc.database_url:
        env["WORKSHOP_DATABASE_URL"] = sc.database_url
    module = "bench.naive_server" if sc.naive else "workshop"
    if sc.variant:
        env.update({f"BENCH_{k}": v for k, v in sc.variant.items()})
        module = "bench.variant_server"
    if sc.profile:
        env["BENCH_PROFILE"] = str(Path(sc.profile).resolve())
        module = "bench.profile_server"
    if sc.proxy or sc.server_workers > 1:
        from bench.proxied import ProxiedServer

        server = ProxiedServer(tmp, sc.server_workers, env)
    else:
        server = ServerProcess(tmp / "data", async_mode=sc.async_mode, env=env, module=module)
    workers: list = []
    log_tail: list[str] = []
    started = time.monotonic()
    try:
        server.start(timeout=30)
        result = asyncio.run(asyncio.wait_for(drive(sc, server, workers, tmp / "data" / "workshop.sqlite3"),
                                              sc.time_limit))
        result["completed"] = True
    except (TimeoutError, asyncio.TimeoutError, RuntimeError, OSError, SocketError) as exc:
        result = {"scenario": asdict(sc), "completed": False, "failure": f"{type(exc).__name__}: {exc}",
                  "load_after": machine_load()}
        if server.proc and server.proc.poll() is None:
            result["peak_rss_mb"] = round(proc_status(server.proc.pid)["VmHWM"] / 1024, 1)
    finally:
        for proc in workers:
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)
            proc.join(5)
        server.stop()
        log = server.log_path
        if log.exists():
            log_tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            log.unlink()
        shutil.rmtree(tmp, ignore_errors=True)
    result["wall_s"] = round(time.monotonic() - started, 1)
    if log_tail:
        result["server_log_tail"] = log_tail
    return result


def summary_line(r: dict[str, Any]) -> str:
    """One line for a terminal."""
    if not r.get("completed"):
        return f"{r['scenario']['name']}: FAILED {r.get('failure')}"
    p, a = r["projector_ms"], r["ack_ms"]
    return (f"{r['scenario']['name']}: {r['joined']}/{r['phones']} joined in {r['join_s']} s, "
            f"errors {r['error_count']} {r['errors'] or ''}, projector p50/p95/p99 {p['p50']}/{p['p95']}/{p['p99']} ms, "
            f"ack p50/p99 {a['p50']}/{a['p99']} ms, peak RSS {r['peak_rss_mb']} MB, "
            f"{r['kb_per_phone']} KB/phone, CPU {r['cpu_s_total']} s, db {'ok' if r['db_check']['ok'] else 'BAD'}, "
            f"load {r['load_during']}")


def main(argv: list[str] | None = None) -> int:
    """Run one scenario from the command line and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=50, help="number of simulated phones (all sessions together)")
    parser.add_argument("--sessions", type=int, default=1, help="number of sessions the phones are spread over")
    parser.add_argument("--window", type=float, default=10.0, help="seconds in which every phone answers every question")
    parser.add_argument("--questions", type=int, default=4, help="questions each phone answers (0: join only)")
    parser.add_argument("--async-mode", default="eventlet", choices=("eventlet", "gevent", "threading"))
    parser.add_argument("--naive", action="store_true", help="serve bench/naive_server.py: every answer to every phone")
    parser.add_argument("--no-deflate", action="store_true", help="do not offer permessage-deflate (browsers do)")
    parser.add_argument("--workers", type=int, default=0, help="phone processes (default: one per 1,000, at most 3)")
    parser.add_argument("--time-limit", type=float, default=180.0, help="hard limit for the run in seconds")
    parser.add_argument("--join-concurrency", type=int, default=1000, help="phones connecting at the same moment")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server, e.g. WORKSHOP_EMIT_INTERVAL=0.05")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=VALUE",
                        help="serve bench/variant_server.py: BACKLOG=50, MAX_CONNECTIONS=1024, NODELAY=0, DEFLATE=1, SETTING_NAME=VALUE")
    parser.add_argument("--profile", metavar="FILE", help="run the server under cProfile and write its statistics to FILE")
    parser.add_argument("--json", action="store_true", help="print the full figures as JSON")
    parser.add_argument("--proxy", action="store_true", help="put nginx (deploy/nginx's config) in front of the server")
    parser.add_argument("--server-workers", type=int, default=1, metavar="N",
                        help="server processes behind nginx (`workshop serve --workers N` with redis-server); "
                             "above 1 implies --proxy")
    parser.add_argument("--database-url", default=None, metavar="URL",
                        help="serve on this PostgreSQL database (WORKSHOP_DATABASE_URL) instead of SQLite; "
                             "bench/postgres.py starts a throwaway server and compares both")
    args = parser.parse_args(argv)
    sc = Scenario(name=f"{args.phones} phones", phones=args.phones, sessions=args.sessions, window=args.window,
                  questions=args.questions, async_mode=args.async_mode, naive=args.naive, deflate=not args.no_deflate, workers=args.workers,
                  time_limit=args.time_limit, join_concurrency=args.join_concurrency, seed=args.seed,
                  env=dict(item.split("=", 1) for item in args.env), profile=args.profile,
                  variant=dict(item.split("=", 1) for item in args.variant),
                  proxy=args.proxy, server_workers=args.server_workers, database_url=args.database_url)
    result = run(sc)
    print(json.dumps(result, indent=2) if args.json else summary_line(result))
    return 0 if result.get("completed") and result["error_count"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
