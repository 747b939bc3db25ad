"""The wheel installs and serves: built from the checkout, installed into a fresh venv outside it, run elsewhere."""
from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
import requests

from tests.support.server import ROOT, ServerProcess
from tests.support.wheel import clean_env, run
from workshop.store.sqlite import DB_NAME, Store

pytestmark = pytest.mark.integration

# The files the running app reads besides its modules, as (folder in the checkout, folder in the wheel, pattern).
DATA_FILES = (
    ("templates", "workshop/templates", "*"),
    ("static", "workshop/static", "*"),
    ("workshop/data", "workshop/data", "*.toml"),
    ("workshop/translations", "workshop/translations", "*.mo"),
    ("workshop", "workshop", "schema*.sql"),
    ("deploy", "workshop/deploy", "*"),  # `workshop deploy-files DIR` writes them out (issue 24, point 6)
)


def test_the_wheel_holds_the_templates_static_files_and_data(wheel):
    """Every template, static file, questionnaire, translation and the schema of the checkout is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for checkout, inside, pattern in DATA_FILES:
        files = [f for f in (ROOT / checkout).rglob(pattern) if f.is_file() and "__pycache__" not in f.parts]
        assert files, f"no {pattern} in {checkout}/"
        missing = [str(f) for f in files if f"{inside}/{f.relative_to(ROOT / checkout).as_posix()}" not in names]
        assert not missing, f"not in the wheel: {missing}"


def test_the_installed_package_is_the_wheel_not_the_checkout(venv, tmp_path):
    """Run from elsewhere, `workshop` and the templates and static files it serves come from the venv."""
    code = "import workshop; from workshop import settings; print(workshop.__file__); print(settings.ROOT)"
    module, root = run([venv / "bin" / "python", "-c", code], cwd=tmp_path).stdout.split("\n")[:2]
    assert Path(module).is_relative_to(venv.resolve())
    assert Path(root).is_relative_to(venv.resolve()) and Path(root, "templates", "start.html").is_file()


def test_the_installed_command_keeps_its_data_in_the_current_directory(venv, tmp_path):
    """Without --data-dir the installed tool looks in ./sessions, not in site-packages; the CLI creates nothing."""
    done = subprocess.run([str(venv / "bin" / "workshop"), "sessions", "list"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**clean_env(), "WORKSHOP_CLI_LANGUAGE": "en"})
    assert done.returncode == 1 and "No data directory sessions (the default" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "sessions").mkdir()
    Store(tmp_path / "sessions" / DB_NAME).close()  # as `workshop serve` leaves it
    listed = run([venv / "bin" / "workshop", "sessions", "list"], cwd=tmp_path)
    assert "0 sessions" in listed.stdout or "0 sessies" in listed.stdout
    assert not (tmp_path / "sessions" / "secret_key").exists()  # the CLI opens the store, not the web app


def test_the_installed_wheel_serves_pages_and_static_files(venv, tmp_path):
    """`workshop serve` from the venv answers the start page, a phone page and static files."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server = ServerProcess(tmp_path / "data", command=[str(venv / "bin" / "workshop")], cwd=elsewhere,
                           env={"PYTHONPATH": ""}).start()
    try:
        start = requests.get(server.url + "/", timeout=10)
        assert start.status_code == 200 and start.headers["Content-Type"].startswith("text/html")
        assert "Nieuwe sessie starten" in start.text  # the Dutch catalog (.mo) came along
        created = requests.post(server.url + "/api/sessions", json={"title": "Wheel check"}, timeout=10)
        assert created.status_code == 201, created.text
        phone = requests.get(f"{server.url}/j/{created.json()['code']}", timeout=10)
        assert phone.status_code == 200 and phone.headers["Content-Type"].startswith("text/html")
        assert "Wheel check" in phone.text and "/static/vendor/socket.io.min.js" in phone.text
        for path, kind in (("vendor/socket.io.min.js", "text/javascript"), ("css/app.css", "text/css"),
                           ("js/participant.js", "text/javascript")):
            asset = requests.get(f"{server.url}/static/{path}", headers={"Accept-Encoding": "identity"}, timeout=10)
            assert asset.status_code == 200 and asset.headers["Content-Type"].startswith(kind), path
            assert asset.content == (ROOT / "static" / path).read_bytes(), path
    finally:
        server.stop()
    assert server.proc.returncode is not None


def test_the_installed_command_writes_the_deploy_files(venv, tmp_path):
    """`workshop deploy-files DIR` from the wheel writes deploy/ as in the checkout, the backup script executable."""
    out = tmp_path / "deploy"
    said = run([venv / "bin" / "workshop", "deploy-files", out], cwd=tmp_path).stdout
    expected = sorted(p.relative_to(ROOT / "deploy").as_posix() for p in (ROOT / "deploy").rglob("*") if p.is_file())
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == expected and len(expected) >= 9
    for name in expected:
        assert (out / name).read_bytes() == (ROOT / "deploy" / name).read_bytes(), name
        assert f"Wrote {out / name}" in said
    assert (out / "workshop-backup").stat().st_mode & 0o777 == 0o755
    assert (out / "workshop.service").stat().st_mode & 0o777 == 0o644
