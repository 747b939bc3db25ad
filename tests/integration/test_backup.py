"""deploy/workshop-backup while a real server takes answers: the copy opens and holds every acknowledged answer."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading

import pytest
import requests
import socketio

from tests.support.server import ROOT, ServerProcess

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command (apt-get install sqlite3)")]
SCRIPT = ROOT / "deploy" / "workshop-backup"
PHONES = 25


def test_a_backup_taken_while_answers_arrive_holds_every_acknowledged_answer(tmp_path):
    with ServerProcess(tmp_path / "data") as server:
        session = requests.post(server.url + "/api/sessions", json={"title": "Back-up", "pacing": "self"},
                                timeout=5).json()
        fac = socketio.Client()
        fac.connect(server.url, namespaces=["/facilitator"], transports=["websocket"],
                    auth={"code": session["code"], "token": session["facilitator_token"]}, wait_timeout=10)
        phones = []
        try:
            assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
            for n in range(PHONES):
                phone = socketio.Client()
                phone.connect(server.url, namespaces=["/participant"], transports=["websocket"],
                              auth={"code": session["code"]}, wait_timeout=10)
                phones.append((phone, phone.call("join", {"nickname": f"p{n}"}, namespace="/participant",
                                                 timeout=10)["me"]["id"]))
            acked: list[tuple[int, str, str]] = []
            halfway = threading.Event()
            questions = [("begrippen", "regelmatig"), ("uitspraak", "kan-helpen")]

            def answer_all():
                """Every phone answers each question once, in turn; record each acknowledged answer."""
                for question, option in questions:
                    for phone, pid in phones:
                        ack = phone.call("answer", {"question": question, "option": option, "round": 1},
                                         namespace="/participant", timeout=10)
                        assert ack["ok"], ack
                        acked.append((pid, question, option))
                        if len(acked) == PHONES:
                            halfway.set()

            worker = threading.Thread(target=answer_all)
            worker.start()
            assert halfway.wait(30)
            before = list(acked)  # acknowledged before the backup started
            done = subprocess.run([str(SCRIPT), str(tmp_path / "data"), str(tmp_path / "backups")],
                                  capture_output=True, text=True, timeout=60)
            worker.join(60)
            assert done.returncode == 0, done.stderr
            assert len(acked) == 2 * PHONES
        finally:
            for client in [fac] + [p for p, _ in phones]:
                client.disconnect()
    backup = done.stdout.strip()
    with sqlite3.connect(backup) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = set(db.execute("SELECT participant_id, question_id, option_id FROM answers").fetchall())
    assert set(before) <= rows            # every answer acknowledged before the backup began is in it
    assert rows <= set(acked)             # and nothing that was never acknowledged
    assert (tmp_path / "backups" / "secret_key").read_bytes() == (tmp_path / "data" / "secret_key").read_bytes()
