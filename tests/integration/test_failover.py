"""A worker killed -9 mid-session: the session continues on the other worker, then comes back, with every answer.

redis-server, `workshop serve --workers 2` and nginx (deploy/nginx's config) on 127.0.0.1, as in test_workers.py.
Phones answer through nginx all along, each re-sending an answer until it is acknowledged (as the pages' outbox
does). The supervisor is paused (SIGSTOP) while the worker holding the session is killed, so that worker does not
come back at once, as when its machine is gone: nginx passes the session's clients to the other worker, which
takes the session once the dead worker's lease expired. Then the supervisor goes on, starts the worker again,
and the session is handed back to it (nginx routes it there again). A sampler reads the lease table all along.
"""
from __future__ import annotations

import gc
import itertools
import json
import os
import signal
import sqlite3
import threading
import time
import warnings

import psycopg
import pytest
import requests
import socketio

from tests.integration.test_workers import WORKER, wait_until
from tests.support.cluster import Cluster, missing_tools, wait_healthy

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} "
                       "(apt-get install redis-server nginx; .ci/run installs them)"),
]
PHONES = 12
QUESTIONS = {"begrippen": ["nooit", "zelden", "regelmatig", "dagelijks"], "uitspraak": ["ten-koste-van", "kan-helpen"],
             "projecten": ["0-procent", "1-10-procent", "10-30-procent", "30-100-procent"],
             "kennis": ["heel-weinig", "enkele-collegas", "meeste-collegas"]}
RUN_LIMIT = 90.0  # seconds: every loop below ends by then


class Phone:
    """One phone: joins, then answers question after question, re-sending each until it is acknowledged.

    Its client reconnects by itself when its connection drops or a reconnect is refused, as the pages' does.
    `acked` holds (time acknowledged, question, option); `sent` the time each of those was first sent.
    """

    def __init__(self, proxy: str, code: str, index: int, stop: threading.Event):
        """Join through the proxy; answering starts with run()."""
        self.proxy, self.code, self.index, self.stop = proxy, code, index, stop
        self.auth = {"code": code}
        self.acked: list[tuple[float, str, str]] = []
        self.sent: list[float] = []
        self.refusals: dict[str, int] = {}
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("connect_error", self._refused, namespace="/participant")
        give_up = time.monotonic() + 30
        while True:  # a session that is moving refuses (not_owner) until it arrived
            try:
                self.sio.connect(f"{proxy}/?code={code}", namespaces=["/participant"], transports=["websocket"],
                                 auth=lambda: self.auth, wait_timeout=5)
                break
            except socketio.exceptions.ConnectionError:
                assert time.monotonic() < give_up, self.refusals
                time.sleep(0.2)
        reply = self.sio.call("join", {"nickname": f"phone{index}"}, namespace="/participant", timeout=10)
        assert reply["ok"], reply
        self.auth["token"] = reply["token"]

    def _refused(self, data=None) -> None:
        """Count a refused (re)connect by its code."""
        if isinstance(data, dict):
            data = data.get("data", data)  # python-socketio passes {message, data: {code, message}}
        code = data.get("code", "?") if isinstance(data, dict) else str(data)[:40]
        self.refusals[code] = self.refusals.get(code, 0) + 1

    def send(self, question: str, option: str, deadline: float) -> bool:
        """Send one answer until it is acknowledged (reconnecting as needed); False when the deadline came first."""
        first = time.monotonic()
        while time.monotonic() < deadline:
            if not (self.sio.connected and self.sio.namespaces.get("/participant")):
                time.sleep(0.05)  # the client is reconnecting
                continue
            try:
                reply = self.sio.call("answer", {"question": question, "option": option, "round": 1},
                                      namespace="/participant", timeout=3)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                continue
            if reply["ok"]:
                self.acked.append((time.monotonic(), question, option))
                self.sent.append(first)
                return True
            code = reply["error"]["code"]
            self.refusals[code] = self.refusals.get(code, 0) + 1
            assert code == "not_owner", reply  # the only refusal a moving session may give
            time.sleep(0.1)
        return False

    def run(self, deadline: float) -> None:
        """Answer every question in turn, another option each time, until stopped; then leave the last one acknowledged."""
        order = itertools.cycle(list(QUESTIONS))
        for n in itertools.count():
            if self.stop.is_set() or time.monotonic() >= deadline:
                break
            question = next(order)
            options = QUESTIONS[question]
            self.send(question, options[(n + self.index) % len(options)], deadline)
            time.sleep(0.05)
        self.sio.disconnect()


