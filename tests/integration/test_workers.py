"""Two workers behind nginx's consistent hash with Redis between them: the deployment of docs/deployment.md.

Starts redis-server, nginx (with deploy/nginx's maps and locations) and `workshop serve --workers 2` on
127.0.0.1 and free ports; clients talk only to nginx.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
import socketio

from tests.support.cluster import Cluster, missing_tools
from tests.support.server import ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} "
                       "(apt-get install redis-server nginx; .ci/run installs them)"),
]
WORKER = "X-Workshop-Worker"


class Client:
    """A python-socketio client of one namespace that records its snapshots and disconnects."""

    def __init__(self, proxy: str, code: str, namespace: str, auth: dict, transports: list[str]):
        """Connect through the proxy with the code in the handshake URL, as the pages do."""
        self.namespace, self.auth = namespace, dict(auth)
        self.snapshots: list[dict] = []
        self.deleted: list[dict] = []
        self.disconnects = 0
        self.got_snapshot = threading.Event()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("snapshot", self._snapshot, namespace=namespace)
        self.sio.on("session_deleted", self.deleted.append, namespace=namespace)
        self.sio.on("disconnect", self._disconnected, namespace=namespace)
        self.sio.connect(f"{proxy}/?code={code}", namespaces=[namespace], transports=transports,
                         auth=lambda: self.auth, wait_timeout=10)

    def _snapshot(self, data):
        """Keep every snapshot (one per connect)."""
        self.snapshots.append(data)
        self.got_snapshot.set()

    def _disconnected(self, *_reason):
        """Count the disconnects."""
        self.disconnects += 1

    def call(self, event, data):
        """Emit and wait for the acknowledgement."""
        return self.sio.call(event, data, namespace=self.namespace, timeout=10)

    def ready(self) -> bool:
        """Tell whether the namespace is connected."""
        return bool(self.sio.connected and self.sio.namespaces.get(self.namespace))


def phone(proxy, session, transports):
    """A joined phone of a session."""
    client = Client(proxy, session["code"], "/participant", {"code": session["code"]}, transports)
    client.auth["token"] = client.call("join", {"nickname": f"p{len(transports)}"})["token"]
    return client


def facilitator(proxy, session, transports):
    """A connected facilitator of a session."""
    return Client(proxy, session["code"], "/facilitator",
                  {"code": session["code"], "token": session["facilitator_token"]}, transports)


def wait_until(predicate, timeout=20.0):
    """Poll until predicate() is true or fail."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


@pytest.fixture
def cluster(tmp_path):
    """redis-server, two workers (DeletionWatcher off: deletions must come through the queue) and nginx."""
    running = Cluster(tmp_path, 2, env={"WORKSHOP_DELETION_CHECK_INTERVAL": "0"}).start()
    yield running.redis, running.workers, running.nginx
    running.stop()


def sessions_on_both_workers(proxy: str) -> dict[str, list[dict]]:
    """Create sessions through the proxy until worker 1 holds two and worker 2 one; {worker: [session]}."""
    placed: dict[str, list[dict]] = {"1": [], "2": []}
    for n in range(60):
        session = requests.post(f"{proxy}/api/sessions", json={"title": f"S{n}", "pacing": "self"}, timeout=5).json()
        page = requests.get(f"{proxy}/j/{session['code']}", timeout=5)
        assert page.status_code == 200
        placed[page.headers[WORKER]].append(session)
        if len(placed["1"]) >= 2 and placed["2"]:
            return placed
    raise AssertionError(f"60 codes did not reach both workers: {placed}")


def test_two_workers_behind_nginx_keep_each_session_in_one_worker(cluster, tmp_path):
    redis, workers, nginx = cluster
    proxy = nginx.url
    placed = sessions_on_both_workers(proxy)
    a, doomed, b = placed["1"][0], placed["1"][1], placed["2"][0]
    # Every request of a session reaches the same worker: pages, the API, the QR code, polling and websocket.
    for session, worker in ((a, "1"), (b, "2")):
        for path in (f"/j/{session['code']}", f"/s/{session['code']}/qr.svg", f"/j/{session['code'].lower()}"):
            assert requests.get(proxy + path, timeout=5).headers[WORKER] == worker
    clients = []
    try:
        fac_a = facilitator(proxy, a, ["websocket"])
        fac_b = facilitator(proxy, b, ["polling"])  # long-polling only: every poll must reach worker 2
        a_ws = phone(proxy, a, ["websocket"])
        a_up = phone(proxy, a, ["polling", "websocket"])  # starts polling, then upgrades
        b_poll = phone(proxy, b, ["polling"])
        doomed_phone = phone(proxy, doomed, ["websocket"])
        clients = [fac_a, fac_b, a_ws, a_up, b_poll, doomed_phone]
        assert a_up.sio.transport() == "websocket"
        assert b_poll.sio.transport() == "polling"
        for fac in (fac_a, fac_b):
            assert fac.call("command", {"action": "start"})["ok"]
        for client, option in ((a_ws, "nooit"), (a_up, "zelden"), (b_poll, "dagelijks")):
            assert client.call("answer", {"question": "begrippen", "option": option, "round": 1})["ok"]

        # A deletion from the command line reaches the worker holding the session through Redis.
        env = {**os.environ, "WORKSHOP_MESSAGE_QUEUE": redis.url}
        done = subprocess.run([sys.executable, "-m", "workshop", "sessions", "delete", doomed["code"], "--yes",
                               "--data-dir", str(workers.data_dir)], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        wait_until(lambda: doomed_phone.deleted and not doomed_phone.ready())
        assert doomed_phone.deleted[0]["code"] == "session_deleted"
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(proxy, doomed["code"], "/participant", {"code": doomed["code"]}, ["websocket"])
        assert requests.get(f"{proxy}/j/{doomed['code']}", timeout=5).status_code == 404

        # Worker 1 dies: only session a's clients reconnect (to worker 1, started again), with their answers.
        b_disconnects = (fac_b.disconnects, b_poll.disconnects)
        for client in (a_ws, a_up):
            client.got_snapshot.clear()
        os.kill(workers.pids[1], signal.SIGKILL)
        workers.read_pids(1, timeout=30)  # the supervisor starts worker 1 again
        for client in (a_ws, a_up):
            assert client.got_snapshot.wait(30)
            wait_until(client.ready)
            assert client.disconnects >= 1
        assert a_ws.snapshots[-1]["me"]["answers"] == {"begrippen": {"1": "nooit"}}
        assert a_up.snapshots[-1]["me"]["answers"] == {"begrippen": {"1": "zelden"}}
        wait_until(fac_a.ready)
        assert a_ws.call("answer", {"question": "begrippen", "option": "regelmatig", "round": 1})["ok"]
        assert b_poll.call("answer", {"question": "begrippen", "option": "zelden", "round": 1})["ok"]
        assert (fac_b.disconnects, b_poll.disconnects) == b_disconnects == (0, 0)
        assert requests.get(f"{proxy}/j/{a['code']}", timeout=5).headers[WORKER] == "1"
    finally:
        for client in clients:
            client.sio.disconnect()
