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


def read_only(path: str | Path) -> Reader:
    """Open a database file for reading only, never writing to it or beside it (a backup, read-only media).

    A database with a write-ahead log beside it (a server has it open) is opened with SQLite's `mode=ro`,
    so reads see what that server commits; one without (a backup, a stopped server's folder) with
    `immutable=1`, which reads the file as it stands and creates no -wal or -shm file beside it (such a
    file made by root would lock the service's user out). `immutable=1` is also the fallback where
    `mode=ro` cannot open. A file from an older version is copied into memory and migrated there, so
    today's queries find today's columns while the file stays as it is. Raises StoreUnavailable.
    """
    from urllib.parse import quote

    from workshop.store.sqlite import SCHEMA_VERSION, StoreUnavailable, apply_schema

    path = Path(path)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = None
    in_use = path.with_name(path.name + "-wal").exists()
    for suffix in ("", "&immutable=1") if in_use else ("&immutable=1",):
        try:
            conn = sqlite3.connect(uri + suffix, uri=True, check_same_thread=False, isolation_level=None,
                                   timeout=BUSY_TIMEOUT)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            break
        except sqlite3.Error as error:
            if conn is not None:
                conn.close()
            conn, reason = None, str(error)
    if conn is None:
        raise StoreUnavailable(path, reason)
    if version < SCHEMA_VERSION:
        memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        conn.backup(memory)
        conn.close()
        try:
            apply_schema(memory)
        except sqlite3.Error as error:
            raise StoreUnavailable(path, f"not a workshop database ({error})") from None
        conn = memory
    reader = Reader.__new__(Reader)
    reader.path = path
    reader._lock = nullcontext()
    reader._conn = conn
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only=ON")
    return reader
