"""Reads on a connection of their own, for one job in an OS thread: the Store's part that builds heavy reports."""
from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from pathlib import Path

from workshop.store.sqlite import BUSY_TIMEOUT, Store


class Reader(Store):
    """The Store's reads on a read-only connection of its own, without the writer's lock.

    The writer's connection and lock belong to the event loop (its lock is a green lock under eventlet,
    which an OS thread must not wait on). A report built in an OS thread reads through one Reader, which
    only that thread uses, then closes it; WAL lets it read while the loop writes, and it sees what was
    committed when each read began.
    """

    def __init__(self, path: str | Path):  # noqa: the parent's opening (schema, pragmas) is the writer's
        """Open a query-only connection to an existing database."""
        self.path = Path(path)
        self._lock = nullcontext()  # one thread uses this connection
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA query_only=ON")
