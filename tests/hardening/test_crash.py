"""Crash safety, for real: 200 phones answer, the server is killed with SIGKILL mid-burst, five times.

After every kill the server restarts on the same data dir and port, and the test checks
that every acknowledged answer is in the database exactly once, that the database is
sound, that the aggregate a facilitator and a projector receive equals the one
recomputed from the database, and that every phone gets back in as the same participant.
"""
from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.server import ServerProcess
from workshop.core.questionnaire import default as default_questionnaire

from .helpers import NOTES, RUNS

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("WORKSHOP_CRASH_SEED", "7207"))
PHONES = 200
CYCLES = 5
ANSWERS_PER_PHONE = 60        # a cap per burst; the kill comes long before it is reached
CONNECTS_AT_ONCE = 50
KILL_AFTER = (0.15, 1.0)      # seconds into the burst, drawn from the seeded generator
QUESTIONS = {q.id: [o.id for o in q.options] for q in default_questionnaire().questions}


@dataclass
class PhoneModel:
    """What the test knows about one participant: its token, id and answers."""

    index: int
    token: str | None = None
    pid: int | None = None
    acked: dict[tuple[str, int], str] = field(default_factory=dict)         # last acknowledged option
    unacked: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))  # sent after it
    sio: socketio.AsyncClient | None = None
    snapshot: dict | None = None
    refused: list[dict] = field(default_factory=list)


def read_only(db_path: Path) -> sqlite3.Connection:
    """Open the database read-only, as a bystander would."""
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)


def db_answers(db_path: Path) -> dict[int, dict[tuple[str, int], str]]:
    """Every stored answer by participant id, keyed by (question, round)."""
    out: dict[int, dict[tuple[str, int], str]] = defaultdict(dict)
    with read_only(db_path) as db:
        dupes = db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM answers GROUP BY participant_id, question_id, round"
                           " HAVING COUNT(*) > 1)").fetchone()[0]
        assert dupes == 0
        for pid, q, r, opt in db.execute("SELECT participant_id, question_id, round, option_id FROM answers"):
            out[pid][(q, r)] = opt
    return out


def integrity(db_path: Path) -> str:
    """SQLite's verdict on the file."""
    db = read_only(db_path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


async def connect_phone(url: str, code: str, phone: PhoneModel) -> None:
    """Connect a phone (with its token once it has one) and wait for its snapshot."""
    got = asyncio.Event()
    sio = socketio.AsyncClient(reconnection=False)

    async def on_snapshot(data):
        phone.snapshot = data
        got.set()

    sio.on("snapshot", on_snapshot, namespace="/participant")
    auth = {"code": code, **({"token": phone.token} if phone.token else {})}
    await sio.connect(url, namespaces=["/participant"], transports=["websocket"], auth=auth, wait_timeout=15)
    phone.sio = sio
    await asyncio.wait_for(got.wait(), 15)


async def join(phone: PhoneModel) -> None:
    """Join as a new participant and keep the token."""
    ack = await phone.sio.call("join", {"nickname": f"p{phone.index}"}, namespace="/participant", timeout=15)
    assert ack["ok"], ack
    phone.token, phone.pid = ack["token"], ack["me"]["id"]


async def burst(phone: PhoneModel, rng: random.Random, rounds: dict[str, int], acks: Counter) -> None:
    """Send answers one after another (each waits for its ack), often changing an earlier answer."""
    for _ in range(ANSWERS_PER_PHONE):
        question = rng.choice(list(QUESTIONS))
        option = rng.choice(QUESTIONS[question])
        key = (question, rounds[question])
        phone.unacked[key].add(option)
        ack = await phone.sio.call("answer", {"question": question, "option": option, "round": key[1]},
                                   namespace="/participant", timeout=30)
        if ack.get("ok"):
            phone.acked[key] = option
            phone.unacked[key].clear()
            acks["ok"] += 1
        else:
            phone.refused.append(ack)


async def disconnect_all(clients) -> None:
    """Close every client (also those whose server is gone)."""
    await asyncio.gather(*(c.disconnect() for c in clients if c is not None), return_exceptions=True)


async def watcher(url: str, namespace: str, auth: dict) -> tuple[socketio.AsyncClient, dict]:
    """Connect a facilitator or projector and return it with its snapshot."""
    got: dict = {}
    event = asyncio.Event()
    sio = socketio.AsyncClient(reconnection=False)

    async def on_snapshot(data):
        got.update(data)
        event.set()

    sio.on("snapshot", on_snapshot, namespace=namespace)
    await sio.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=15)
    await asyncio.wait_for(event.wait(), 15)
    return sio, got


