"""WAL checkpoints on request, from any thread: the Store's part that waits for the disk."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class Checkpoints:
    """Mixin of the Store: checkpoint_elsewhere() hands SQLite's WAL checkpoints to checkpoint() calls."""

    path: Path
    _lock: threading.RLock
    _conn: sqlite3.Connection
    _checkpoints: sqlite3.Connection | None = None  # the checkpointer's own connection, opened on first use

    def checkpoint_elsewhere(self) -> None:
        """Stop checkpointing the WAL at commit time: the caller runs checkpoint() from an OS thread instead.

        A checkpoint writes the WAL back into the database and fsyncs both (the one fsync of a commit in
        WAL mode with synchronous=NORMAL); at commit time it ran on the event loop and held every socket
        for as long as the disk took (0.1-0.7 s seen here, bench/activities.py).
        """
        with self._lock:
            self._conn.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> tuple[int, int, int]:
        """Copy the WAL into the database without waiting for any lock (PASSIVE), on a connection of its own.

        Safe to call from another thread than the writer's; returns SQLite's (busy, WAL pages, pages copied).
        """
        if self._checkpoints is None:
            self._checkpoints = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            busy, log, done = self._checkpoints.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.OperationalError as error:  # another process (worker, backup) checkpoints right now
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            return 1, -1, -1
        return int(busy), int(log), int(done)

    def _close_checkpoints(self) -> None:
        """Close the checkpointer's connection, if it was opened."""
        if self._checkpoints is not None:
            self._checkpoints.close()
