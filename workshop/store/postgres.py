"""PostgreSQL storage (DATABASE_URL=postgresql://...): the only module that imports psycopg.

The reads and writes are those of workshop/store/sql.py; this module holds what is PostgreSQL's own:
the connection (psycopg 3, autocommit, rows as dicts), `?` placeholders turned into `%s`, the session's
row locked FOR UPDATE inside each session write, the schema applied under an advisory lock (workers
starting together), `data_version()` as a counter row that every deletion raises in its transaction,
and a reconnection after the server went away. One connection per process behind one lock, as on
SQLite. psycopg's C wait holds the event loop while a write travels (one round trip for the answers the
live service commits together, ANSWER or ANSWERS; two for the other writes, see Dialect), as SQLite's first
wait does (docs/decisions.md 18): a cooperative wait under the live service's lock let every answer queue
behind the one in flight (measured: 3.3 against 2.1 ms of CPU per answer; again with ANSWER alone: 2.19
against 1.08). `commits_travel` asks the live service to gather answers into groups (live/commits.py).
A transaction commits before it returns (so before the answer is acknowledged); whether the commit also
waits for PostgreSQL's WAL flush is `synchronous_commit`, which the workshop's connections set from
POSTGRES_SYNCHRONOUS_COMMIT (default `off`: the answer survives the workshop's death, as on SQLite's
NORMAL; docs/decisions.md, "Durability on PostgreSQL").
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager, nullcontext
from typing import Any, Iterator

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from workshop.store import schema
from workshop.store.schema import SCHEMA_VERSION
from workshop.store.interface import LEASE_LOST, MISSING, AnswerRow
from workshop.store.sql import SqlStore, StoreUnavailable

CONNECT_TIMEOUT = 10  # seconds to reach the server
SCHEMA_LOCK = 0x776F726B  # the advisory lock key ('work') that serialises applying the schema

# An answer in one statement, so one round trip (autocommit: the statement is its own transaction, committed
# before execute returns). `s` locks the session's row (a deletion elsewhere waits, or came first), `f` is the
# lease fence ({fence}: one of ANSWER_FENCES), the insert and the retention clock run only when both hold, and the
# row read back says which did not.
ANSWER = """WITH s AS MATERIALIZED (SELECT id FROM sessions WHERE id = ? FOR UPDATE),
f AS MATERIALIZED ({fence}),
a AS (INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq, answered_at)
      SELECT s.id, ?, ?, ?, ?, ?, ? FROM s, f
      ON CONFLICT (participant_id, question_id, round)
      DO UPDATE SET option_id = excluded.option_id, seq = excluded.seq, answered_at = excluded.answered_at),
t AS (UPDATE sessions SET updated_at = ? WHERE id IN (SELECT id FROM s) AND EXISTS (SELECT 1 FROM f) AND updated_at < ?)
SELECT (SELECT count(*) FROM s) AS found, (SELECT count(*) FROM f) AS fenced"""
ANSWER_FENCES = {  # the lease fence of a write, as SqlStore._fence_holds decides it, with its parameters
    "none": ("SELECT 1", lambda store, session_id: ()),
    "generation": (SqlStore.FENCE + " FOR SHARE",
                   lambda store, session_id: (session_id, store.owner, store._fences[session_id])),
    "no_other": ("SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM session_leases"
                 " WHERE session_id = ? AND expires >= ? AND owner <> ?)",
                 lambda store, session_id: (session_id, store.clock(), store.owner)),
}

# Answers in one statement, so one round trip however many (autocommit: the statement is its own transaction,
# committed before execute returns). The rows come as one array per column. `s` locks their sessions' rows (a
# deletion elsewhere waits, or came first), `f` holds the sessions whose lease fence holds (GROUP_FENCES), `ok` the rows
# of those (a participant's newest answer per question and round: one statement changes a row once), then the
# insert and each session's retention clock; the sessions found and fenced are read back to say which rows
# stored nothing, and why.
ANSWERS = """WITH v AS (SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::int[], ?::text[], ?::bigint[],
                                         ?::text[], ?::bigint[])
           AS v(session_id, participant_id, question_id, round, option_id, seq, answered_at, generation)),
