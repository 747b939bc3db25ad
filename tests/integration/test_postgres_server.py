"""A real `workshop serve` on PostgreSQL (DATABASE_URL): an acknowledged answer survives kill -9 of the server."""
from __future__ import annotations

import json

import pytest
import requests

from tests.cli.test_cli_ops import run
from tests.integration.test_real_server import Phone, facilitator
from tests.support.server import ServerProcess

pytestmark = pytest.mark.integration


def test_an_answer_acknowledged_on_postgres_is_in_the_export_after_kill_9(tmp_path, pg_cluster):
    url = pg_cluster.create_schema()
    env = {"WORKSHOP_DATABASE_URL": url}
    server = ServerProcess(tmp_path / "data", env=env).start()
    clients = []
    try:
        session = requests.post(server.url + "/api/sessions", json={"title": "Gedeeld", "pacing": "paced"},
                                timeout=5).json()
        fac, _lives = facilitator(server.url, session)
        phone = Phone(server.url, session["code"])
        clients += [fac, phone.sio]
        pid = phone.join("Anna")["me"]["id"]
        assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
        ack = phone.call("answer", {"question": "begrippen", "option": "zelden", "round": 1})
        assert ack["ok"]

        server.kill()  # at once after the acknowledgement: nothing is flushed or closed
        phone.got_snapshot.clear()
        server = ServerProcess(tmp_path / "data", port=server.port, env=env).start()
        assert phone.got_snapshot.wait(15)
        assert phone.snapshots[-1]["me"]["id"] == pid
        assert phone.snapshots[-1]["me"]["answers"] == {"begrippen": {"1": "zelden"}}
        assert export(session["code"], tmp_path, env) == [("begrippen", "zelden")]  # read while the server runs
        later = Phone(server.url, session["code"])  # the restarted server writes to the same database
        clients.append(later.sio)
        later.join("Bo")
        assert later.call("answer", {"question": "begrippen", "option": "dagelijks", "round": 1})["ok"]
    finally:
        for c in clients:
            c.disconnect()
        server.stop()
    assert not (tmp_path / "data" / "workshop.sqlite3").exists()  # the sessions were in PostgreSQL, not in SQLite
    assert export(session["code"], tmp_path, env) == [("begrippen", "zelden"), ("begrippen", "dagelijks")]


def export(code: str, folder, env: dict[str, str]) -> list[tuple[str, str]]:
    """The answers (question, option) of the session's JSON export by `workshop export` on the database."""
    out = folder / "export.json"
    result = run("export", code, "--format", "json", "--out", str(out), cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(out.read_text())
    assert summary["session"]["title"] == "Gedeeld"
    return [(a["question"], a["option"]) for a in summary["answers"]]
