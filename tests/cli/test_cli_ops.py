"""The command line as an operator meets it (issue 24, points 2 and 7): purge, wrong folders, backups, help.

Each case runs the real `python -m workshop` in its own process, in a scratch working directory, the way
an operator types it; the sessions are made with the store and the live service on a real SQLite file.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.server import ROOT
from workshop.core.questionnaire import default as default_questionnaire
from workshop.live.service import Live
from workshop.settings import Settings
from workshop.store.sqlite import DB_NAME, Store

OTHER_UID = 54321  # a user without a name, owning what "the service" owns in these tests


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, user: int | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m workshop ARGS` in cwd (as another uid through setpriv when given), in English."""
    command = [sys.executable, "-m", "workshop", *args]
    if user is not None:
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            pytest.skip("needs root and setpriv(1) to run a command as another user")
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("WORKSHOP_")}
    environment.update({"WORKSHOP_CLI_LANGUAGE": "en", "PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=60,
                          input=stdin if stdin is not None else "")


def ago(days: float) -> str:
    """An ISO time `days` before now, as the store writes them."""
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


def make_sessions(data_dir: Path, ages: dict[str, float], ended: tuple[str, ...] = ()) -> dict[str, str]:
    """Sessions titled by the keys of ages, last changed that many days ago; return title -> code."""
    store = Store(data_dir / DB_NAME)
    live = Live(store, default_questionnaire(), Settings())
    codes = {}
    for title in ages:
        room, _token = live.create(title)
        live.join(room, "Anna")
        if title in ended:
            live.command(room, "end")
        codes[title] = room.code
    with store.transaction() as c:
        for title, days in ages.items():
            c.execute("UPDATE sessions SET updated_at = ? WHERE code = ?", (ago(days), codes[title]))
    store.close()
    return codes


def stored_codes(data_dir: Path) -> set[str]:
    """The codes in the database file, read without changing it."""
    with sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro&immutable=1", uri=True) as db:
        return {row[0] for row in db.execute("SELECT code FROM sessions")}


def tree(folder: Path) -> list[str]:
    """Every path under folder (to see that a command created nothing)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_clear_line(result: subprocess.CompletedProcess, *words: str) -> str:
    """A non-zero exit with a message on stderr holding the words, no traceback; return the message."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


# Purge


@pytest.fixture
def aged(tmp_path):
    """A data directory with sessions last changed 200, 40 and 0 days ago; (folder, title -> code)."""
    data = tmp_path / "data"
    return data, make_sessions(data, {"Oud": 200, "Maand": 40, "Vandaag": 0})


def test_retention_days_0_keeps_everything_as_settings_md_says(aged, tmp_path):
    data, codes = aged
    result = run("sessions", "purge", "--yes", "--data-dir", str(data), cwd=tmp_path,
                 env={"WORKSHOP_RETENTION_DAYS": "0"})
    assert result.returncode == 0, result.stderr
    assert "RETENTION_DAYS is 0: sessions are kept, nothing is deleted" in result.stdout
    assert stored_codes(data) == set(codes.values())


@pytest.mark.parametrize("days", ["0", "-1", "0.5", "nan", "-inf", "twee"])
def test_older_than_below_one_day_is_refused_and_deletes_nothing(aged, tmp_path, days):
    data, codes = aged
    result = run("sessions", "purge", f"--older-than={days}", "--yes", "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 2
    assert "--older-than" in result.stderr and "Traceback" not in result.stderr
    assert stored_codes(data) == set(codes.values())


def test_dry_run_lists_what_would_go_with_its_last_change_and_deletes_nothing(aged, tmp_path):
    data, codes = aged
    result = run("sessions", "purge", "--older-than", "30", "--dry-run", "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 sessions unchanged for more than 30 days:" in out and "Dry run: nothing was deleted." in out
    lines = {line.split()[0]: line for line in out.splitlines() if line[:6] in codes.values()}
    assert set(lines) == {codes["Oud"], codes["Maand"]}
    assert ago(200)[:10] in lines[codes["Oud"]] and ago(40)[:10] in lines[codes["Maand"]]
    assert stored_codes(data) == set(codes.values())


def test_purge_without_yes_says_what_it_would_delete_and_asks(aged, tmp_path):
    data, codes = aged
    refused = run("sessions", "purge", "--older-than", "30", "--data-dir", str(data), cwd=tmp_path)
    assert refused.returncode == 1 and "Refusing without confirmation: add --yes." in refused.stderr
    assert codes["Oud"] in refused.stdout and codes["Maand"] in refused.stdout
    assert codes["Vandaag"] not in refused.stdout
    assert stored_codes(data) == set(codes.values())
    done = run("sessions", "purge", "--older-than", "30", "--yes", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stored_codes(data) == {codes["Vandaag"]}


def test_purge_by_the_retention_setting(aged, tmp_path):
    data, codes = aged
    done = run("sessions", "purge", "--yes", "--data-dir", str(data), cwd=tmp_path,
               env={"WORKSHOP_RETENTION_DAYS": "90"})
    assert done.returncode == 0, done.stderr
    assert stored_codes(data) == {codes["Maand"], codes["Vandaag"]}
    assert f"Deleted 1 session: {codes['Oud']}." in done.stdout


def test_sessions_list_shows_the_last_change_purge_goes_by(aged, tmp_path):
    data, codes = aged
    result = run("sessions", "list", "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["CODE", "CREATED", "CHANGED"]
    changed = {row.split()[0]: row.split()[2] for row in rows if row[:6] in codes.values()}
    assert changed[codes["Oud"]][:10] == ago(200)[:10]
    assert changed[codes["Vandaag"]][:10] == ago(0)[:10]


def test_delete_says_which_session_it_deletes_and_asks(aged, tmp_path):
    data, codes = aged
    refused = run("sessions", "delete", codes["Oud"], "--data-dir", str(data), cwd=tmp_path)
    assert refused.returncode == 1 and codes["Oud"] in refused.stdout and "Oud" in refused.stdout
    assert codes["Oud"] in stored_codes(data)
    asked = run("sessions", "delete", codes["Oud"], "--data-dir", str(data), cwd=tmp_path, stdin="nee\n")
    assert asked.returncode == 1 and codes["Oud"] in stored_codes(data)


# Running sessions


def test_a_session_something_is_connected_to_is_kept_by_every_purge(app, socket_client):
    """A projector left on changes nothing; the idle sweep keeps its session's clock moving, so no purge takes it."""
    live = app.extensions["workshop"].live
    shown, _ = live.create("Op het scherm")
    idle, _ = live.create("Niemand kijkt")
    ended, _ = live.create("Afgelopen")
    live.command(ended, "end")
    services = app.extensions["workshop"]
    screen = socket_client("screen", shown.code, key=services.projector_key(shown.code))
    assert socket_client("screen", ended.code, key=services.projector_key(ended.code)).is_connected("/screen")
    with live.store.transaction() as c:  # nothing changed for a year
        c.execute("UPDATE sessions SET updated_at = ?", (ago(365),))
    assert screen.is_connected("/screen")
    services.sweep()
    kept = {s["code"] for s in live.sessions()} - set(live.purge(1))
    assert kept == {shown.code}  # the ended one's clock stays put (issue 20, finding 10)


# Wrong folders, read-only backups


@pytest.mark.parametrize("command", [["sessions", "list"], ["sessions", "purge", "--yes"],
                                     ["sessions", "delete", "ABC234", "--yes"], ["export", "ABC234"],
                                     ["compare", "ABC234", "DEF567"], ["sessions", "link", "ABC234"]])
def test_a_folder_without_data_is_a_clear_error_and_nothing_is_created(tmp_path, command):
    before = tree(tmp_path)
    # sessions/ of the working directory, as an installed wheel's default (a checkout's is its own sessions/)
    result = run(*command, cwd=tmp_path, env={"WORKSHOP_DATA_DIR": "sessions"})
    one_clear_line(result, "No data directory sessions (given by WORKSHOP_DATA_DIR); nothing was created.")
    assert tree(tmp_path) == before


def test_a_mistyped_data_dir_is_a_clear_error_and_nothing_is_created(aged, tmp_path):
    data, _codes = aged
    typo = tmp_path / "dta"
    result = run("sessions", "list", "--data-dir", str(typo), cwd=tmp_path)
    one_clear_line(result, f"No data directory {typo} (given by --data-dir)")
    assert not typo.exists()
    empty = tmp_path / "leeg"
    empty.mkdir()
    result = run("sessions", "list", cwd=tmp_path, env={"WORKSHOP_DATA_DIR": str(empty)})
    one_clear_line(result, f"No workshop database in {empty} (given by WORKSHOP_DATA_DIR; no {DB_NAME} there)")
    assert list(empty.iterdir()) == []


def test_export_to_a_missing_folder_is_a_clear_error(aged, tmp_path):
    data, codes = aged
    result = run("export", codes["Oud"], "--out", "/missing/x.json", "--data-dir", str(data), cwd=tmp_path)
    one_clear_line(result, "Cannot write /missing/x.json: No such file or directory.")
    assert result.returncode == 1


def test_a_backup_file_is_inspected_read_only(aged, tmp_path):
    """`--data-dir` may name a backup (as deploy/workshop-backup writes them); nothing in or beside it changes."""
    data, codes = aged
    vault = tmp_path / "backups"
    vault.mkdir()
    backup = vault / "workshop-20261206T031500Z.sqlite3"
    source = sqlite3.connect(data / DB_NAME)
    target = sqlite3.connect(backup)
    source.backup(target)
    source.close()
    target.close()
    digest = hashlib.sha256(backup.read_bytes()).hexdigest()
    listed = run("sessions", "list", "--data-dir", str(backup), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert all(code in listed.stdout for code in codes.values())
    exported = run("export", codes["Oud"], "--data-dir", str(backup), cwd=tmp_path)
    assert exported.returncode == 0 and '"title": "Oud"' in exported.stdout
    refused = run("sessions", "delete", codes["Oud"], "--yes", "--data-dir", str(backup), cwd=tmp_path)
    one_clear_line(refused, "is a database file, opened read-only")
    assert [p.name for p in vault.iterdir()] == [backup.name]  # no -wal or -shm beside it
    assert hashlib.sha256(backup.read_bytes()).hexdigest() == digest


@pytest.fixture
def open_folder():
    """A scratch folder every user may enter (pytest's own are its owner's only); removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="workshop-cli-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_data_directory_this_user_cannot_write_is_listed_and_exported(open_folder):
    """A copy on read-only media, or a folder of another user: reads work, writes refuse in one line."""
    tmp_path = open_folder
    data = tmp_path / "data"
    codes = make_sessions(data, {"Oud": 200, "Vandaag": 0})
    for path in (data, data / DB_NAME):
        path.chmod(0o755 if path.is_dir() else 0o644)  # readable by everyone, writable by root only
    listed = run("sessions", "list", "--data-dir", str(data), cwd="/", user=OTHER_UID)
    assert listed.returncode == 0, listed.stderr
    assert all(code in listed.stdout for code in codes.values())
    out = tmp_path / "export.json"
    out.touch()
    os.chown(out, OTHER_UID, OTHER_UID)
    exported = run("export", codes["Oud"], "--out", str(out), "--data-dir", str(data), cwd="/", user=OTHER_UID)
    assert exported.returncode == 0, exported.stderr
    assert '"title": "Oud"' in out.read_text()
    refused = run("sessions", "delete", codes["Oud"], "--yes", "--data-dir", str(data), cwd="/", user=OTHER_UID)
    one_clear_line(refused, f"Cannot use the data directory {data}")
    assert sorted(p.name for p in data.iterdir()) == [DB_NAME]  # nothing created beside it


def test_root_is_told_to_act_as_the_service_user(aged, tmp_path):
    """Root changing the service's database would leave root-owned -wal/-shm files that lock the service out."""
    data, codes = aged
    if os.geteuid() != 0:
        pytest.skip("runs as root")
    os.chown(data, OTHER_UID, OTHER_UID)
    os.chown(data / DB_NAME, OTHER_UID, OTHER_UID)
    result = run("sessions", "delete", codes["Oud"], "--yes", "--data-dir", str(data), cwd=tmp_path)
    one_clear_line(result, f"belongs to the user {OTHER_UID}", f"sudo -u {OTHER_UID}")
    assert codes["Oud"] in stored_codes(data)
    assert sorted(p.name for p in data.iterdir()) == [DB_NAME]


# Help


def test_help_names_the_data_dir_variable_and_says_what_activities_is(tmp_path):
    for command in (["--help"], ["sessions", "--help"], ["export", "--help"]):
        result = run(*command, cwd=tmp_path)
        assert result.returncode == 0 and "WORKSHOP_DATA_DIR" in result.stdout, command
    export = " ".join(run("export", "--help", cwd=tmp_path).stdout.split())
    assert "activities (CSV of the proeftuin activities" in export
    purge = " ".join(run("sessions", "purge", "--help", cwd=tmp_path).stdout.split())
    assert "--dry-run" in purge and "at least 1" in purge and "0 there keeps everything" in purge


def test_version(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("workshop ")


def test_every_word_of_the_command_line_has_a_dutch_translation():
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    with open(ROOT / "workshop" / "translations" / "nl" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    found = [msgid for _line, msgid, _comments, _context in
             extract_from_file("python", ROOT / "workshop" / "cli.py", keywords={"_": None, "n_": (1, 2)})]
    found += ["CODE", "CREATED", "CHANGED", "STAGE", "PEOPLE", "TITLE"]  # the list's header, inside f-strings
    missing = [m for m in found if catalog.get(m if isinstance(m, str) else m[0]) is None
               or not all(catalog.get(m if isinstance(m, str) else m[0]).string)]
    assert len(found) > 30 and missing == []


def test_the_operator_reads_it_in_dutch(aged, tmp_path):
    data, codes = aged
    env = {"WORKSHOP_CLI_LANGUAGE": "nl"}
    dry = run("sessions", "purge", "--older-than", "30", "--dry-run", "--data-dir", str(data), cwd=tmp_path, env=env)
    assert "2 sessies langer dan 30 dagen ongewijzigd:" in dry.stdout and "Proefdraaien" in dry.stdout
    missing = run("sessions", "list", "--data-dir", str(tmp_path / "dta"), cwd=tmp_path, env=env)
    assert "er is niets aangemaakt" in missing.stderr
