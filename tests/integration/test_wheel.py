"""The wheel installs and serves: built from the checkout, installed into a fresh venv outside it, run elsewhere."""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

from tests.support.server import ROOT, ServerProcess
from workshop.store.sqlite import DB_NAME, Store

pytestmark = pytest.mark.integration

# What the top of a checkout holds besides what a build needs: environments, runtime data, earlier builds.
NOT_FOR_THE_BUILD = {".git", ".venv", "build", "dist", "sessions", "test-artifacts", ".pytest_cache", ".hypothesis",
                     "bench", "docs"}
# The files the running app reads besides its modules, as (folder in the checkout, folder in the wheel, pattern).
DATA_FILES = (
    ("templates", "workshop/templates", "*"),
    ("static", "workshop/static", "*"),
    ("workshop/data", "workshop/data", "*.toml"),
    ("workshop/translations", "workshop/translations", "*.mo"),
    ("workshop", "workshop", "schema.sql"),
)


def not_for_the_build(folder: str, names: list[str]) -> list[str]:
    """The names in a folder of the checkout that the copy to build from leaves out."""
    top = Path(folder) == ROOT
    return [n for n in names if n == "__pycache__" or n.endswith(".egg-info") or top and n in NOT_FOR_THE_BUILD]


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python or the app at the checkout."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("WORKSHOP_")}


def run(args: list, **kwargs) -> subprocess.CompletedProcess:
    """Run a command to completion (bounded), failing the test with its output if it fails."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                          env=clean_env(), **kwargs)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel with `pip wheel --no-deps` from a fresh copy of the checkout.

    A copy, because setuptools never empties `build/`: a file left there by an earlier build would land in
    the wheel and hide a missing package-data line."""
    source = tmp_path_factory.mktemp("source") / "workshop"
    shutil.copytree(ROOT, source, ignore=not_for_the_build)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, "."], cwd=source)
    (built,) = out.glob("workshop-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout holding the wheel; the dependencies come from this test's environment.

    The venv has no pip (no download): this environment's pip installs into it (`pip --python`), and a .pth
    file adds this environment's site-packages after the venv's own, so the wheel's `workshop` comes first
    (the .pth files there, such as an editable install of the checkout, are not run)."""
    path = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", "--without-pip", path])
    python = path / "bin" / "python"
    own = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (own / "_workshop_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel])
    return path


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
