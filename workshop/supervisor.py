"""`workshop serve --workers N`: hold the data directory and keep N worker processes running.

Each worker is `workshop serve --worker I` on the next port (--port, --port + 1, ...), a child of this
process; a proxy in front of them (deploy/nginx/workshop.conf) sends every session's traffic to one worker by
hashing its code. A worker that dies is started again on the same port after RESTART_PAUSE seconds, so its
sessions come back where the proxy looks for them (they reload from the database). A worker that cannot start
(its port taken, its data directory unusable) is not started again for ever: a worker tells the supervisor
through a pipe once it listens and its app is built; after MAX_FAILED_STARTS exits in a row before that, the
supervisor stops every worker and exits with 1, so systemd (or whoever started it) sees the failure.
No eventlet here.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from workshop.exports.cli_words import _
from workshop.settings import Settings

RESTART_PAUSE = 1.0   # seconds before a dead worker is started again
STOP_WAIT = 10.0      # seconds workers get to stop after SIGTERM before SIGKILL
POLL = 0.2            # seconds between looks at the workers
MAX_FAILED_STARTS = 5  # a worker that exits before it is ready this many times in a row makes the supervisor give up
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
        self.ready_pipes: list[int | None] = [None] * count  # read end: the worker writes a byte once it is ready
        self.ready = [False] * count       # whether the worker's latest start got as far as serving
        self.failed_starts = [0] * count   # each worker's exits in a row before it was ready
        self.stopping = False
        self.gave_up = False

    def start(self, index: int) -> None:
        """Start worker `index` and say where it listens."""
        read, write = os.pipe()
        try:
            proc = subprocess.Popen(worker_command(self.args, index) + ["--ready-fd", str(write)], pass_fds=(write,),
                                    preexec_fn=die_with_parent)
        finally:
            os.close(write)
        os.set_blocking(read, False)
        self.close_pipe(index)
        self.workers[index], self.ready_pipes[index], self.ready[index] = proc, read, False
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
        return 1 if self.gave_up else 0

    def restart_dead(self) -> None:
        """Start again every worker that exited, unless one keeps failing at its start: then give up."""
        for index, proc in enumerate(self.workers):
            if proc is None or self.stopping:
                continue
            self.read_ready(index)
            if proc.poll() is None:
                continue
            self.failed_starts[index] = 0 if self.ready[index] else self.failed_starts[index] + 1
            if self.failed_starts[index] >= MAX_FAILED_STARTS:
                log.error(_("Worker {n} failed to start {count} times in a row (its own message is above); stopping "
                            "every worker.", n=index + 1, count=self.failed_starts[index]))
                self.gave_up = self.stopping = True
                return
            log.error(_("Worker {n} (pid {pid}) exited with {status}; starting it again.",
                        n=index + 1, pid=proc.pid, status=proc.returncode))
            time.sleep(RESTART_PAUSE)
            self.start(index)

    def read_ready(self, index: int) -> None:
        """Note whether worker `index` said it is ready (one byte on its pipe); a worker never ready failed to start."""
        pipe = self.ready_pipes[index]
        if pipe is None or self.ready[index]:
            return
        try:
            said = os.read(pipe, 1)
        except BlockingIOError:
            return  # still starting
        if said:
            self.ready[index] = True
            self.failed_starts[index] = 0
        self.close_pipe(index)  # a byte, or the end of the pipe: nothing more will come

    def close_pipe(self, index: int) -> None:
        """Close worker `index`'s readiness pipe, if open."""
        if self.ready_pipes[index] is not None:
            os.close(self.ready_pipes[index])
            self.ready_pipes[index] = None

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


def ports_free(args) -> str | None:
    """Whether every worker's port can be listened on now: None, or the one-line reason for the first that cannot."""
    from workshop.server import CannotStart, open_listener

    for index in range(args.workers):
        try:
            open_listener(args.host, args.port + index).close()
        except CannotStart as error:
            return str(error)
    return None


def supervise(args, open_live: Callable[[str | None], Any]) -> int:
    """Check the options, take the data directory, purge expired sessions, then run the workers.

    `open_live(data_dir)` opens the data directory's sessions (workshop.cli.open_live; what it raises when
    it cannot, the caller reports).
    """
    from workshop.server import CannotStart, claim_data_dir

    from workshop.web import logs

    logs.configure("supervisor", window=Settings.load().log_repeat_seconds)
    if not args.message_queue:
        print("--workers above 1 needs --message-queue redis://HOST:PORT/DB (or WORKSHOP_MESSAGE_QUEUE).",
              file=sys.stderr, flush=True)
        return 2
    if args.port == 0:
        print("--workers above 1 needs a --port: the workers listen on it and the ports after it.", file=sys.stderr)
        return 2
    busy = ports_free(args)
    if busy:
        print(busy, file=sys.stderr, flush=True)
        return 1
    try:
        live = open_live(args.data_dir)
        lock = claim_data_dir(Path(live.config.data_dir))  # held (open) while the workers run
    except CannotStart as error:
        print(error, file=sys.stderr, flush=True)
        return 1
    days = live.config.retention_days
    if days > 0:
        purged = live.purge(days)
        if purged:
            log.info("Deleted %d session(s) unchanged for more than %s days.", len(purged), days)
    live.store.close()
    log.info("Workshop supervisor (pid %d): %d workers, queue %s. Data: %s", os.getpid(), args.workers,
             args.message_queue, live.config.data_dir)
    if args.public_url:
        log.info(_("Links and QR codes name {url} (the public URL).", url=args.public_url))
    else:
        log.warning(_("WARNING: no public URL: links and QR codes name each worker's own address, which phones "
                      "cannot reach behind a proxy. Set WORKSHOP_PUBLIC_URL (or --public-url)."))
    status = Supervisor(args, args.workers).run()
    lock.close()
    return status
