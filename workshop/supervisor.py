"""`workshop serve --workers N`: hold the data directory and keep N worker processes running.

Each worker is `workshop serve --worker I` on the next port (--port, --port + 1, ...), a child of this
process; a proxy in front of them (deploy/nginx-workshop.conf) sends every session's traffic to one worker by
hashing its code. A worker that dies is started again on the same port after RESTART_PAUSE seconds, so its
sessions come back where the proxy looks for them (they reload from the database). No eventlet here.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RESTART_PAUSE = 1.0   # seconds before a dead worker is started again
STOP_WAIT = 10.0      # seconds workers get to stop after SIGTERM before SIGKILL
POLL = 0.2            # seconds between looks at the workers
log = logging.getLogger("workshop.supervisor")


def worker_command(args, index: int) -> list[str]:
    """The command line of worker `index` (0-based)."""
    command = [sys.executable, "-m", "workshop", "serve", "--worker", str(index + 1),
               "--host", args.host, "--port", str(args.port + index), "--message-queue", args.message_queue]
    for option, value in (("--data-dir", args.data_dir), ("--public-url", args.public_url),
                          ("--async-mode", args.async_mode)):
        if value:
            command += [option, value]
    return command


def die_with_parent() -> None:
    """Ask Linux to send this (child) process SIGTERM when its parent dies (no orphan workers)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the supervisor's own SIGTERM handler stops the workers


class Supervisor:
    """Starts the workers, restarts any that die, stops them all on SIGTERM or Ctrl+C."""

    def __init__(self, args, count: int):
        """Remember how to start `count` workers."""
        self.args = args
        self.count = count
        self.workers: list[subprocess.Popen | None] = [None] * count
        self.stopping = False

    def start(self, index: int) -> None:
        """Start worker `index` and say where it listens."""
        proc = subprocess.Popen(worker_command(self.args, index), preexec_fn=die_with_parent)
        self.workers[index] = proc
        log.info("Worker %d (pid %d) on %s:%d", index + 1, proc.pid, self.args.host, self.args.port + index)

    def run(self) -> int:
        """Keep the workers running until asked to stop; return the exit status."""
        signal.signal(signal.SIGTERM, self.stop_signal)
        for index in range(self.count):
            self.start(index)
        try:
            while not self.stopping:
                time.sleep(POLL)
                self.restart_dead()
        except KeyboardInterrupt:
            pass
        self.stop_all()
        return 0

    def restart_dead(self) -> None:
        """Start again every worker that exited."""
        for index, proc in enumerate(self.workers):
            if proc is not None and proc.poll() is not None and not self.stopping:
                log.error("Worker %d (pid %d) exited with %s; starting it again.", index + 1, proc.pid, proc.returncode)
                time.sleep(RESTART_PAUSE)
                self.start(index)

    def stop_signal(self, _signum, _frame) -> None:
        """SIGTERM: leave the loop and stop the workers."""
        self.stopping = True

    def stop_all(self) -> None:
        """Stop every worker: SIGTERM, then SIGKILL after STOP_WAIT."""
        self.stopping = True
        alive = [p for p in self.workers if p is not None and p.poll() is None]
        for proc in alive:
            proc.terminate()
        deadline = time.monotonic() + STOP_WAIT
        for proc in alive:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def supervise(args) -> int:
    """Check the options, take the data directory, purge expired sessions, then run the workers."""
    from workshop.cli import CannotOpen, open_live
    from workshop.server import CannotStart, claim_data_dir

    from workshop.web import logs

    logs.configure("supervisor", window=float(os.environ.get("WORKSHOP_LOG_REPEAT_SECONDS") or logs.REPEAT_WINDOW))
    if not args.message_queue:
        print("--workers above 1 needs --message-queue redis://HOST:PORT/DB (or WORKSHOP_MESSAGE_QUEUE).",
              file=sys.stderr, flush=True)
        return 2
    if args.port == 0:
        print("--workers above 1 needs a --port: the workers listen on it and the ports after it.", file=sys.stderr)
        return 2
    try:
        live = open_live(args.data_dir)
        lock = claim_data_dir(Path(live.config["DATA_DIR"]))  # held (open) while the workers run
    except (CannotOpen, CannotStart) as error:
        print(error, file=sys.stderr, flush=True)
        return 1
    days = live.config["RETENTION_DAYS"]
    if days > 0:
        purged = live.purge(days)
        if purged:
            log.info("Deleted %d session(s) unchanged for more than %s days.", len(purged), days)
    live.store.close()
    log.info("Workshop supervisor (pid %d): %d workers, queue %s. Data: %s", os.getpid(), args.workers,
             args.message_queue, live.config["DATA_DIR"])
    status = Supervisor(args, args.workers).run()
    lock.close()
    return status
