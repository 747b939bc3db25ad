"""SQLite storage, the embedded default: the only module that touches sqlite3.

The reads and writes are shared with PostgreSQL in workshop/store/sql.py; this module holds what is
SQLite's own: the file and its modes, WAL and its checkpoints, the write lock taken cooperatively,
`PRAGMA data_version`, secure deletion, and reading a backup or an older file without writing to it.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

from workshop.store import schema
from workshop.store.schema import SCHEMA_VERSION
from workshop.store.sql import LeaseLost, SessionMissing, SqlStore, StoreUnavailable

__all__ = ["DB_NAME", "LeaseLost", "SCHEMA_VERSION", "SessionMissing", "Store", "StoreUnavailable", "read_only"]

DB_NAME = "workshop.sqlite3"
BUSY_TIMEOUT = 10.0  # seconds a statement (SQLite's busy_timeout), or a write in all, waits for another process's lock
LOCK_PAUSE, LOCK_PAUSE_MAX = 0.0005, 0.008  # the cooperative sleeps between tries (docs/decisions.md 18)
# The first try waits in SQLite (blocking the event loop) this long: another worker's commit holds the lock ~0.1 ms,
# and a cooperative sleep under the live service's lock made every answer of the worker queue behind it.
FIRST_WAIT_MS = 5


def migrate(c: sqlite3.Connection) -> None:
    """Bring a database made by an older version up to the schema (idempotent, keeps every row)."""
    tables = {t: {row[1] for row in c.execute(f"PRAGMA table_info({t})")} for t, _, _ in schema.ADDED_COLUMNS}
    for table, column, definition in schema.missing_columns(tables):
        c.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def apply_schema(c: sqlite3.Connection) -> None:
    """Create the tables a database lacks and migrate older ones (inside the caller's transaction, if any)."""
    for statement in schema.statements("sqlite"):
        c.execute(statement)
    migrate(c)
    c.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


MIN_FREE_BYTES = 64 * 1024  # less room than this on the database's disk: unhealthy
FILE_MODE = 0o600  # the database holds every answer: readable by its owner only, whatever the umask
SIDE_FILES = ("-wal", "-shm")


class Store(SqlStore):
    """One connection, one writer: every write is a short explicit transaction."""

    _checkpoints: sqlite3.Connection | None = None  # the checkpointer's own connection, opened on first use

    def __init__(self, path: str | Path, synchronous: str = "NORMAL", clock: Callable[[], float] = time.time):
        """Open (and create, owner-only) the database file and apply the schema; `clock` is the leases' (epoch seconds)."""
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.RLock()
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE))  # before SQLite creates it 0644
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                         timeout=BUSY_TIMEOUT)
            self._open(synchronous)
        except sqlite3.Error as error:
            raise StoreUnavailable(self.path, str(error)) from error
        self._restrict_modes()

    def _open(self, synchronous: str) -> None:
        """Set the connection's pragmas and apply the schema."""
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={'FULL' if synchronous.upper() == 'FULL' else 'NORMAL'}")
        self._conn.execute("PRAGMA foreign_keys=ON")
        with self.transaction() as c:
            apply_schema(c)

    def _restrict_modes(self) -> None:
        """Make the database and its WAL and shared-memory files owner-only (also those made by older versions)."""
        for path in (self.path, *(self.path.with_name(self.path.name + s) for s in SIDE_FILES)):
            with suppress(OSError):  # a side file may not exist, or belong to another user
                os.chmod(path, FILE_MODE)

    def close(self) -> None:
        """Close the connection (and the checkpointer's)."""
        with self._lock:
            self._conn.close()
        if self._checkpoints is not None:
            self._checkpoints.close()

    def reader(self) -> "Store":
        """A read-only view of this store on a connection of its own, for one job in another OS thread; close() it."""
        return Reader(self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one IMMEDIATE transaction; commit on success, roll back on error.

        A write SQLite refuses (full disk, read-only file, I/O error) is remembered for `health()`.
        """
        with self._lock:
            try:
                self._begin()
            except sqlite3.Error as error:
                self._failed(error)
                raise
            try:
                yield self._conn
            except BaseException as error:
                if isinstance(error, sqlite3.Error):
                    self._failed(error)
                with suppress(sqlite3.Error):  # SQLite may have rolled back itself (a full disk): keep the cause
                    self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._failed(error)
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
            self.write_failure = None

    def health(self) -> str | None:
        """None when the database takes a write now, else why not.

        Writes the database's user_version over itself (one page into the write-ahead log), checks that its
        disk has room, and reports a real write that failed in the last WRITE_FAILURE_MEMORY seconds with none
        succeeding since (a write into log space SQLite reuses can pass while one that must grow the file fails).
        """
        failure = self._recent_failure()
        if failure:
            return failure
        try:
            free = os.statvfs(self.path.parent)
            if free.f_bavail * free.f_frsize < MIN_FREE_BYTES:
                return f"no space left on the disk of {self.path.parent}"
        except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
            pass
        with self._lock:
            try:
                self._begin()
                self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                self._conn.execute("COMMIT")
            except sqlite3.Error as error:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                return f"the database cannot be written: {error}"
        return None

    def _begin(self) -> None:
        """Take the write lock: wait up to FIRST_WAIT_MS in SQLite, then sleep and retry (BUSY_TIMEOUT in all).

        Another worker's commit is over within the first wait, which no other request of this process
        can join (the caller holds the live service's lock; a cooperative sleep there let every answer
        queue behind it and then pass one per event-loop turn, docs/performance.md). A longer hold (a
        purge, a backup) gets Python's sleep, which eventlet makes cooperative: the worker keeps serving
        sockets meanwhile, where SQLite's own busy handler would stop its event loop for up to 100 ms a try.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        pause = LOCK_PAUSE
        self._conn.execute(f"PRAGMA busy_timeout={FIRST_WAIT_MS}")
        try:
            while True:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                self._conn.execute("PRAGMA busy_timeout=0")
                time.sleep(pause)
                pause = min(pause * 2, LOCK_PAUSE_MAX)
        finally:
            self._conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")

    def _all(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Run a read and return every row."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        """Run a read and return the first row or None."""
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def data_version(self) -> int:
        """SQLite's data_version of this connection: it changes when another connection commits."""
        return int(self._one("PRAGMA data_version")[0])

    def delete_session(self, code: str) -> bool:
        """Delete a session and every row that belongs to it, leaving no copy in the database files."""
        with self._lock:
            # secure_delete zeroes the freed space; the checkpoint empties the WAL, which still holds old pages.
            self._conn.execute("PRAGMA secure_delete=ON")
            try:
                found = super().delete_session(code)
            finally:
                self._conn.execute("PRAGMA secure_delete=OFF")
            if found:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return found

    # Disk maintenance: WAL checkpoints on request, from any thread

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

    def integrity_check(self) -> str:
        """Return SQLite's integrity check verdict ('ok' when sound)."""
        return str(self._one("PRAGMA integrity_check")[0])


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
