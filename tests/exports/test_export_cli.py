"""`workshop export` and `workshop sessions`, and the facilitator's archive on the start page."""
from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from workshop import cli
from workshop.settings import ROOT
from workshop.store.sqlite import DB_NAME

from .exports_dataset import CODE, DATA, NOW, expected_csv_file, workshop  # noqa: F401 (workshop is a fixture)


@pytest.fixture(autouse=True)
def english_cli(monkeypatch):
    """The CLI speaks the operator's language (workshop/exports/cli_words.py): these tests read its English."""
    monkeypatch.setenv("WORKSHOP_CLI_LANGUAGE", "en")



def export(data_dir, *args):
    """Run `workshop export` in this process; return its exit code."""
    return cli.main(["export", CODE, "--data-dir", str(data_dir), *args])


def sessions(data_dir, *args):
    """Run `workshop sessions` in this process; return its exit code."""
    return cli.main(["sessions", "--data-dir", str(data_dir), *args])


def rows_per_table(data_dir, code):
    """How many rows each table holds for one session (by looking at the database file directly)."""
    con = sqlite3.connect(data_dir / DB_NAME)
    try:
        found = con.execute("SELECT id FROM sessions WHERE code = ?", (code,)).fetchone()
        session_id = found[0] if found else -1
        counts = {}
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
            column = "id" if table == "sessions" else "session_id"
            assert column in columns, f"table {table} is not tied to a session: does delete cover it?"
            counts[table] = con.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (session_id,)).fetchone()[0]
        return counts
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html"])
def test_export_writes_each_format_to_a_file(data_dir, workshop, tmp_path, fmt, capsys):
    out = tmp_path / f"out.{fmt}"
    assert export(data_dir, "--format", fmt, "--out", str(out)) == 0
    assert f"Wrote {out}" in capsys.readouterr().err
    body = out.read_bytes()
    if fmt == "json":
        data = json.loads(body)
        assert data["generated_at"] != NOW  # the command line's own clock
        data["generated_at"] = NOW
        assert data == json.loads((DATA / "summary.json").read_text(encoding="utf-8"))
    elif fmt == "csv":
        assert body == expected_csv_file()  # a BOM, times in TIME_ZONE (Europe/Amsterdam by default)
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(body)).sheetnames == ["Samenvatting", "Vragen", "Antwoorden",
                                                              "Notities en stappen", "Uitdagingen en ideeën"]
    else:
        assert b"Fase 4: Ik doe" in body and b"<script" not in body


def test_export_writes_to_standard_output_and_can_leave_nicknames_out(data_dir, workshop, capsysbinary):
    assert export(data_dir, "--format", "csv", "--no-nicknames") == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbfsession_code,participant,nickname,")
    assert b"Anna" not in out and b"Dewi" not in out
    assert out.count(b"\r\n") == 21


def test_export_of_an_unknown_code_fails_clearly(data_dir, workshop, capsys):
    assert cli.main(["export", "ZZZZZZ", "--data-dir", str(data_dir)]) == 1
    assert "No session with code ZZZZZZ" in capsys.readouterr().err


def test_export_xlsx_through_a_pipe_from_the_real_command(data_dir, workshop):
    done = subprocess.run([sys.executable, "-m", "workshop", "export", CODE.lower(), "--format", "xlsx",
                           "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert load_workbook(io.BytesIO(done.stdout)).sheetnames[-1] == "Uitdagingen en ideeën"


def test_sessions_list_shows_every_session(data_dir, workshop, capsys):
    assert sessions(data_dir, "list") == 0
    out = capsys.readouterr().out
    assert CODE in out and "Museum De Kade" in out and "results" in out
    assert "1 session\n" in out


def test_sessions_delete_removes_every_row_and_leaves_no_copy(app, client, data_dir, workshop, capsys):
    other = client.post("/api/sessions", json={"title": "Andere sessie"}).get_json()
    svc = app.extensions["workshop"]
    svc.live.join(svc.live.room(other["code"]), "Zora")
    report = workshop.facilitator.emit("report_link", {"enabled": True})
    assert report["ok"]
    assert workshop.facilitator.emit("facilitator_link", {})["ok"]  # a link for another device
    before = rows_per_table(data_dir, CODE)
    assert before == {"sessions": 1, "participants": 5, "answers": 21, "notes": 3, "steps": 2, "facilitator_tokens": 1,
                      "carried_steps": 0, "activities": 1, "challenge_picks": 0, "ideas": 0, "dots": 0,
                      "session_leases": 0}  # a single server takes no lease (workers do: tests/unit/test_ownership.py)

    assert sessions(data_dir, "delete", CODE) == 1  # no terminal to confirm on, and no --yes
    assert rows_per_table(data_dir, CODE) == before
    assert sessions(data_dir, "delete", CODE, "--yes") == 0
    assert f"Deleted session {CODE}" in capsys.readouterr().out

    assert rows_per_table(data_dir, CODE) == {table: 0 for table in before}
    assert rows_per_table(data_dir, other["code"])["participants"] == 1  # the other session is untouched
    for path in data_dir.iterdir():  # nothing of it is left in the database files either
        content = path.read_bytes()
        assert b"Museum De Kade" not in content and b"Dewi, PR" not in content and b"koffie" not in content
    assert sessions(data_dir, "delete", CODE, "--yes") == 1
    assert client.get(report["report"]["url"]).status_code == 404


def test_sessions_purge_deletes_only_sessions_older_than_the_given_days(app, client, data_dir, workshop, capsys):
    recent = client.post("/api/sessions", json={"title": "Recent"}).get_json()["code"]
    now = datetime.now(timezone.utc)
    con = sqlite3.connect(data_dir / DB_NAME)
    with con:
        con.execute("UPDATE sessions SET updated_at = ? WHERE code = ?",
                    ((now - timedelta(days=40)).isoformat(timespec="seconds"), CODE))
        con.execute("UPDATE sessions SET updated_at = ? WHERE code = ?",
                    ((now - timedelta(days=10)).isoformat(timespec="seconds"), recent))
    con.close()

    assert sessions(data_dir, "purge", "--older-than", "30", "--yes") == 0
    assert f"Deleted 1 session: {CODE}." in capsys.readouterr().out
    assert set(rows_per_table(data_dir, CODE).values()) == {0}
    assert rows_per_table(data_dir, recent)["sessions"] == 1
    assert sessions(data_dir, "purge", "--older-than", "5", "--yes") == 0
    assert rows_per_table(data_dir, recent)["sessions"] == 0


def test_start_page_lists_the_sessions_this_browser_ran(client, workshop):
    assert client.get(f"/s/{CODE}/manage?t={workshop.token}").status_code == 303
    html = client.get("/").get_data(as_text=True)
    mine = html[html.index('id="h-mine"'):]
    assert "Museum De Kade: jaarplan 2025" in mine
    assert "2025-03-14" in mine and "4 deelnemers" in mine
    assert "Afgesproken fase: Ik doe" in mine  # every question has an agreed answer: the consensus phase
    assert f'href="/s/{CODE}/manage"' in mine
    assert client.get(f"/s/{CODE}/manage").status_code == 200
    assert 'id="h-mine"' not in client.application.test_client().get("/").get_data(as_text=True)
