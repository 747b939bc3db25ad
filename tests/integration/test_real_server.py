"""The real `workshop serve` process on 127.0.0.1, driven by python-socketio clients."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import requests
import socketio

from tests.support.server import ServerProcess

pytestmark = pytest.mark.integration


class Phone:
    """A python-socketio client acting as a phone; it reconnects by itself with its token."""

    def __init__(self, url: str, code: str):
        """Connect as a visitor."""
        self.code, self.token = code, None
        self.snapshots: list[dict] = []
        self.states: list[dict] = []
        self.got_snapshot = threading.Event()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("snapshot", self._snapshot, namespace="/participant")
        self.sio.on("state", self.states.append, namespace="/participant")
        self.sio.connect(url, namespaces=["/participant"], transports=["websocket"],
                         auth=lambda: {"code": self.code, "token": self.token}, wait_timeout=10)

    def _snapshot(self, data):
        """Keep every snapshot (one per connect)."""
        self.snapshots.append(data)
        self.got_snapshot.set()

    def call(self, event, data):
        """Emit and wait for the acknowledgement."""
        return self.sio.call(event, data, namespace="/participant", timeout=10)

    def join(self, nickname):
        """Join and keep the token for reconnects."""
        ack = self.call("join", {"nickname": nickname})
        self.token = ack["token"]
        return ack


def facilitator(url, session):
    """A connected facilitator client and the list of live aggregates it received."""
    lives = []
    client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
    client.on("live", lives.append, namespace="/facilitator")
    client.connect(url, namespaces=["/facilitator"], transports=["websocket"],
                   auth={"code": session["code"], "token": session["facilitator_token"]}, wait_timeout=10)
    return client, lives


def wait_until(predicate, timeout=15.0):
    """Poll until predicate() is true or fail."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def test_real_server_runs_a_session_and_survives_kill_9(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    clients = []
    try:
        session = requests.post(server.url + "/api/sessions", json={"title": "Echt", "pacing": "paced"}, timeout=5).json()
        fac, lives = facilitator(server.url, session)
        clients.append(fac)
        phones = [Phone(server.url, session["code"]) for _ in range(3)]
        clients += [p.sio for p in phones]
        ids = [p.join(name)["me"]["id"] for p, name in zip(phones, ("A", "B", "C"))]
        assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
        acks = [p.call("answer", {"question": "begrippen", "option": opt, "round": 1})
                for p, opt in zip(phones, ("nooit", "zelden", "dagelijks"))]
        assert all(a["ok"] for a in acks)
        wait_until(lambda: lives and lives[-1]["seq"] == 3)
        assert lives[-1]["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [1, 1, 0, 1]

        server.kill()  # the question is still open
        for p in phones:
            p.got_snapshot.clear()
        server = ServerProcess(tmp_path / "data", port=server.port).start()

        # Every page reconnects by itself and gets the current state, as the same participant.
        for p, pid in zip(phones, ids):
            assert p.got_snapshot.wait(15)
            snap = p.snapshots[-1]
            assert snap["me"]["id"] == pid
            assert snap["state"]["focus"] == "begrippen" and snap["state"]["questions"][0]["status"] == "open"
        assert phones[0].snapshots[-1]["me"]["answers"] == {"begrippen": {"1": "nooit"}}
        # The snapshot is sent from the server's connect handler, just before the namespace's
        # connect acknowledgement; wait for that too before emitting.
        wait_until(lambda: fac.connected and fac.namespaces.get("/facilitator"))
        wait_until(lambda: all(p.sio.namespaces.get("/participant") for p in phones))
        ack = phones[1].call("answer", {"question": "begrippen", "option": "regelmatig", "round": 1})
        assert ack["ok"] and ack["seq"] == 4
        wait_until(lambda: lives and lives[-1]["seq"] == 4)
        assert lives[-1]["joined"] == 3  # no duplicate participants
        assert lives[-1]["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [1, 0, 1, 1]
    finally:
        for c in clients:
            c.disconnect()
        server.stop()
    with sqlite3.connect(tmp_path / "data" / "workshop.sqlite3") as db:
        rows = db.execute("SELECT participant_id, option_id FROM answers ORDER BY participant_id").fetchall()
        assert rows == [(ids[0], "nooit"), (ids[1], "regelmatig"), (ids[2], "dagelijks")]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == 3


def test_serve_prints_a_reachable_address_and_the_qr_encodes_the_join_url(tmp_path):
    with ServerProcess(tmp_path / "data") as server:
        session = requests.post(server.url + "/api/sessions", json={"title": "QR"}, timeout=5).json()
        assert session["join_url"] == f"{server.url}/j/{session['code']}"
        svg = requests.get(f"{server.url}/s/{session['code']}/qr.svg", timeout=5)
        assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
        assert requests.get(session["join_url"], timeout=5).status_code == 200


def test_serve_deletes_sessions_past_the_retention_period(tmp_path):
    from workshop import create_app

    app = create_app({"ASYNC_MODE": "threading", "DATA_DIR": str(tmp_path / "data")})
    live = app.extensions["workshop"].live
    old, _ = live.create("Oud")
    new, _ = live.create("Nieuw")
    live.store.close()
    with sqlite3.connect(tmp_path / "data" / "workshop.sqlite3") as db:
        db.execute("UPDATE sessions SET updated_at = '2020-01-01T00:00:00+00:00' WHERE code = ?", (old.code,))
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_RETENTION_DAYS": "30"}) as server:
        assert requests.get(f"{server.url}/j/{old.code}", timeout=5).status_code == 404
        assert requests.get(f"{server.url}/j/{new.code}", timeout=5).status_code == 200


def test_downloads_built_off_the_event_loop_arrive_whole(tmp_path, backend, request):
    """Under eventlet the CSV, XLSX and summary JSON are built in an OS thread (tpool) on a reader of their own
    (SQLite, or a PostgreSQL connection of its own); they still arrive right."""
    import csv
    import io

    from openpyxl import load_workbook

    env = {"WORKSHOP_DATABASE_URL": request.getfixturevalue("pg_cluster").create_schema()} if backend == "postgres" else {}
    with ServerProcess(tmp_path / "data", env=env) as server:
        session = requests.post(server.url + "/api/sessions", json={"title": "Export", "pacing": "self"},
                                timeout=5).json()
        fac, _ = facilitator(server.url, session)
        phones = [Phone(server.url, session["code"]) for _ in range(3)]
        try:
            for phone, name in zip(phones, ("A", "B", "C")):
                phone.join(name)
            assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
            for phone, option in zip(phones, ("nooit", "zelden", "dagelijks")):
                assert phone.call("answer", {"question": "begrippen", "option": option, "round": 1})["ok"]
        finally:
            for c in [fac] + [p.sio for p in phones]:
                c.disconnect()
        browser = requests.Session()
        assert browser.get(session["facilitator_url"], timeout=5).status_code == 200  # sets the cookie
        base = f"{server.url}/s/{session['code']}/export"
        workbook = browser.get(base + ".xlsx", timeout=30)
        assert workbook.status_code == 200, workbook.text[:200]
        sheets = load_workbook(io.BytesIO(workbook.content), read_only=True)
        assert len(sheets.sheetnames) >= 2
        rows = list(csv.DictReader(io.StringIO(browser.get(base + ".csv", timeout=30).content.decode("utf-8-sig"))))
        assert sorted(r["option_id"] for r in rows if r["question_id"] == "begrippen") == ["dagelijks", "nooit", "zelden"]
        summary = requests.get(f"{server.url}/api/sessions/{session['code']}/summary", timeout=30,
                               headers={"Authorization": f"Bearer {session['facilitator_token']}"}).json()
        assert summary["schema"] == "workshop.summary/2" and summary["results"]["joined"] == 3
