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


def wait_for_line(path: Path, offset: int, pattern: str, deadline: float,
                  proc: subprocess.Popen | None = None) -> tuple[re.Match, int]:
    """Read a process's log file from offset until a whole line matches pattern; return the match and the new offset.

    The server logs (workshop/web/logs.py) to standard error, one line per write; the helpers send its
    output to a file, never to a pipe nobody reads once it has started.
    """
    pending = b""
    with open(path, "rb") as log:
        log.seek(offset)
        while time.monotonic() < deadline:
            chunk = log.readline()
            if not chunk:
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"process exited: see {path}")
                time.sleep(0.02)
                continue
            pending += chunk
            if not pending.endswith(b"\n"):
                continue
            line, pending = pending.decode(errors="replace"), b""
            match = re.search(pattern, line)
            if match:
                return match, log.tell()
    raise RuntimeError(f"no line matching {pattern!r} in time: see {path}")


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
        self.log_offset = self._log.tell()
        self.proc = subprocess.Popen(
            [*self.command, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--async-mode", self.async_mode],
            cwd=self.cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        try:
            match, self.log_offset = wait_for_line(self.log_path, self.log_offset, r"Open (http://127\.0\.0\.1:(\d+))/",
                                                   deadline, self.proc)
        except RuntimeError:
            self.stop()
            raise
        self.url, self.port = match.group(1), int(match.group(2))
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
        """Close the log file of a process that has ended."""
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
