"""`workshop serve --workers N` refuses what cannot work, in one line, before starting anything."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.server import ROOT

pytestmark = pytest.mark.integration


def serve(*args: str, tmp_path) -> subprocess.CompletedProcess:
    """Run `workshop serve ARGS` on a fresh data dir without a message queue in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "WORKSHOP_MESSAGE_QUEUE"}
    return subprocess.run([sys.executable, "-m", "workshop", "serve", "--host", "127.0.0.1",
                           "--data-dir", str(tmp_path / "data"), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_several_workers_need_a_message_queue(tmp_path):
    done = serve("--workers", "2", "--port", "18001", tmp_path=tmp_path)
    assert done.returncode == 2 and "--message-queue" in done.stderr
    assert not (tmp_path / "data").exists()  # nothing started, nothing created


def test_several_workers_need_a_port(tmp_path):
    done = serve("--workers", "2", "--port", "0", "--message-queue", "redis://127.0.0.1:1/0", tmp_path=tmp_path)
    assert done.returncode == 2 and "--port" in done.stderr


def test_a_worker_does_not_run_without_its_supervisor(tmp_path):
    done = serve("--worker", "1", "--port", "0", "--message-queue", "redis://127.0.0.1:1/0", tmp_path=tmp_path)
    assert done.returncode == 1 and "--worker is for" in done.stderr