class LeaseSampler:
    """Reads the session's lease row every 20 ms on a connection of its own: (time, owner, generation)."""

    def __init__(self, connect, session_code: str):
        """Prepare (`connect()` opens the database read-only); start() runs it in a thread until stop()."""
        self.connect, self.code = connect, session_code
        self.samples: list[tuple[float, str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        """Sample until stopped."""
        db, mark = self.connect()
        try:
            while not self._stop.wait(0.02):
                row = db.execute("SELECT l.owner, l.generation FROM session_leases l JOIN sessions s"
                                 f" ON s.id = l.session_id WHERE s.code = {mark}", (self.code,)).fetchone()
                if row is not None:
                    self.samples.append((time.monotonic(), row[0], row[1]))
        finally:
            db.close()

    def start(self) -> "LeaseSampler":
        """Start sampling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join(5)


def owner_pid(owner: str) -> int | None:
    """The pid in a lease owner's identity (host/worker/pid/random), None for a released lease ('')."""
    return int(owner.split("/")[2]) if owner else None


@pytest.fixture(params=["sqlite", "postgres"])
def cluster(request, tmp_path):
    """redis-server, two workers and nginx, with the default LEASE_SECONDS, on SQLite or on PostgreSQL.

    `cluster.lease_db()` opens the database for the lease sampler: (connection, placeholder).
    """
    if request.param == "postgres":
        url = request.getfixturevalue("pg_cluster").create_schema()
        running = Cluster(tmp_path, 2, env={"WORKSHOP_DATABASE_URL": url}).start()
        running.lease_db = lambda: (psycopg.connect(url, autocommit=True), "%s")
    else:
        running = Cluster(tmp_path, 2).start()
        path = running.workers.data_dir / "workshop.sqlite3"
        running.lease_db = lambda: (sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5), "?")
    yield running
    running.stop()
    # python-engineio's client leaves the socket of a websocket whose server was killed to the garbage
    # collector (it opens a new one to reconnect): collect those here, not in whichever test runs next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_a_killed_worker_s_session_continues_on_the_other_with_every_acknowledged_answer(cluster, tmp_path):
    proxy, workers = cluster.url, cluster.workers
    session = requests.post(f"{proxy}/api/sessions", json={"title": "Failover", "pacing": "self"}, timeout=5).json()
    code = session["code"]
    home = requests.get(f"{proxy}/j/{code}", timeout=5).headers[WORKER]  # the worker nginx hashes the code to
    fac = socketio.Client(reconnection=False)
    fac.connect(f"{proxy}/?code={code}", namespaces=["/facilitator"], transports=["websocket"],
                auth={"code": code, "token": session["facilitator_token"]}, wait_timeout=10)
    assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
    fac.disconnect()
    sampler = LeaseSampler(cluster.lease_db, code).start()
    stop = threading.Event()
    deadline = time.monotonic() + RUN_LIMIT
    phones = [Phone(proxy, code, i, stop) for i in range(PHONES)]
    threads = [threading.Thread(target=phone.run, args=(deadline,), daemon=True) for phone in phones]
    supervisor = workers.proc.pid
    try:
        for thread in threads:
            thread.start()
        wait_until(lambda: sum(len(p.acked) for p in phones) >= 3 * PHONES, timeout=30)
        killed = workers.pids[int(home)]
        os.kill(supervisor, signal.SIGSTOP)  # it must not start the worker again yet (a machine that is gone)
        killed_at = time.monotonic()
        os.kill(killed, signal.SIGKILL)
        # The session continues on the other worker: answers are acknowledged again.
        def after_kill() -> list[float]:
            """When the answers first sent after the kill were acknowledged."""
            return [a[0] for p in phones for a, sent in zip(p.acked, p.sent) if sent > killed_at]
        wait_until(after_kill, timeout=30)
        first_after_kill = min(after_kill())
        moved_owner = [o for t, o, _g in sampler.samples if t <= first_after_kill and owner_pid(o) not in (None, killed)]
        assert moved_owner, (killed, first_after_kill - killed_at, sampler.samples[-5:], len(sampler.samples))
        survivor = owner_pid(moved_owner[0])
        assert survivor == workers.pids[3 - int(home)]  # the other worker, not a new process in the dead one's place
        wait_until(lambda: sum(t > first_after_kill + 2 for p in phones for t, _q, _o in p.acked) >= PHONES, 30)
        # The supervisor goes on and starts the dead worker again: nginx routes the session there again. The
        # survivor keeps it while its clients stay; the first new client (a latecomer) reaches the restarted
        # worker, which asks for the session, and the survivor hands it over: every phone moves there.
        os.kill(supervisor, signal.SIGCONT)
        while workers.pids[int(home)] == killed:  # its "exited" line names the old pid, then the new one comes
            workers.read_pids(1, timeout=30)
        restarted = workers.pids[int(home)]
        wait_healthy(f"http://127.0.0.1:{workers.ports()[int(home) - 1]}", timeout=60)  # it listens (nginx routes there)
        restarted_at = time.monotonic()
        latecomer = Phone(proxy, code, PHONES, stop)
        phones.append(latecomer)
        threads.append(threading.Thread(target=latecomer.run, args=(deadline,), daemon=True))
        threads[-1].start()
        wait_until(lambda: any(owner_pid(o) == restarted for _t, o, _g in sampler.samples), timeout=30)
        back_at = min(t for t, o, _g in sampler.samples if owner_pid(o) == restarted)
        wait_until(lambda: sum(t > back_at for p in phones for t, _q, _o in p.acked) >= 2 * PHONES, 30)
    finally:
        os.kill(supervisor, signal.SIGCONT)
        stop.set()
        for thread in threads:
            thread.join(RUN_LIMIT)
        sampler.stop()
    # Every phone's last acknowledged answer to each question is in the export (an earlier one to the same
    # question was replaced by the later one, as the protocol says).
    summary = requests.get(f"{proxy}/api/sessions/{code}/summary?nicknames=1", timeout=30,
                           headers={"Authorization": f"Bearer {session['facilitator_token']}"}).json()
    exported = {p["nickname"]: {q: r["1"] for q, r in p["answers"].items()} for p in summary["participants"]}
    acknowledged = 0
    for phone in phones:
        last = {q: o for _t, q, o in phone.acked}
        acknowledged += len(phone.acked)
        assert exported[f"phone{phone.index}"] == last, phone.index
    # Never two owners: each generation of the lease names one owner, generations only grow, and every owner
    # seen after the kill is a live process (never the killed one).
    by_generation: dict[int, set[str]] = {}
    for _t, owner, generation in sampler.samples:
        by_generation.setdefault(generation, set()).add(owner)
    assert all(len({o for o in owners if o}) <= 1 for owners in by_generation.values()), by_generation
    generations = [g for _t, _o, g in sampler.samples]
    assert generations == sorted(generations)
    assert not [o for t, o, _g in sampler.samples if t > first_after_kill and owner_pid(o) == killed]
    figures = {
        "failover_seconds": round(first_after_kill - killed_at, 2),
        "back_after_restart_seconds": round(back_at - restarted_at, 2),
        "answers_acknowledged": acknowledged,
        "answers_in_export": sum(len(v) for v in exported.values()),
        "distinct_last_answers_acknowledged": sum(len({q for _t, q, _o in p.acked}) for p in phones),
        "refusals": {k: sum(p.refusals.get(k, 0) for p in phones) for k in {k for p in phones for k in p.refusals}},
        "lease_generations": sorted(by_generation),
    }
    (tmp_path / "failover.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print("failover:", json.dumps(figures))
