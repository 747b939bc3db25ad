"""SQLite storage: the only module that touches sqlite3."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

from workshop.store.activity_rows import ActivityRows
from workshop.store.checkpoints import Checkpoints
from workshop.store.followup_rows import FollowupRows

SCHEMA = Path(__file__).with_name("schema.sql")
SCHEMA_VERSION = 7  # 2: participants.joined_late; 3: facilitator_tokens, sessions.facilitator_epoch; 4: sessions.organisation, sessions.follows, carried_steps; 5: activities, challenge_picks, ideas, dots, steps.idea; 6: notes.version; 7: session_leases
DB_NAME = "workshop.sqlite3"
IN_CHUNK = 500  # codes per `IN (...)` query: well under SQLite's limit on parameters
BUSY_TIMEOUT = 10.0  # seconds a statement (SQLite's busy_timeout), or a write in all, waits for another process's lock
LOCK_PAUSE, LOCK_PAUSE_MAX = 0.0005, 0.008  # the cooperative sleeps between tries (docs/decisions.md 18)
# The first try waits in SQLite (blocking the event loop) this long: another worker's commit holds the lock ~0.1 ms,
# and a cooperative sleep under the live service's lock made every answer of the worker queue behind it.
FIRST_WAIT_MS = 5


class SessionMissing(LookupError):
    """A write named a session that is no longer stored (another process deleted it)."""


class LeaseLost(LookupError):
    """A fenced write named a session whose lease this worker no longer holds (another worker took it over)."""


def migrate(c: sqlite3.Connection) -> None:
    """Bring a database made by an older version up to the schema (idempotent, keeps every row)."""
    columns = {row[1] for row in c.execute("PRAGMA table_info(participants)")}
    if "joined_late" not in columns:
        c.execute("ALTER TABLE participants ADD COLUMN joined_late INTEGER NOT NULL DEFAULT 0")
    if "facilitator_epoch" not in {row[1] for row in c.execute("PRAGMA table_info(sessions)")}:
        c.execute("ALTER TABLE sessions ADD COLUMN facilitator_epoch INTEGER NOT NULL DEFAULT 0")
    sessions = {row[1] for row in c.execute("PRAGMA table_info(sessions)")}
    if "organisation" not in sessions:
        c.execute("ALTER TABLE sessions ADD COLUMN organisation TEXT NOT NULL DEFAULT ''")
    if "follows" not in sessions:
        c.execute("ALTER TABLE sessions ADD COLUMN follows TEXT")
    if "idea" not in {row[1] for row in c.execute("PRAGMA table_info(steps)")}:
        c.execute("ALTER TABLE steps ADD COLUMN idea INTEGER")
    if "version" not in {row[1] for row in c.execute("PRAGMA table_info(notes)")}:
        c.execute("ALTER TABLE notes ADD COLUMN version INTEGER NOT NULL DEFAULT 1")  # a stored note: version 1


def apply_schema(c: sqlite3.Connection) -> None:
    """Create the tables a database lacks and migrate older ones (inside the caller's transaction, if any)."""
    for statement in SCHEMA.read_text(encoding="utf-8").split(";\n"):
        if statement.strip():
            c.execute(statement)
    migrate(c)
    c.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


WRITE_FAILURE_MEMORY = 60.0  # seconds /healthz reports a failed write (unless a later one succeeded)
MIN_FREE_BYTES = 64 * 1024  # less room than this on the database's disk: unhealthy
FILE_MODE = 0o600  # the database holds every answer: readable by its owner only, whatever the umask
SIDE_FILES = ("-wal", "-shm")


class StoreUnavailable(Exception):
    """The database cannot be opened or written (read-only or full disk, not a directory, ...)."""

    def __init__(self, path: Path, reason: str):
        """Remember which file failed and SQLite's (or the OS's) reason."""
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class Store(ActivityRows, Checkpoints, FollowupRows):
    """One connection, one writer: every write is a short explicit transaction."""

    owner: str | None = None  # a Reader never writes: no fence

    def __init__(self, path: str | Path, synchronous: str = "NORMAL", clock: Callable[[], float] = time.time):
        """Open (and create, owner-only) the database file and apply the schema; `clock` is the leases' (epoch seconds)."""
        self.path = Path(path)
        self.clock = clock
        self.owner: str | None = None  # set by fence_writes(): this store's session writes then check the lease
        self._fences: dict[int, int] = {}  # session id -> the lease generation this worker's writes carry
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.write_failure: tuple[float, str] | None = None  # (monotonic time, SQLite's reason) of the last failed write
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
        self._close_checkpoints()

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

    def _failed(self, error: sqlite3.Error) -> None:
        """Remember that a write failed, and why (until the next write succeeds)."""
        self.write_failure = (time.monotonic(), str(error))

    def health(self) -> str | None:
        """None when the database takes a write now, else why not.

        Writes the database's user_version over itself (one page into the write-ahead log), checks that its
        disk has room, and reports a real write that failed in the last WRITE_FAILURE_MEMORY seconds with none
        succeeding since (a write into log space SQLite reuses can pass while one that must grow the file fails).
        """
        failure = getattr(self, "write_failure", None)
        if failure is not None and time.monotonic() - failure[0] < WRITE_FAILURE_MEMORY:
            return f"a write failed: {failure[1]}"
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

    @contextmanager
    def session_write(self, session_id: int) -> Iterator[sqlite3.Connection]:
        """A transaction that writes to one session; raise SessionMissing when the session is gone.

        Checked inside the write lock, so another process cannot delete the session between
        the check and the writes: nothing is stored for a deleted session, and nothing fails
        on a foreign key.
        """
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise SessionMissing(session_id)
            if self.owner is not None and not self._fence_holds(c, session_id):
                raise LeaseLost(session_id)
            yield c

    def data_version(self) -> int:
        """SQLite's data_version of this connection: it changes when another connection commits."""
        return int(self._one("PRAGMA data_version")[0])

    def missing_codes(self, codes: list[str]) -> set[str]:
        """Return those of the given session codes that have no stored session."""
        found: set[str] = set()
        for start in range(0, len(codes), IN_CHUNK):
            chunk = codes[start:start + IN_CHUNK]
            sql = f"SELECT code FROM sessions WHERE code IN ({','.join('?' * len(chunk))})"
            found.update(r["code"] for r in self._all(sql, tuple(chunk)))
        return set(codes) - found

    def session_exists(self, session_id: int) -> bool:
        """Tell whether a session is still stored."""
        return self._one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is not None

    @staticmethod
    def _touch(c: sqlite3.Connection, session_id: int, now: str) -> None:
        """Move a session's retention clock to now, inside the caller's transaction (a no-op within the same second)."""
        c.execute("UPDATE sessions SET updated_at = ? WHERE id = ? AND updated_at < ?", (now, session_id, now))

    # Sessions

    def create_session(self, *, code: str, title: str, language: str, questionnaire_id: str,
                       questionnaire_version: str, disciplines: list[str], facilitator_hash: str,
                       state: dict[str, Any], now: str, organisation: str = "", follows: str | None = None,
                       carried: list[dict[str, str]] | None = None) -> int:
        """Insert a session (with the followed session's steps carried over) and return its id."""
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO sessions (code, title, language, questionnaire_id, questionnaire_version,"
                " disciplines, facilitator_hash, state, created_at, updated_at, organisation, follows)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (code, title, language, questionnaire_id, questionnaire_version,
                 json.dumps(disciplines, ensure_ascii=False), facilitator_hash,
                 json.dumps(state), now, now, organisation, follows),
            )
            session_id = int(cur.lastrowid)
            c.executemany(
                "INSERT INTO carried_steps (session_id, position, what, who, due, status, updated_at)"
                " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                [(session_id, i, s["what"], s.get("who", ""), s.get("due", ""), now)
                 for i, s in enumerate(carried or [])],
            )
            return session_id

    def code_exists(self, code: str) -> bool:
        """Tell whether a session code is taken."""
        return self._one("SELECT 1 FROM sessions WHERE code = ?", (code,)) is not None

    def session(self, code: str) -> sqlite3.Row | None:
        """Return a session row by its code."""
        return self._one("SELECT * FROM sessions WHERE code = ?", (code,))

    def save_state(self, session_id: int, state: dict[str, Any], now: str) -> None:
        """Store a session's new state."""
        with self.session_write(session_id) as c:
            c.execute("UPDATE sessions SET state = ?, updated_at = ? WHERE id = ?",
                      (json.dumps(state), now, session_id))

    def set_report_generation(self, session_id: int, generation: int, now: str) -> None:
        """Store which shared-report link is valid (0: none)."""
        with self.session_write(session_id) as c:
            c.execute("UPDATE sessions SET report_generation = ?, updated_at = ? WHERE id = ?",
                      (generation, now, session_id))

    def facilitator_hashes(self, session_id: int) -> list[str]:
        """Every valid facilitator token hash of a session: the first one, then the extra links'."""
        rows = self._all("SELECT facilitator_hash AS h FROM sessions WHERE id = ?"
                         " UNION ALL SELECT token_hash FROM facilitator_tokens WHERE session_id = ?",
                         (session_id, session_id))
        return [r["h"] for r in rows]

    def add_facilitator_token(self, session_id: int, token_hash: str, now: str, keep: int) -> None:
        """Store an extra facilitator link's hash; keep at most `keep` extra links (the oldest go)."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO facilitator_tokens (session_id, token_hash, created_at) VALUES (?, ?, ?)",
                      (session_id, token_hash, now))
            c.execute("DELETE FROM facilitator_tokens WHERE session_id = ? AND id NOT IN (SELECT id FROM"
                      " facilitator_tokens WHERE session_id = ? ORDER BY id DESC LIMIT ?)",
                      (session_id, session_id, max(0, keep)))
            self._touch(c, session_id, now)

    def replace_facilitator_tokens(self, session_id: int, token_hash: str, now: str) -> None:
        """Make one token hash the session's only facilitator link: every earlier link and sign-in stops working."""
        with self.session_write(session_id) as c:
            c.execute("DELETE FROM facilitator_tokens WHERE session_id = ?", (session_id,))
            c.execute("UPDATE sessions SET facilitator_hash = ?, facilitator_epoch = facilitator_epoch + 1,"
                      " updated_at = ? WHERE id = ?", (token_hash, now, session_id))

    def facilitator_epoch(self, session_id: int) -> int:
        """How often a session's facilitator links were rotated (a sign-in from before no longer counts)."""
        row = self._one("SELECT facilitator_epoch FROM sessions WHERE id = ?", (session_id,))
        return int(row[0]) if row is not None else -1

    def list_sessions(self, codes: list[str] | None = None) -> list[sqlite3.Row]:
        """Return sessions (all, or those with the given codes), newest first, with participant counts."""
        sql = ("SELECT s.*, (SELECT COUNT(*) FROM participants p WHERE p.session_id = s.id"
               " AND p.removed_at IS NULL) AS participant_count FROM sessions s")
        params: tuple = ()
        if codes is not None:
            if not codes:
                return []
            sql += f" WHERE s.code IN ({','.join('?' * len(codes))})"
            params = tuple(codes)
        return self._all(sql + " ORDER BY s.created_at DESC, s.id DESC", params)

    def delete_session(self, code: str) -> bool:
        """Delete a session and every row that belongs to it, leaving no copy in the database files."""
        with self._lock:
            # secure_delete zeroes the freed space; the checkpoint empties the WAL, which still holds old pages.
            self._conn.execute("PRAGMA secure_delete=ON")
            try:
                with self.transaction() as c:
                    row = c.execute("SELECT id FROM sessions WHERE code = ?", (code,)).fetchone()
                    if row is not None:
                        for table in ("session_leases", "answers", "notes", "steps", "carried_steps", "dots", "ideas", "challenge_picks",
                                      "activities", "participants", "facilitator_tokens"):
                            c.execute(f"DELETE FROM {table} WHERE session_id = ?", (row["id"],))
                        c.execute("DELETE FROM sessions WHERE id = ?", (row["id"],))
            finally:
                self._conn.execute("PRAGMA secure_delete=OFF")
            if row is not None:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return row is not None

    def codes_older_than(self, cutoff: str) -> list[str]:
        """Return codes of sessions last active before the cutoff time (any join, answer, note, step or state change)."""
        return [r["code"] for r in self._all("SELECT code FROM sessions WHERE updated_at < ?", (cutoff,))]

    def touch_sessions(self, session_ids: list[int], now: str) -> None:
        """Move the retention clock of sessions in use (something is connected to them) to now."""
        if not session_ids:
            return
        with self.transaction() as c:
            for session_id in session_ids:
                self._touch(c, session_id, now)

    # Participants and answers

    def add_participant(self, session_id: int, token_hash: str, nickname: str | None,
                        discipline: str | None, now: str, joined_late: bool = False) -> tuple[int, int]:
        """Insert a participant; return its id and its number within the session."""
        with self.session_write(session_id) as c:
            number = c.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM participants WHERE session_id = ?",
                               (session_id,)).fetchone()[0]
            cur = c.execute(
                "INSERT INTO participants (session_id, number, token_hash, nickname, discipline, joined_at,"
                " joined_late) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, number, token_hash, nickname, discipline, now, int(joined_late)),
            )
            self._touch(c, session_id, now)
            return int(cur.lastrowid), int(number)

    def participant_by_token(self, session_id: int, token_hash: str) -> sqlite3.Row | None:
        """Return the participant of a session with this token hash."""
        return self._one("SELECT * FROM participants WHERE session_id = ? AND token_hash = ?",
                         (session_id, token_hash))

    def participants(self, session_id: int) -> list[sqlite3.Row]:
        """Return a session's participants in join order (removed ones included)."""
        return self._all("SELECT * FROM participants WHERE session_id = ? ORDER BY number", (session_id,))

    def remove_participant(self, session_id: int, participant_id: int, now: str) -> bool:
        """Mark a participant removed; return False when it was not active."""
        with self.session_write(session_id) as c:
            cur = c.execute("UPDATE participants SET removed_at = ? WHERE id = ? AND session_id = ?"
                            " AND removed_at IS NULL", (now, participant_id, session_id))
            self._touch(c, session_id, now)
            return cur.rowcount == 1

    def save_answer(self, session_id: int, participant_id: int, question_id: str, round_: int,
                    option_id: str, seq: int, now: str) -> None:
        """Store (or replace) a participant's answer for one question and round, committed."""
        with self.session_write(session_id) as c:
            c.execute(
                "INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (participant_id, question_id, round)"
                " DO UPDATE SET option_id = excluded.option_id, seq = excluded.seq, answered_at = excluded.answered_at",
                (session_id, participant_id, question_id, round_, option_id, seq, now),
            )
            self._touch(c, session_id, now)

    def answers(self, session_id: int) -> list[sqlite3.Row]:
        """Return every stored answer of a session."""
        return self._all("SELECT * FROM answers WHERE session_id = ? ORDER BY seq", (session_id,))

    def max_seq(self, session_id: int) -> int:
        """Return the highest answer counter stored for a session."""
        row = self._one("SELECT COALESCE(MAX(seq), 0) FROM answers WHERE session_id = ?", (session_id,))
        return int(row[0])

    # Notes and first steps

    def save_note(self, session_id: int, question_id: str, text: str, now: str, version: int | None = None) -> None:
        """Store the note for a question ('' for the general note) as `version` (default: the next one)."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO notes (session_id, question_id, text, updated_at, version)"
                      " VALUES (?, ?, ?, ?, COALESCE(?, 1))"
                      " ON CONFLICT (session_id, question_id) DO UPDATE SET text = excluded.text,"
                      " updated_at = excluded.updated_at, version = COALESCE(?, version + 1)",
                      (session_id, question_id, text, now, version, version))
            self._touch(c, session_id, now)

    def notes(self, session_id: int) -> dict[str, str]:
        """Return the notes of a session by question id."""
        return {r["question_id"]: r["text"] for r in
                self._all("SELECT question_id, text FROM notes WHERE session_id = ?", (session_id,))}

    def note_versions(self, session_id: int) -> dict[str, int]:
        """Return the version of each stored note of a session by question id (a note never saved: 0)."""
        return {r["question_id"]: r["version"] for r in
                self._all("SELECT question_id, version FROM notes WHERE session_id = ?", (session_id,))}

    def note(self, session_id: int, question_id: str) -> tuple[str, int]:
        """Return one note's text and version ('' and 0 when none is stored)."""
        row = self._one("SELECT text, version FROM notes WHERE session_id = ? AND question_id = ?",
                        (session_id, question_id))
        return (row["text"], row["version"]) if row else ("", 0)

    def save_steps(self, session_id: int, steps: list[dict[str, str]], now: str) -> None:
        """Replace a session's list of first steps."""
        with self.session_write(session_id) as c:
            c.execute("DELETE FROM steps WHERE session_id = ?", (session_id,))
            c.executemany(
                "INSERT INTO steps (session_id, position, what, who, due, updated_at, idea) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(session_id, i, s["what"], s.get("who", ""), s.get("due", ""), now, s.get("idea"))
                 for i, s in enumerate(steps)],
            )
            self._touch(c, session_id, now)

    def steps(self, session_id: int) -> list[dict[str, str]]:
        """Return a session's first steps in order."""
        return [{"what": r["what"], "who": r["who"], "due": r["due"], "idea": r["idea"]} for r in
                self._all("SELECT what, who, due, idea FROM steps WHERE session_id = ? ORDER BY position",
                          (session_id,))]

    def carried_steps(self, session_id: int) -> list[dict[str, Any]]:
        """Return the steps carried over from the followed session, in order, with their status."""
        return [dict(r) for r in self._all("SELECT position, what, who, due, status FROM carried_steps"
                                            " WHERE session_id = ? ORDER BY position", (session_id,))]

    def set_carried_status(self, session_id: int, position: int, status: str | None, now: str) -> bool:
        """Record what became of a carried-over step (None: not judged); False when there is no such step."""
        with self.session_write(session_id) as c:
            cur = c.execute("UPDATE carried_steps SET status = ?, updated_at = ? WHERE session_id = ? AND position = ?",
                            (status, now, session_id, position))
            self._touch(c, session_id, now)
            return cur.rowcount == 1

    # Ownership leases (docs/decisions.md "One owner per session"): each method one statement, the same in PostgreSQL.

    def take_lease(self, session_id: int, owner: str, now: float, seconds: float) -> int | None:
        """Take a session's lease for `seconds` when it is free, expired or already `owner`'s; its new generation, else None."""
        with self.transaction() as c:
            row = c.execute(
                "INSERT INTO session_leases (session_id, owner, generation, expires, wanted) VALUES (?, ?, 1, ?, NULL)"
                " ON CONFLICT (session_id) DO UPDATE SET owner = excluded.owner,"
                " generation = session_leases.generation + 1, expires = excluded.expires, wanted = NULL"
                " WHERE session_leases.owner = excluded.owner OR session_leases.expires < ?"
                " RETURNING generation", (session_id, owner, now + seconds, now)).fetchone()
        if row is None:
            return None
        self._fences[session_id] = int(row[0])
        return int(row[0])

    def renew_leases(self, owner: str, now: float, seconds: float) -> list[sqlite3.Row]:
        """Extend every lease `owner` holds to now + seconds; return them (session_id, generation, wanted)."""
        with self.transaction() as c:
            return c.execute("UPDATE session_leases SET expires = ? WHERE owner = ?"
                             " RETURNING session_id, generation, wanted", (now + seconds, owner)).fetchall()

    def release_lease(self, session_id: int, owner: str, generation: int) -> bool:
        """Give a lease up (owner '', expired) if `owner` still holds it at `generation`; tell whether it did."""
        with self.transaction() as c:
            return c.execute("UPDATE session_leases SET owner = '', expires = 0, wanted = NULL"
                             " WHERE session_id = ? AND owner = ? AND generation = ?",
                             (session_id, owner, generation)).rowcount == 1

    def want_lease(self, session_id: int, owner: str, now: float) -> bool:
        """Ask the worker holding a live lease on a session to hand it over to `owner`; tell whether one holds it."""
        with self.transaction() as c:
            return c.execute("UPDATE session_leases SET wanted = ? WHERE session_id = ? AND owner <> ?"
                             " AND owner <> '' AND expires >= ?", (owner, session_id, owner, now)).rowcount == 1

    def lease(self, session_id: int) -> sqlite3.Row | None:
        """A session's lease row (owner, generation, expires, wanted), None when it never had one."""
        return self._one("SELECT * FROM session_leases WHERE session_id = ?", (session_id,))

    def fence_writes(self, owner: str) -> None:
        """From now on, refuse (LeaseLost) a session write unless this worker's lease on the session allows it."""
        self.owner = owner

    def _fence_holds(self, c: sqlite3.Connection, session_id: int) -> bool:
        """Whether this worker may write to a session now (inside the write's transaction).

        With a generation from take_lease: only while the lease row still names this owner at that generation
        (an expired one nobody took counts: nobody else wrote). Without one (a session this worker only
        created or read): only while no live lease names another worker.
        """
        generation = self._fences.get(session_id)
        if generation is not None:
            return c.execute("SELECT 1 FROM session_leases WHERE session_id = ? AND owner = ? AND generation = ?",
                             (session_id, self.owner, generation)).fetchone() is not None
        return c.execute("SELECT 1 FROM session_leases WHERE session_id = ? AND expires >= ? AND owner <> ?",
                         (session_id, self.clock(), self.owner)).fetchone() is None

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