def expected_counts(db_path: Path) -> dict[tuple[str, int], list[int]]:
    """Counts per option rank for every question and round, recomputed from the database."""
    ranks = {q: {o: i for i, o in enumerate(opts)} for q, opts in QUESTIONS.items()}
    counts: dict[tuple[str, int], list[int]] = {}
    with read_only(db_path) as db:
        rows = db.execute("SELECT a.question_id, a.round, a.option_id FROM answers a"
                          " JOIN participants p ON p.id = a.participant_id WHERE p.removed_at IS NULL").fetchall()
    for q, r, opt in rows:
        counts.setdefault((q, r), [0] * len(QUESTIONS[q]))[ranks[q][opt]] += 1
    return counts


def check_cycle(cycle: int, db_path: Path, phones: list[PhoneModel], rounds: dict[str, int],
                facilitator: dict, projector: dict) -> int:
    """Everything acknowledged is stored once; phones, facilitator and projector agree with the database.

    Returns how many answers were committed but not acknowledged (cut off by the kill).
    """
    where = f"(seed {SEED}, cycle {cycle})"
    assert integrity(db_path) == "ok", where
    with read_only(db_path) as db:
        participants = db.execute("SELECT id, removed_at FROM participants").fetchall()
        max_seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM answers").fetchone()[0]
    assert sorted(pid for pid, _ in participants) == sorted(p.pid for p in phones), where  # no duplicates
    assert all(removed is None for _, removed in participants), where
    stored = db_answers(db_path)
    unacknowledged = 0
    for phone in phones:
        mine = stored.get(phone.pid, {})
        for key in set(mine) | set(phone.acked) | {k for k, v in phone.unacked.items() if v}:
            allowed = phone.unacked.get(key, set()) | ({phone.acked[key]} if key in phone.acked else set())
            assert mine.get(key) in allowed | (set() if key in phone.acked else {None}), (where, phone.pid, key)
            unacknowledged += mine.get(key) is not None and mine.get(key) != phone.acked.get(key)
        # the reconnected phone is the same participant and sees exactly what is stored
        assert phone.snapshot["me"]["id"] == phone.pid, where
        assert phone.snapshot["me"]["answers"] == {
            q: {str(r): opt for (q2, r), opt in mine.items() if q2 == q} for q in {q for q, _ in mine}}, where
        assert not phone.refused, (where, phone.refused[:3])
    counts = expected_counts(db_path)
    live = facilitator["live"]
    assert live["joined"] == PHONES and facilitator["roster"]["count"] == PHONES, where
    assert live["seq"] == max_seq, where
    for q, options in QUESTIONS.items():
        assert live["questions"][q]["round"] == rounds[q], where
        for item in live["questions"][q]["rounds"]:
            want = counts.get((q, item["round"]), [0] * len(options))
            assert item["stats"]["counts"] == want, (where, q, item["round"])
        latest = sum(counts.get((q, rounds[q]), []))
        assert live["questions"][q]["answered"] == latest, where
        assert projector["live"]["questions"][q]["answered"] == latest, where
    assert projector["live"]["joined"] == PHONES, where
    return unacknowledged


