"""Two machines on one PostgreSQL: one dies (kill -9 of its supervisor and every worker) mid-session, and every
session it owned continues on the other, with every acknowledged answer.

tests/support/machines.py starts two supervisors (`workshop serve --workers 2`, data directories and ports of
their own, the installation secret copied from the first to the second as docs/deployment.md says), one Redis and
one nginx hashing the session code over the four workers, all on 127.0.0.1. 200 phones in 10 sessions answer
through nginx all along, each re-sending an answer until it is acknowledged (as the pages' outbox does); each
session has a projector whose link was made on whichever worker created the session. Then one machine's process
group is killed with SIGKILL, and it does not come back: nginx passes its sessions' requests to the next worker on
the hash ring (`proxy_next_upstream error`), which takes each session once the dead worker's lease expired.

Watched all along: the lease table (a sampler reads it every 20 ms) and which sessions each live worker holds in
memory (its /metrics, `workshop_session_in_memory`, every 0.2 s). No session moves between two live workers here
(the hash is consistent and the dead machine stays dead), so a session seen in two workers' memory in one round of
reads is a second holder, not a move. The figures (time from the kill to each moved session's first accepted
answer, answers acknowledged and kept) are printed and written to failover-machines.json in the test's folder.
"""
from __future__ import annotations

import gc
import json
import statistics
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
import socketio

from tests.integration.test_workers import Client, wait_until
from tests.support.cluster import missing_tools
from tests.support.failover import LeaseSampler, Phone, Sampler, owner_pid, owners_by_generation
from tests.support.machines import Machines

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} "
                       "(apt-get install redis-server nginx postgresql; .ci/run installs them)"),
]
SESSIONS = 10
PHONES_PER_SESSION = 20
PAUSE = 1.0         # seconds between a phone's answers: 200 phones offer ~200 answers a second
RUN_LIMIT = 150.0   # seconds: every loop below ends by then
MOVE_LIMIT = 45.0   # seconds the moved sessions get to answer again on the survivor (LEASE_SECONDS is 5)


class HeldSampler(Sampler):
    """Reads every live worker's sessions in memory (/metrics) every 0.2 s: rounds of (time, {port: {session id}})."""

    interval = 0.2

    def __init__(self, machines: Machines):
        """Prepare; start() runs it in a thread until stop()."""
        super().__init__()
        self.machines = machines
        self.rounds: list[tuple[float, dict[int, set[str]]]] = []

    def sample(self) -> None:
        """Read every live worker once."""
        self.rounds.append((time.monotonic(), self.machines.held()))

    def doubles(self) -> list[tuple[float, str, list[int]]]:
        """(time, session id, ports) for every round in which one session was in two workers' memory."""
        found = []
        for at, held in self.rounds:
            for session_id in set().union(*held.values()) if held else ():
                ports = [port for port, ids in held.items() if session_id in ids]
                if len(ports) > 1:
                    found.append((at, session_id, ports))
        return found


