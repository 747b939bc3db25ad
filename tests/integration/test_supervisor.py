"""`workshop serve` and `--workers N` refuse what cannot work in one line (a busy port too, issue 24 point 7), and
the supervisor gives up on a worker that cannot start instead of restarting it for ever."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.cluster import Redis, Workers, find, free_ports
from tests.support.server import ROOT
from workshop.supervisor import MAX_FAILED_STARTS

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


def busy_port() -> socket.socket:
    """A socket listening on a free port of 127.0.0.1, as another program would."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_busy_port_is_one_line_without_a_traceback(tmp_path):
    with busy_port() as taken:
        port = taken.getsockname()[1]
        done = serve("--port", str(port), tmp_path=tmp_path)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()  # one log line: time, level, worker, then the reason
    assert line.endswith(f"Cannot listen on 127.0.0.1:{port}: another program already uses that port. Stop it "
                         "(another workshop server?), or start with --port and a free port.")
    assert "Traceback" not in done.stdout + done.stderr


def test_the_supervisor_refuses_a_busy_port_before_starting_any_worker(tmp_path):
    first = free_ports(2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first + 1))  # the second worker's port
        taken.listen()
        done = serve("--workers", "2", "--port", str(first), "--message-queue", "redis://127.0.0.1:1/0",
                     tmp_path=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Cannot listen on 127.0.0.1:{first + 1}: another program already uses that port. Stop it (another "
        "workshop server?), or start with --port and a free port."]
    assert "Worker" not in done.stdout


@pytest.mark.skipif(find("redis-server") is None, reason="needs redis-server")
def test_the_supervisor_gives_up_on_a_worker_that_cannot_start_and_exits_non_zero(tmp_path):
    """Worker 2's port is taken while it is down: it fails at start MAX_FAILED_STARTS times, then the supervisor
    stops worker 1 too and exits 1 (systemd sees the failure) instead of restarting it every second for ever."""
    redis = Redis(tmp_path / "redis").start()
    workers = Workers(tmp_path / "data", 2, redis.url, "https://workshop.example.org")
    taken = socket.socket()
    try:
        workers.start()
        supervisor = workers.proc
        supervisor.send_signal(signal.SIGSTOP)  # so it cannot start worker 2 again before its port is taken
        try:
            os.kill(workers.pids[2], signal.SIGKILL)
            take(taken, workers.port + 1)
        finally:
            supervisor.send_signal(signal.SIGCONT)
        status = supervisor.wait(timeout=120)
        log = workers.log_path.read_text(encoding="utf-8")
    finally:
        taken.close()
        workers.stop()
        redis.stop()
    assert status == 1
    lines = log.splitlines()
    cannot = [line for line in lines if f"Cannot listen on 127.0.0.1:{workers.port + 1}: " in line]
    assert len(cannot) == MAX_FAILED_STARTS  # one line per attempt, each the worker's own reason
    assert lines[-1].endswith(f"Worker 2 failed to start {MAX_FAILED_STARTS} times in a row (its own message is "
                              "above); stopping every worker.")  # a log line: time, level, worker, then this
    assert "Traceback" not in log
    assert not alive(workers.pids[1])  # worker 1 was stopped with it


def take(sock: socket.socket, port: int) -> None:
    """Listen on a port once its owner (a killed process) has let go of it."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the connections /healthz left in TIME_WAIT
    deadline = time.monotonic() + 20
    while True:
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def alive(pid: int) -> bool:
    """Whether a process with this pid still runs (and is not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except FileNotFoundError:
        return False