s AS MATERIALIZED (SELECT id FROM sessions WHERE id IN (SELECT session_id FROM v) ORDER BY id FOR UPDATE),
{fence},
ok AS (SELECT DISTINCT ON (v.participant_id, v.question_id, v.round) v.* FROM v
       WHERE v.session_id IN (SELECT id FROM s) AND v.session_id IN (SELECT session_id FROM f)
       ORDER BY v.participant_id, v.question_id, v.round, v.seq DESC),
a AS (INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq, answered_at)
      SELECT session_id, participant_id, question_id, round, option_id, seq, answered_at FROM ok
      ON CONFLICT (participant_id, question_id, round)
      DO UPDATE SET option_id = excluded.option_id, seq = excluded.seq, answered_at = excluded.answered_at),
t AS (UPDATE sessions SET updated_at = m.now FROM (SELECT session_id, max(answered_at) AS now FROM ok GROUP BY session_id) m
      WHERE sessions.id = m.session_id AND sessions.updated_at < m.now)
SELECT ARRAY(SELECT id FROM s) AS found, ARRAY(SELECT session_id FROM f) AS fenced"""
GROUP_FENCES = {  # the lease fence, as SqlStore._fence_holds decides it per session; its parameters: the owner, the time
    # no fence (one process, or the command line): every session found
    False: "f AS (SELECT id AS session_id FROM s)",
    # a session whose lease this worker took (its generation in v) only while the lease row still names this
    # owner at that generation, locked FOR SHARE until the commit (a take waits); one it only created or read
    # (no generation) only while no live lease names another worker
    True: """g AS MATERIALIZED (SELECT l.session_id FROM session_leases l
                        WHERE l.owner = ? AND (l.session_id, l.generation) IN (SELECT session_id, generation FROM v)
                        FOR SHARE),
f AS (SELECT session_id FROM g
      UNION SELECT v.session_id FROM v WHERE v.generation IS NULL AND NOT EXISTS (
          SELECT 1 FROM session_leases l WHERE l.session_id = v.session_id AND l.expires >= ? AND l.owner <> ?))""",
}


@functools.lru_cache(maxsize=256)
def dialect(sql: str) -> str:
    """A query of the shared store with psycopg's placeholders (`?` becomes `%s`, a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def safe_address(url: str) -> str:
    """The database's address without its password, for messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "DATABASE_URL (not a valid PostgreSQL address)"
    where = parts.get("host") or "local socket"
    return f"postgresql://{parts.get('user', '')}@{where}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


@functools.lru_cache(maxsize=len(ANSWER_FENCES))
def answer_statement(fence: str) -> str:
    """ANSWER with one of ANSWER_FENCES' fences, in psycopg's placeholders."""
    return dialect(ANSWER.format(fence=fence))


@functools.lru_cache(maxsize=len(GROUP_FENCES))
def answers_statement(fenced: bool) -> str:
    """ANSWERS with or without the lease fence, in psycopg's placeholders."""
    return dialect(ANSWERS.format(fence=GROUP_FENCES[fenced]))


class Dialect:
    """The psycopg connection as the shared store uses it: `?` placeholders, execute and executemany.

    Inside a write the statements go in one pipeline: psycopg sends them without waiting for each reply,
    and waits only where a result is read (fetchone, fetchall, rowcount) and at the commit. An answer's
    transaction (BEGIN, the session's row locked, the insert, the retention clock, COMMIT) takes two
    round trips to the server instead of five.
    """

    def __init__(self, conn: psycopg.Connection, pipeline: psycopg.Pipeline | None = None):
        """Wrap an open connection (and its pipeline, inside a write)."""
        self.conn = conn
        self.pipeline = pipeline

    def execute(self, sql: str, params: tuple = ()) -> "Result":
        """Run one statement; return its result (fetchone, fetchall, rowcount)."""
        return Result(self.conn.execute(dialect(sql), params), self.pipeline)

    def executemany(self, sql: str, rows: list[tuple]) -> "Result":
        """Run one statement for each row of parameters."""
        cur = self.conn.cursor()
        cur.executemany(dialect(sql), rows)
        return Result(cur, self.pipeline)


