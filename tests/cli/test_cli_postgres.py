"""The command line on PostgreSQL (DATABASE_URL): sessions list, purge, delete and export work on the database;
workshop-backup refuses and names pg_dump; a database that cannot be reached is one clear line."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.cli.test_cli_ops import ago, one_clear_line, run
from tests.support.server import ROOT
from workshop.core.questionnaire import default as default_questionnaire
from workshop.live.service import Live
from workshop.settings import Settings
from workshop.store.postgres import PostgresStore


@pytest.fixture
def database(pg_cluster):
    """A PostgreSQL schema with sessions last changed 200, 40 and 0 days ago; (address, title -> code)."""
    url = pg_cluster.create_schema()
    store = PostgresStore(url)
    live = Live(store, default_questionnaire(), Settings())
    codes = {}
    for title, days in {"Oud": 200, "Maand": 40, "Vandaag": 0}.items():
        room, _token = live.create(title)
        live.join(room, "Anna")
        codes[title] = room.code
        with store.transaction() as c:
            c.execute("UPDATE sessions SET updated_at = ? WHERE code = ?", (ago(days), room.code))
    store.close()
    return url, codes


def stored(url: str) -> set[str]:
    """The codes stored in the database now."""
    store = PostgresStore(url, read_only=True)
    try:
        return {r["code"] for r in store.list_sessions()}
    finally:
        store.close()


def test_list_purge_delete_and_export_work_on_the_database_and_create_no_folder(database, tmp_path):
    url, codes = database
    env = {"WORKSHOP_DATABASE_URL": url, "WORKSHOP_DATA_DIR": str(tmp_path / "nowhere")}
    listed = run("sessions", "list", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert all(code in listed.stdout for code in codes.values())
    exported = run("export", codes["Maand"], "--format", "json", "--out", str(tmp_path / "m.json"), cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "m.json").read_text())["session"]["title"] == "Maand"
    purged = run("sessions", "purge", "--older-than", "100", "--yes", cwd=tmp_path, env=env)
    assert purged.returncode == 0, purged.stderr
    assert stored(url) == {codes["Maand"], codes["Vandaag"]}
    deleted = run("sessions", "delete", codes["Maand"], "--yes", cwd=tmp_path, env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert stored(url) == {codes["Vandaag"]}
    assert not (tmp_path / "nowhere").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_a_database_that_cannot_be_reached_is_one_clear_line(tmp_path, pg_cluster):
    url = f"postgresql://workshop:secret@127.0.0.1:{pg_cluster.port + 1 if pg_cluster.port < 65535 else 1}/none"
    message = one_clear_line(run("sessions", "list", cwd=tmp_path, env={"WORKSHOP_DATABASE_URL": url}),
                             "Cannot use the database", "DATABASE_URL")
    assert "secret" not in message  # the password stays out of messages


def test_workshop_backup_refuses_on_postgres_and_names_pg_dump(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    result = subprocess.run(["sh", str(ROOT / "deploy" / "workshop-backup"), str(data), str(tmp_path / "backups")],
                            env={**os.environ, "WORKSHOP_DATABASE_URL": "postgresql://workshop@db/workshop"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "pg_dump" in result.stderr and "PostgreSQL" in result.stderr
    assert not (tmp_path / "backups").exists()
