"""Start a real `workshop serve` process on 127.0.0.1 and a free port, for integration tests and benchmarks."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RELAXED_LIMITS = {
    "WORKSHOP_RATE_JOIN": "100000,60",
    "WORKSHOP_RATE_ANSWER": "100000,10",
    "WORKSHOP_RATE_LOOKUP": "100000,60",
    "WORKSHOP_RATE_JOIN_CONNECTION": "100000,60",
    "WORKSHOP_RATE_ANSWER_ADDRESS": "1000000,10",
    "WORKSHOP_RATE_CREATE": "100000,60",
    "WORKSHOP_RATE_EXPORT": "100000,60",
    "WORKSHOP_RATE_FACILITATOR": "100000,10",
    "WORKSHOP_RATE_FACILITATOR_ADDRESS": "100000,10",
}


class ServerProcess:
    """A `workshop serve` child process; stop() ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, data_dir: Path, *, port: int = 0, async_mode: str = "eventlet",
                 env: dict[str, str] | None = None, relaxed_limits: bool = True, module: str = "workshop",
                 command: list[str] | None = None, cwd: Path = ROOT):
        """Remember how to start the server (`python -m MODULE serve ...`, or `COMMAND serve ...` in CWD); call start()."""
        self.command = command or [sys.executable, "-m", module]
        self.cwd = cwd
        self.data_dir = Path(data_dir)
        self.port = port
        self.async_mode = async_mode
        self.env = {**(RELAXED_LIMITS if relaxed_limits else {}), **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log_path = self.data_dir.parent / f"server-{os.getpid()}-{time.monotonic_ns()}.log"

    def start(self, timeout: float = 20.0) -> "ServerProcess":
        """Start the process and wait until it answers /healthz."""
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [*self.command, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--async-mode", self.async_mode],
            cwd=self.cwd, env=env, stdout=subprocess.PIPE, stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode(errors="replace")
            match = re.search(r"Open (http://127\.0\.0\.1:(\d+))/", line)
            if match:
                self.url, self.port = match.group(1), int(match.group(2))
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log_path}")
        else:
            self.stop()
            raise RuntimeError("server did not print its address in time")
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not answer /healthz in time")

    def kill(self) -> None:
        """End the server abruptly with SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close_files()

    def _close_files(self) -> None:
        """Close the pipe and the log file of a process that has ended."""
        if self.proc and self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        if getattr(self, "_log", None) and not self._log.closed:
            self._log.close()

    def stop(self) -> None:
        """End the server politely, then forcibly if it does not stop."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_files()

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