class Result:
    """A statement's cursor; reading its row count first collects the pipeline's replies."""

    def __init__(self, cursor: psycopg.Cursor, pipeline: psycopg.Pipeline | None):
        """Keep the cursor and the pipeline it ran in."""
        self.cursor = cursor
        self.pipeline = pipeline

    def fetchone(self) -> dict[str, Any] | None:
        """The next row (psycopg syncs the pipeline itself)."""
        return self.cursor.fetchone()

    def fetchall(self) -> list[dict[str, Any]]:
        """Every row."""
        return self.cursor.fetchall()

    @property
    def rowcount(self) -> int:
        """How many rows the statement changed."""
        if self.pipeline is not None:
            self.pipeline.sync()
        return self.cursor.rowcount


def apply_schema(c: Dialect) -> None:
    """Create the tables a database lacks and add the columns of newer versions (inside the caller's transaction)."""
    c.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))  # workers starting at once apply it one by one
    for statement in schema.statements("postgres"):
        c.execute(statement)
    existing: dict[str, set[str]] = {}
    for r in c.execute("SELECT table_name, column_name FROM information_schema.columns"
                       " WHERE table_schema = current_schema()").fetchall():
        existing.setdefault(r["table_name"], set()).add(r["column_name"])
    for table, column, definition in schema.missing_columns(existing):
        c.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    c.execute("INSERT INTO workshop_meta (name, value) VALUES ('schema_version', ?), ('deletions', 0)"
              " ON CONFLICT (name) DO NOTHING", (SCHEMA_VERSION,))
    c.execute("UPDATE workshop_meta SET value = ? WHERE name = 'schema_version' AND value < ?",
              (SCHEMA_VERSION, SCHEMA_VERSION))


