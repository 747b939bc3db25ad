"""Findings 9 and 15 (operator part): one server per data directory; unusable data directories; file modes."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.adversary.ops_helpers import LIMITED_SERVER
from tests.support.server import ROOT, ServerProcess


def serve_once(data_dir: Path, timeout: float = 30.0) -> subprocess.CompletedProcess:
    """Run `workshop serve` on data_dir; it must give up by itself (a server that starts is killed: a failure)."""
    proc = subprocess.Popen([sys.executable, "-m", "workshop", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--data-dir", str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the server started on {data_dir} instead of refusing: {out.decode()[:300]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), err.decode())


def assert_one_line_refusal(result: subprocess.CompletedProcess, data_dir: Path, *words: str) -> None:
    """A non-zero exit with one line on stderr naming the directory (and words), no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-800:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(data_dir) in lines[0] and "--data-dir" in lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_a_second_server_on_the_same_data_directory_refuses_to_start(tmp_path):
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    later = None
    try:
        session = requests.post(first.url + "/api/sessions", json={"title": "Eerste"}, timeout=5).json()
        second = serve_once(data)
        assert_one_line_refusal(second, data, "Another workshop server is already using the data directory")
        assert requests.get(f"{first.url}/j/{session['code']}", timeout=5).status_code == 200  # the first serves on
        listing = subprocess.run([sys.executable, "-m", "workshop", "sessions", "--data-dir", str(data), "list"],
                                 cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert listing.returncode == 0 and session["code"] in listing.stdout  # the CLI is not locked out
        first.kill()  # SIGKILL: no chance to clean up; the kernel releases the lock
        later = ServerProcess(data).start()
        assert requests.get(f"{later.url}/j/{session['code']}", timeout=5).status_code == 200
    finally:
        first.stop()
        if later:
            later.stop()


def test_every_file_in_the_data_directory_is_owner_only_whatever_the_umask(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data, module=LIMITED_SERVER, env={"UMASK": "000"}).start()
    try:
        assert requests.post(server.url + "/api/sessions", json={"title": "Modes"}, timeout=5).status_code == 201
        names = sorted(p.name for p in data.iterdir())
        assert {"workshop.sqlite3", "workshop.sqlite3-wal", "workshop.sqlite3-shm", "secret_key"} <= set(names)
        modes = {name: stat.S_IMODE((data / name).stat().st_mode) for name in names}
        assert all(mode & 0o077 == 0 for mode in modes.values()), modes
    finally:
        server.stop()


def test_existing_world_readable_database_files_are_made_owner_only(tmp_path):
    data = tmp_path / "data"
    ServerProcess(data).start().stop()
    for path in data.iterdir():
        path.chmod(0o644)
    server = ServerProcess(data).start()
    try:
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir() if p.name.startswith("workshop.")}
        assert modes and all(mode & 0o077 == 0 for mode in modes.values()), modes
    finally:
        server.stop()


def test_a_data_directory_that_is_a_file_gives_one_line(tmp_path):
    data = tmp_path / "data"
    data.write_text("not a folder")
    assert_one_line_refusal(serve_once(data), data, "Cannot use the data directory")


def mount(*args: str) -> None:
    """Run mount(8), or skip the test where this machine does not allow it (not root, no CAP_SYS_ADMIN)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root and mount(8) to make a read-only or a full file system")
    result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.skip(f"mount is not allowed here: {result.stderr.strip()}")


@pytest.fixture
def mountpoint(tmp_path):
    """An empty folder that the test mounts on; unmounted afterwards."""
    point = tmp_path / "mnt"
    point.mkdir()
    yield point
    subprocess.run(["umount", str(point)], capture_output=True, timeout=30)


@pytest.mark.parametrize("existing", [False, True], ids=["empty", "with-database"])
def test_a_read_only_data_directory_gives_one_line(tmp_path, mountpoint, existing):
    source = tmp_path / "source"
    if existing:  # a folder a server used before, now on read-only media
        ServerProcess(source).start().stop()
    else:
        source.mkdir()
    mount("--bind", str(source), str(mountpoint))
    mount("-o", "remount,ro,bind", str(mountpoint))
    assert_one_line_refusal(serve_once(mountpoint), mountpoint, "Read-only file system")


def test_a_full_data_directory_gives_one_line(mountpoint):
    mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mountpoint))
    filler = os.open(mountpoint / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(filler, b"\0" * 4096):  # until no free block is left
            pass
    except OSError:
        pass
    finally:
        os.close(filler)
    data = mountpoint / "data"
    result = serve_once(data)
    assert_one_line_refusal(result, data)
    assert "No space left on device" in result.stderr or "disk is full" in result.stderr
