"""A real server on a disk that fills up (issue 24, point 8): /healthz says so, the log stays short and readable.

The data directory is a small tmpfs the test fills; phones keep answering meanwhile. Before, the server
wrote 1,113 tracebacks (26,700 lines) in 15 s, interleaved and without times, while /healthz said ok.
Needs root and mount(8) (skipped otherwise, as tests/adversary/test_ops_data_dir.py).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import requests
import socketio

from tests.support.server import ServerProcess

pytestmark = pytest.mark.integration
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) worker=0"
                  r"(?: session=[A-Z0-9]{6})? [\w.]+: ")
ANSWERS = 300


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs mounted for the test (unmounted afterwards)."""
    point = tmp_path / "disk"
    point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root and mount(8) to make a small file system")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(point)], capture_output=True,
                          text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"mount is not allowed here: {done.stderr.strip()}")
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True, timeout=30)


def fill(folder) -> None:
    """Write zeros into a file until the file system has no block left."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_is_unhealthy_and_its_errors_are_a_few_readable_lines(small_disk):
    server = ServerProcess(small_disk, env={"WORKSHOP_CHECKPOINT_INTERVAL": "0.2"}).start()  # its log: beside it
    phone = facilitator = None
    try:
        session = requests.post(server.url + "/api/sessions", json={"title": "Vol", "pacing": "self"}, timeout=5).json()
        token = session["facilitator_token"]
        facilitator = socketio.Client()
        facilitator.connect(server.url, namespaces=["/facilitator"], transports=["websocket"],
                            auth={"code": session["code"], "token": token}, wait_timeout=10)
        assert facilitator.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
        phone = socketio.Client()
        phone.connect(server.url, namespaces=["/participant"], transports=["websocket"],
                      auth={"code": session["code"]}, wait_timeout=10)
        assert phone.call("join", {"nickname": "Anna"}, namespace="/participant", timeout=10)["ok"]
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200

        fill(small_disk)
        health = requests.get(server.url + "/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["error"]["code"] == "unhealthy", health.text
        refused = 0
        for n in range(ANSWERS):  # a room that keeps answering (and the facilitator writing) on a full disk
            option = ("nooit", "soms")[n % 2]
            ack = phone.call("answer", {"question": "begrippen", "option": option, "round": 1},
                             namespace="/participant", timeout=10)
            note = facilitator.call("note", {"question": "", "text": "x" * 1000 + str(n)}, namespace="/facilitator",
                                    timeout=10)
            refused += (not ack["ok"]) + (not note["ok"])
        assert refused > ANSWERS  # the disk really refused writes (the log must not say so hundreds of times)

        os.remove(small_disk / "filler")
        assert facilitator.call("note", {"question": "", "text": "weer ruimte"}, namespace="/facilitator",
                                timeout=10)["ok"]
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
    finally:
        for client in (phone, facilitator):
            if client is not None:
                client.disconnect()
        server.stop()
    lines = server.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert lines and all(LINE.match(line) for line in lines), [line for line in lines if not LINE.match(line)][:3]
    problems = [line for line in lines if " ERROR " in line or " WARNING " in line]
    assert len(problems) <= 12, "\n".join(problems)  # each kind of failure once (the window is 60 s)
    assert any("Traceback" in line and "full" in line for line in problems)
    assert any(f"session={session['code']}" in line for line in problems)
    assert token not in "\n".join(lines)
