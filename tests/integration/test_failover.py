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
from tests.support.failover import LeaseSampler, Phone, owner_pid, owners_by_generation

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} "
                       "(apt-get install redis-server nginx; .ci/run installs them)"),
]
PHONES = 12
RUN_LIMIT = 90.0  # seconds: every loop below ends by then


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
    sampler = LeaseSampler(cluster.lease_db, [code]).start()
    samples = sampler.of(code)
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
            return [t for p in phones for t in p.acked_after(killed_at)]
        wait_until(after_kill, timeout=30)
        first_after_kill = min(after_kill())
        # The lease moved (the sampler reads the table every 20 ms: its sample of the new owner may come just
        # after the first answer the new owner acknowledged, so it is waited for, not looked for before that).
        def moved_owner() -> list[str]:
            return [o for _t, o, _g in samples if owner_pid(o) not in (None, killed)]
        wait_until(moved_owner, timeout=10)
        moved_owner = moved_owner()
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
        wait_until(lambda: any(owner_pid(o) == restarted for _t, o, _g in samples), timeout=30)
        back_at = min(t for t, o, _g in samples if owner_pid(o) == restarted)
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
        acknowledged += len(phone.acked)
        assert exported[phone.nickname] == phone.last_answers(), phone.index
    # Never two owners: each generation of the lease names one owner, generations only grow, and every owner
    # seen after the kill is a live process (never the killed one).
    by_generation = owners_by_generation(samples)
    assert all(len({o for o in owners if o}) <= 1 for owners in by_generation.values()), by_generation
    generations = [g for _t, _o, g in samples]
    assert generations == sorted(generations)
    assert not [o for t, o, _g in samples if t > first_after_kill and owner_pid(o) == killed]
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