@pytest.fixture
def machines(pg_cluster, tmp_path):
    """Two machines of two workers each on one PostgreSQL schema, Redis and nginx; stopped by their PIDs after."""
    running = Machines(tmp_path, pg_cluster.create_schema()).start()
    yield running
    running.stop()
    # python-engineio's client leaves the socket of a websocket whose server was killed to the garbage
    # collector (it opens a new one to reconnect): collect those here, not in whichever test runs next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def lease_owners(url: str) -> dict[str, tuple[str, int, int]]:
    """{session code: (lease owner, generation, session id)} now."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute("SELECT s.code, l.owner, l.generation, s.id FROM session_leases l"
                          " JOIN sessions s ON s.id = l.session_id").fetchall()
    return {code: (owner, generation, session_id) for code, owner, generation, session_id in rows}


def started_session(proxy: str) -> dict:
    """A new session through nginx, started by its facilitator (so its worker holds it)."""
    session = requests.post(f"{proxy}/api/sessions", json={"title": "Twee machines", "pacing": "self"},
                            timeout=10).json()
    fac = socketio.Client(reconnection=False)
    fac.connect(f"{proxy}/?code={session['code']}", namespaces=["/facilitator"], transports=["websocket"],
                auth={"code": session["code"], "token": session["facilitator_token"]}, wait_timeout=10)
    try:
        assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
    finally:
        fac.disconnect()
    return session


def sessions_on_both_machines(machines: Machines) -> list[dict]:
    """SESSIONS started sessions, at least three held on each machine (codes hash where they hash: make more)."""
    chosen: list[dict] = []
    per_machine = {machine.name: 0 for machine in machines.machines}
    for _ in range(SESSIONS * 6):
        session = started_session(machines.url)
        owner = lease_owners(machines.database_url)[session["code"]][0]
        name = machines.machine_of(owner_pid(owner)).name
        if per_machine[name] < SESSIONS - 3:
            per_machine[name] += 1
            chosen.append(session)
        if len(chosen) == SESSIONS:
            return chosen
    raise AssertionError(f"{SESSIONS * 6} codes did not spread over both machines: {per_machine}")


def test_a_dead_machine_s_sessions_continue_on_the_other_with_every_acknowledged_answer(machines, tmp_path):
    proxy, url = machines.url, machines.database_url
    sessions = sessions_on_both_machines(machines)
    codes = [s["code"] for s in sessions]
    stop = threading.Event()
    deadline = time.monotonic() + RUN_LIMIT
    with ThreadPoolExecutor(SESSIONS) as pool:  # 200 phones join, a session's in turn, the sessions at once
        phones = [phone for batch in pool.map(
            lambda s: [Phone(proxy, s["code"], i, stop, pause=PAUSE) for i in range(PHONES_PER_SESSION)], sessions)
            for phone in batch]
    projectors = {s["code"]: Client(proxy, s["code"], "/screen", {"code": s["code"], "key": s["projector_url"].split("k=", 1)[1]},
                                    ["websocket"]) for s in sessions}
    by_code = {code: [p for p in phones if p.code == code] for code in codes}
    leases = LeaseSampler(lambda: (psycopg.connect(url, autocommit=True), "%s"), codes).start()
    held = HeldSampler(machines).start()
    threads = [threading.Thread(target=phone.run, args=(deadline,), daemon=True) for phone in phones]
    try:
        for thread in threads:
            thread.start()
        wait_until(lambda: all(len(p.acked) >= 2 for p in phones), timeout=60)
        before = lease_owners(url)
        doomed = machines.machine_of(owner_pid(before[codes[0]][0]))  # the machine of the first session: it dies
        survivor = next(m for m in machines.machines if m is not doomed)
        moved = [code for code in codes if owner_pid(before[code][0]) in doomed.pids()]
        stayed = [code for code in codes if code not in moved]
        assert moved and stayed and all(owner_pid(before[c][0]) in survivor.pids() for c in stayed)
        snapshots_before = {code: len(projectors[code].snapshots) for code in moved}
        killed_at = time.monotonic()
        doomed.kill()
        # Every session of the dead machine continues on the survivor: answers first sent after the kill are
        # acknowledged again, for every one of them.
        def first_after(code: str) -> float | None:
            """When a session's first answer sent after the kill was acknowledged, None before."""
            return min((t for p in by_code[code] for t in p.acked_after(killed_at)), default=None)
        wait_until(lambda: all(first_after(code) for code in codes), timeout=MOVE_LIMIT)
        recovered = {code: first_after(code) - killed_at for code in moved}
        # Then every phone has an answer acknowledged on the survivor, and every moved projector a new snapshot.
        settled = max(first_after(code) for code in codes)
        wait_until(lambda: all(any(t > settled for t, _q, _o in p.acked) for p in phones), timeout=MOVE_LIMIT)
        wait_until(lambda: all(len(projectors[c].snapshots) > snapshots_before[c] for c in moved), timeout=MOVE_LIMIT)
        after = lease_owners(url)
    finally:
        stop.set()
        for thread in threads:
            thread.join(RUN_LIMIT)
        held.stop()
        leases.stop()
        for projector in projectors.values():
            projector.sio.disconnect()
    assert not [t for t in threads if t.is_alive()]
    # Each moved session is owned by a survivor's worker now, under a new generation; the survivor's own sessions
    # never changed hands.
    assert all(owner_pid(after[c][0]) in survivor.pids() and after[c][1] > before[c][1] for c in moved), after
    assert all(after[c][:2] == before[c][:2] for c in stayed), (before, after)
    # Never two owners: each generation of a lease names one owner, generations only grow, and no owner seen
    # after a session's first answer on the survivor is a process of the dead machine.
    for code in codes:
        samples = leases.of(code)
        assert samples, code
        assert all(len({o for o in owners if o}) <= 1 for owners in owners_by_generation(samples).values()), code
        assert [g for _t, _o, g in samples] == sorted(g for _t, _o, g in samples), code
        if code in moved:
            assert not [o for t, o, _g in samples if t > killed_at + recovered[code] and owner_pid(o) in doomed.pids()]
    # Never in two workers' memory at once, and every session in exactly one live worker's at the end.
    assert held.rounds and not held.doubles(), held.doubles()[:5]
    last_round = held.rounds[-1][1]
    ids = {code: str(after[code][2]) for code in codes}
    assert all(sum(ids[code] in on for on in last_round.values()) == 1 for code in codes), last_round
    # Every phone's last acknowledged answer to each question is in the export (an earlier one to the same
    # question was replaced by the later one, as the protocol says).
    acknowledged = kept = expected = 0
    differ = []
    for session in sessions:
        summary = requests.get(f"{proxy}/api/sessions/{session['code']}/summary?nicknames=1", timeout=30,
                               headers={"Authorization": f"Bearer {session['facilitator_token']}"}).json()
        exported = {p["nickname"]: {q: r["1"] for q, r in p["answers"].items()} for p in summary["participants"]}
        for phone in by_code[session["code"]]:
            last = phone.last_answers()
            acknowledged += len(phone.acked)
            expected += len(last)
            kept += sum(exported.get(phone.nickname, {}).get(q) == o for q, o in last.items())
            if exported.get(phone.nickname) != last:
                differ.append((session["code"], phone.nickname, last, exported.get(phone.nickname)))
    assert not differ, (f"{kept} of {expected} last answers kept", differ[:5])
    refusals: dict[str, int] = {}
    for phone in phones:
        for code, count in phone.refusals.items():
            refusals[code] = refusals.get(code, 0) + count
    figures = {
        "sessions": SESSIONS, "phones": len(phones), "moved_sessions": len(moved), "stayed_sessions": len(stayed),
        "recovery_seconds_max": round(max(recovered.values()), 2),
        "recovery_seconds_median": round(statistics.median(recovered.values()), 2),
        "recovery_seconds": sorted(round(v, 2) for v in recovered.values()),
        "answers_acknowledged": acknowledged,
        "last_answers_acknowledged": expected, "last_answers_in_export": kept,
        "refusals": refusals, "metrics_rounds": len(held.rounds),
        "lease_samples": sum(len(leases.of(code)) for code in codes),
    }
    (tmp_path / "failover-machines.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print("failover across machines:", json.dumps(figures))