class PostgresStore(SqlStore):
    """One connection, one writer per process: every write is a short transaction, committed before it returns."""

    commits_travel = True  # answers commit in groups (live/commits.py)
    LOCK_SESSION = "SELECT id FROM sessions WHERE id = ? FOR UPDATE"  # a deletion elsewhere waits, or came first
    FENCE = SqlStore.FENCE + " FOR SHARE"  # a take of the lease waits until the write committed

    def __init__(self, url: str, synchronous_commit: str | None = None, *, read_only: bool = False):
        """Connect, and (unless read_only) apply the schema; `synchronous_commit` (on, off, ...) for this
        store's connection, None leaving the server's (or the role's, or the URL's)."""
        self.url = url
        self.synchronous_commit = synchronous_commit
        self.path = safe_address(url)  # what messages name, as the SQLite store's file path
        self.read_only = read_only
        self._lock = nullcontext() if read_only else threading.RLock()
        self._conn = self._connect()
        if not read_only:
            with self.transaction() as c:
                apply_schema(c)

    def _connect(self) -> psycopg.Connection:
        """A new connection to the server; StoreUnavailable when it cannot be reached."""
        try:
            conn = psycopg.connect(self.url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="workshop")
        except psycopg.Error as error:
            raise StoreUnavailable(self.path, str(error).strip()) from None
        try:
            if self.read_only:
                conn.execute("SET default_transaction_read_only = on")
            if self.synchronous_commit is not None:
                conn.execute("SELECT set_config('synchronous_commit', %s, false)", (self.synchronous_commit,))
        except psycopg.Error as error:
            conn.close()
            raise StoreUnavailable(self.path, str(error).strip()) from None
        return conn

    def _connection(self) -> psycopg.Connection:
        """The open connection, reconnecting once the old one broke (a restarted server); call under the lock."""
        if self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def reader(self) -> "PostgresStore":
        """The reads on a read-only connection of their own, for one job in another OS thread; close() it."""
        return PostgresStore(self.url, self.synchronous_commit, read_only=True)

    @contextmanager
    def transaction(self) -> Iterator[Dialect]:
        """Run a block in one transaction; commit on success (before returning), roll back on error."""
        with self._lock:
            try:
                conn = self._connection()
                with conn.pipeline() as pipeline, conn.transaction():
                    yield Dialect(conn, pipeline)
            except psycopg.Error as error:
                self._failed(error)
                raise
            self.write_failure = None

    def save_answers(self, rows: list[AnswerRow]) -> list[str | None]:
        """Store answers, committed, in one statement: one round trip for one answer (ANSWER) or for the live
        service's whole group (ANSWERS, live/commits.py). Per row None, MISSING or LEASE_LOST."""
        if len(rows) == 1:
            outcome = self._save_one(rows[0])
            return [outcome]
        columns = [list(column) for column in zip(*rows)]
        fences = self._fences or {}
        params = (*columns, [fences.get(row.session_id) for row in rows])
        if self.owner is not None:
            params = (*params, self.owner, self.clock(), self.owner)
        result = self._write_one(answers_statement(self.owner is not None), params)
        found, fenced = set(result["found"]), set(result["fenced"])
        return [MISSING if row.session_id not in found else LEASE_LOST if row.session_id not in fenced else None
                for row in rows]

    def _save_one(self, row: AnswerRow) -> str | None:
        """Store one answer with ANSWER and the fence this worker's writes to its session carry."""
        if self.owner is None:
            kind = "none"
        else:
            kind = "generation" if (self._fences or {}).get(row.session_id) is not None else "no_other"
        fence, fence_params = ANSWER_FENCES[kind]
        result = self._write_one(answer_statement(fence), (
            row.session_id, *fence_params(self, row.session_id), row.participant_id, row.question_id, row.round,
            row.option_id, row.seq, row.now, row.now, row.now))
        return MISSING if not result["found"] else LEASE_LOST if not result["fenced"] else None

    def _write_one(self, sql: str, params: tuple) -> dict[str, Any]:
        """Run one writing statement (its own transaction, committed when it returns); return its row."""
        with self._lock:
            try:
                row = self._connection().execute(sql, params).fetchone()
            except psycopg.Error as error:
                self._failed(error)
                raise
        self.write_failure = None
        return row

    def _all(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        """Run a read and return every row."""
        with self._lock:
            return self._connection().execute(dialect(sql), params).fetchall()

    def _one(self, sql: str, params: tuple = ()) -> dict[str, Any] | None:
        """Run a read and return the first row or None."""
        with self._lock:
            return self._connection().execute(dialect(sql), params).fetchone()

    def _deleted(self, c: Dialect) -> None:
        """Raise the deletion counter inside the deleting transaction: other workers' data_version() sees it."""
        c.execute("UPDATE workshop_meta SET value = value + 1 WHERE name = 'deletions'")

    def data_version(self) -> int:
        """The number of sessions deleted so far (by any process): other processes' deletions change it."""
        return int(self._one("SELECT value FROM workshop_meta WHERE name = 'deletions'")["value"])

    def checkpoint_elsewhere(self) -> None:
        """Nothing to move: PostgreSQL's own checkpointer process writes its WAL back."""

    def checkpoint(self) -> tuple[int, int, int]:
        """Nothing to do (PostgreSQL checkpoints in its own processes); (0, 0, 0) as SQLite's idle checkpoint."""
        return 0, 0, 0

    def health(self) -> str | None:
        """None when the database takes a write now, else why not (a recent failed write, or this one)."""
        failure = self._recent_failure()
        if failure:
            return failure
        try:
            with self.transaction() as c:
                c.execute("UPDATE workshop_meta SET value = value WHERE name = 'schema_version'")
        except psycopg.Error as error:
            return f"the database cannot be written: {str(error).strip()}"
        return None