async def crash_cycles(tmp_path: Path) -> dict:
    """Run the cycles; return what happened for the report."""
    rng = random.Random(SEED)
    data = tmp_path / "data"
    db_path = data / "workshop.sqlite3"
    server = await asyncio.to_thread(ServerProcess(data).start)
    phones = [PhoneModel(i) for i in range(PHONES)]
    report = {"cycles": 0, "acked": 0, "kill_after": [], "in_flight": 0, "stored_unacked": 0}
    watchers: list = []
    try:
        session = requests.post(server.url + "/api/sessions", json={"title": "Crash", "pacing": "self"},
                                timeout=10).json()
        code, token = session["code"], session["facilitator_token"]
        key = session["projector_url"].split("k=", 1)[1]
        fac, _ = await watcher(server.url, "/facilitator", {"code": code, "token": token})
        watchers.append(fac)
        ack = await fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=15)
        assert ack["ok"], ack
        rounds = {q: 1 for q in QUESTIONS}
        limit = asyncio.Semaphore(CONNECTS_AT_ONCE)

        async def bounded(coro):
            async with limit:
                return await coro

        await asyncio.gather(*(bounded(connect_phone(server.url, code, p)) for p in phones))
        await asyncio.gather(*(bounded(join(p)) for p in phones))

        for cycle in range(1, CYCLES + 1):
            if cycle > 1:  # a new round for one question, so answers spread over rounds too
                question = list(QUESTIONS)[(cycle - 2) % len(QUESTIONS)]
                for action in ("close", "new_round"):
                    ack = await fac.call("command", {"action": action, "question": question},
                                         namespace="/facilitator", timeout=15)
                    assert ack["ok"], ack
                rounds[question] += 1
            acks: Counter = Counter()
            tasks = [asyncio.create_task(burst(p, random.Random(rng.random()), rounds, acks)) for p in phones]
            delay = rng.uniform(*KILL_AFTER)
            report["kill_after"].append(round(delay, 3))
            await asyncio.sleep(delay)
            running = sum(not t.done() for t in tasks)
            await asyncio.to_thread(server.kill)
            assert running > 0, f"the burst ended before the kill (seed {SEED}, cycle {cycle})"
            report["in_flight"] += running
            await asyncio.sleep(0.3)  # let clients read acks that were already on the wire
            for t in tasks:
                t.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(
                r, (asyncio.CancelledError, socketio.exceptions.SocketIOError))]
            assert not unexpected, unexpected[:3]
            report["acked"] += acks["ok"]
            await disconnect_all([p.sio for p in phones] + watchers)
            watchers.clear()
            assert await asyncio.to_thread(integrity, db_path) == "ok", f"right after the kill (seed {SEED})"

            server = await asyncio.to_thread(ServerProcess(data, port=server.port).start)
            await asyncio.gather(*(bounded(connect_phone(server.url, code, p)) for p in phones))
            fac, fac_snapshot = await watcher(server.url, "/facilitator", {"code": code, "token": token})
            screen, screen_snapshot = await watcher(server.url, "/screen", {"code": code, "key": key})
            watchers += [fac, screen]
            report["stored_unacked"] += check_cycle(cycle, db_path, phones, rounds, fac_snapshot, screen_snapshot)
            for phone in phones:  # what is stored is now known: carry it into the next cycle
                phone.acked = {(q, int(r)): opt for q, by_round in phone.snapshot["me"]["answers"].items()
                               for r, opt in by_round.items()}
                phone.unacked = defaultdict(set)
            report["cycles"] += 1
    finally:
        await disconnect_all([p.sio for p in phones] + watchers)
        await asyncio.to_thread(server.stop)
    return report


def test_acknowledged_answers_survive_sigkill_mid_burst(tmp_path):
    print(f"crash test: seed={SEED} phones={PHONES} cycles={CYCLES}")
    # A thread of its own: when the browser tests ran first, Playwright's loop is running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(lambda: asyncio.run(crash_cycles(tmp_path))).result()
    summary = (f"crash: seed {SEED}, {PHONES} phones, {report['cycles']} SIGKILL cycles, "
               f"{report['acked']} acknowledged answers, killed after {report['kill_after']} s with "
               f"{report['in_flight']} answers in flight, {report['stored_unacked']} of them committed")
    print(summary)
    NOTES.append(summary)
    RUNS["crash: cycles"] += report["cycles"]
    assert report["cycles"] == CYCLES
