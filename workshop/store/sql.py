"""The store's reads and writes, once for every backend: SQL both SQLite and PostgreSQL run as written.

`SqlStore` holds every method of the `SessionStore` protocol that is plain SQL. A backend
(`sqlite.Store`, `postgres.PostgresStore`) gives it a connection through four hooks: `transaction()`
(one short transaction that commits before it returns), `_all`/`_one` (a read), and `_locked_session`
(the statement that checks, inside the transaction, that a session still exists and holds it against a
deletion by another process). Queries use `?` placeholders; the PostgreSQL backend turns them into
psycopg's `%s`. Rows are read by column name only (sqlite3.Row and psycopg's dict rows both allow it),
and an inserted row's id comes from `RETURNING id` (SQLite 3.35 and PostgreSQL both have it).
"""
from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Iterator

from workshop.store.interface import LEASE_LOST, MISSING, AnswerRow

IN_CHUNK = 500  # codes per `IN (...)` query: well under SQLite's limit on parameters
WRITE_FAILURE_MEMORY = 60.0  # seconds /healthz reports a failed write (unless a later one succeeded)
# Every table holding a session's rows, children first (the order a deletion takes).
SESSION_TABLES = ("session_leases", "answers", "notes", "steps", "carried_steps", "dots", "ideas", "challenge_picks", "activities",
                  "participants", "facilitator_tokens")


class SessionMissing(LookupError):
    """A write named a session that is no longer stored (another process deleted it)."""


class LeaseLost(LookupError):
    """A fenced write named a session whose lease this worker no longer holds (another worker took it over)."""


class StoreUnavailable(Exception):
    """The database cannot be opened or written (read-only or full disk, not a directory, no server, ...)."""

    def __init__(self, path: Any, reason: str):
        """Remember which database failed (a file, or a PostgreSQL address without its password) and why."""
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SqlStore:
    """Sessions, participants, answers, notes, steps and activities in SQL; a backend supplies the connection."""

    commits_travel = False  # SQLite commits in this process; PostgreSQL's wait for its server
    write_failure: tuple[float, str] | None = None  # (monotonic time, the database's reason) of the last failed write
    LOCK_SESSION = "SELECT id FROM sessions WHERE id = ?"  # PostgreSQL adds FOR UPDATE
    # The fence of a write (fence_writes): PostgreSQL adds FOR SHARE, so a concurrent take waits for the write.
    FENCE = "SELECT 1 FROM session_leases WHERE session_id = ? AND owner = ? AND generation = ?"
    owner: str | None = None  # set by fence_writes(): this store's session writes then check the lease
    clock = staticmethod(time.time)  # the leases' clock (seconds since the epoch); tests give a store their own
    _fences: dict[int, int] | None = None  # session id -> the lease generation this worker's writes carry

    # What a backend provides

    def transaction(self) -> AbstractContextManager[Any]:
        """One transaction on the writer's connection: commit on success, roll back on error."""
        raise NotImplementedError

    def _all(self, sql: str, params: tuple = ()) -> list[Any]:
        """Run a read and return every row."""
        raise NotImplementedError

    def _one(self, sql: str, params: tuple = ()) -> Any | None:
        """Run a read and return the first row or None."""
        raise NotImplementedError

    def _deleted(self, c: Any) -> None:
        """Mark a deletion for data_version() inside its transaction (SQLite needs nothing: its counter is built in)."""

    # Shared machinery

    def _failed(self, error: Exception) -> None:
        """Remember that a write failed, and why (until the next write succeeds)."""
        self.write_failure = (time.monotonic(), str(error))

    def _recent_failure(self) -> str | None:
        """Why the last write failed, if it did within WRITE_FAILURE_MEMORY seconds and none succeeded since."""
        failure = self.write_failure
        if failure is not None and time.monotonic() - failure[0] < WRITE_FAILURE_MEMORY:
            return f"a write failed: {failure[1]}"
        return None

    @contextmanager
    def session_write(self, session_id: int) -> Iterator[Any]:
        """A transaction that writes to one session; raise SessionMissing when the session is gone.

        Checked inside the transaction (SQLite: under its write lock; PostgreSQL: the session's row locked
        FOR UPDATE), so another process cannot delete the session between the check and the writes:
        nothing is stored for a deleted session, and nothing fails on a foreign key.
        """
        with self.transaction() as c:
            if c.execute(self.LOCK_SESSION, (session_id,)).fetchone() is None:
                raise SessionMissing(session_id)
            if self.owner is not None and not self._fence_holds(c, session_id):
                raise LeaseLost(session_id)
            yield c

    @staticmethod
    def _insert(c: Any, sql: str, params: tuple) -> int:
        """Run an INSERT ... RETURNING id inside the caller's transaction; return the new row's id."""
        return int(c.execute(sql + " RETURNING id", params).fetchone()["id"])

    @staticmethod
    def _touch(c: Any, session_id: int, now: str) -> None:
        """Move a session's retention clock to now, inside the caller's transaction (a no-op within the same second)."""
        c.execute("UPDATE sessions SET updated_at = ? WHERE id = ? AND updated_at < ?", (now, session_id, now))

    # Sessions

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
        return self._one("SELECT 1 AS one FROM sessions WHERE id = ?", (session_id,)) is not None

    def create_session(self, *, code: str, title: str, language: str, questionnaire_id: str,
                       questionnaire_version: str, disciplines: list[str], facilitator_hash: str,
                       state: dict[str, Any], now: str, organisation: str = "", follows: str | None = None,
                       carried: list[dict[str, str]] | None = None) -> int:
        """Insert a session (with the followed session's steps carried over) and return its id."""
        with self.transaction() as c:
            session_id = self._insert(
                c, "INSERT INTO sessions (code, title, language, questionnaire_id, questionnaire_version,"
                " disciplines, facilitator_hash, state, created_at, updated_at, organisation, follows)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (code, title, language, questionnaire_id, questionnaire_version,
                 json.dumps(disciplines, ensure_ascii=False), facilitator_hash,
                 json.dumps(state), now, now, organisation, follows))
            if carried:
                c.executemany(
                    "INSERT INTO carried_steps (session_id, position, what, who, due, status, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, NULL, ?)",
                    [(session_id, i, s["what"], s.get("who", ""), s.get("due", ""), now) for i, s in enumerate(carried)])
            return session_id

    def code_exists(self, code: str) -> bool:
        """Tell whether a session code is taken."""
        return self._one("SELECT 1 AS one FROM sessions WHERE code = ?", (code,)) is not None

    def session(self, code: str) -> Any | None:
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
                         " UNION ALL SELECT token_hash AS h FROM facilitator_tokens WHERE session_id = ?",
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
        return int(row["facilitator_epoch"]) if row is not None else -1

    def list_sessions(self, codes: list[str] | None = None) -> list[Any]:
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
        """Delete a session and every row that belongs to it; tell whether it existed."""
        with self.transaction() as c:
            row = c.execute("SELECT id FROM sessions WHERE code = ?", (code,)).fetchone()
            # The session's row first, as every session write holds it: deleting its rows before would lock a
            # participant an answer in flight refers to, and the two would wait for each other (PostgreSQL).
            if row is None or c.execute(self.LOCK_SESSION, (row["id"],)).fetchone() is None:
                return False
            for table in SESSION_TABLES:
                c.execute(f"DELETE FROM {table} WHERE session_id = ?", (row["id"],))
            c.execute("DELETE FROM sessions WHERE id = ?", (row["id"],))
            self._deleted(c)
            return True

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
            number = c.execute("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM participants WHERE session_id = ?",
                               (session_id,)).fetchone()["n"]
            participant_id = self._insert(
                c, "INSERT INTO participants (session_id, number, token_hash, nickname, discipline, joined_at,"
                " joined_late) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, number, token_hash, nickname, discipline, now, int(joined_late)))
            self._touch(c, session_id, now)
            return participant_id, int(number)

    def participant_by_token(self, session_id: int, token_hash: str) -> Any | None:
        """Return the participant of a session with this token hash."""
        return self._one("SELECT * FROM participants WHERE session_id = ? AND token_hash = ?",
                         (session_id, token_hash))

    def participants(self, session_id: int) -> list[Any]:
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
        outcome = self.save_answers([AnswerRow(session_id, participant_id, question_id, round_, option_id, seq, now)])[0]
        if outcome == MISSING:
            raise SessionMissing(session_id)
        if outcome == LEASE_LOST:
            raise LeaseLost(session_id)

    def save_answers(self, rows: list[AnswerRow]) -> list[str | None]:
        """Store answers in one transaction, committed, in order: each checked as session_write checks a write
        (its session still stored, this worker's lease); per row None, MISSING or LEASE_LOST."""
        outcomes: list[str | None] = []
        with self.transaction() as c:
            for row in rows:
                if c.execute(self.LOCK_SESSION, (row.session_id,)).fetchone() is None:
                    outcomes.append(MISSING)
                elif self.owner is not None and not self._fence_holds(c, row.session_id):
                    outcomes.append(LEASE_LOST)
                else:
                    c.execute(
                        "INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq, answered_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (participant_id, question_id, round)"
                        " DO UPDATE SET option_id = excluded.option_id, seq = excluded.seq, answered_at = excluded.answered_at",
                        tuple(row))
                    self._touch(c, row.session_id, row.now)
                    outcomes.append(None)
        return outcomes

    def answers(self, session_id: int) -> list[Any]:
        """Return every stored answer of a session."""
        return self._all("SELECT * FROM answers WHERE session_id = ? ORDER BY seq", (session_id,))

    def max_seq(self, session_id: int) -> int:
        """Return the highest answer counter stored for a session."""
        row = self._one("SELECT COALESCE(MAX(seq), 0) AS seq FROM answers WHERE session_id = ?", (session_id,))
        return int(row["seq"])

    # Notes and first steps

    def save_note(self, session_id: int, question_id: str, text: str, now: str, version: int | None = None) -> None:
        """Store the note for a question ('' for the general note) as `version` (default: the next one)."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO notes (session_id, question_id, text, updated_at, version)"
                      " VALUES (?, ?, ?, ?, COALESCE(?, 1))"
                      " ON CONFLICT (session_id, question_id) DO UPDATE SET text = excluded.text,"
                      " updated_at = excluded.updated_at, version = COALESCE(?, notes.version + 1)",
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
            if steps:
                c.executemany(
                    "INSERT INTO steps (session_id, position, what, who, due, updated_at, idea)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(session_id, i, s["what"], s.get("who", ""), s.get("due", ""), now, s.get("idea"))
                     for i, s in enumerate(steps)])
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

    # Follow-ups (sessions.follows)

    def follows(self, session_id: int) -> str | None:
        """The code of the earlier session a session follows up now, None when it follows none (or is gone)."""
        row = self._one("SELECT follows FROM sessions WHERE id = ?", (session_id,))
        return row["follows"] if row else None

    def followups(self, code: str) -> list[dict[str, Any]]:
        """The sessions that follow up the session with this code, oldest first: code, title, created_at."""
        return [dict(r) for r in self._all("SELECT code, title, created_at FROM sessions WHERE follows = ?"
                                            " ORDER BY created_at, id", (code,))]

    def detach_followup(self, session_id: int, followup_code: str, now: str) -> bool:
        """Make a follow-up of a session follow none (its copied steps stay its own); False when it was not one."""
        with self.session_write(session_id) as c:
            code = c.execute("SELECT code FROM sessions WHERE id = ?", (session_id,)).fetchone()["code"]
            cur = c.execute("UPDATE sessions SET follows = NULL, updated_at = ? WHERE code = ? AND follows = ?",
                            (now, followup_code, code))
            return cur.rowcount == 1

    # Activities (programme state, challenge picks, ideas, dots)

    def save_activities(self, session_id: int, state: dict[str, Any], now: str) -> None:
        """Store a session's activity state."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO activities (session_id, state, updated_at) VALUES (?, ?, ?)"
                      " ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                      (session_id, json.dumps(state, ensure_ascii=False), now))
            self._touch(c, session_id, now)

    def activities(self, session_id: int) -> dict[str, Any] | None:
        """A session's stored activity state, None when it has none yet."""
        row = self._one("SELECT state FROM activities WHERE session_id = ?", (session_id,))
        return json.loads(row["state"]) if row else None

    def save_picks(self, session_id: int, participant_id: int, picks: list[str], now: str) -> None:
        """Store (or replace) a participant's challenge picks."""
        with self.session_write(session_id) as c:
            c.execute("INSERT INTO challenge_picks (session_id, participant_id, picks, updated_at) VALUES (?, ?, ?, ?)"
                      " ON CONFLICT (participant_id) DO UPDATE SET picks = excluded.picks,"
                      " updated_at = excluded.updated_at", (session_id, participant_id, json.dumps(picks), now))
            self._touch(c, session_id, now)

    def picks(self, session_id: int) -> dict[int, list[str]]:
        """Every participant's challenge picks."""
        return {r["participant_id"]: json.loads(r["picks"]) for r in
                self._all("SELECT participant_id, picks FROM challenge_picks WHERE session_id = ?", (session_id,))}

    def add_idea(self, session_id: int, participant_id: int, prompt: str, text: str, status: str, now: str) -> int:
        """Insert an idea; return its id."""
        with self.session_write(session_id) as c:
            idea_id = self._insert(
                c, "INSERT INTO ideas (session_id, participant_id, prompt, text, status, authors, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, participant_id, prompt, text, status, json.dumps([participant_id]), now))
            self._touch(c, session_id, now)
            return idea_id

    def save_ideas(self, session_id: int, ideas: list[dict[str, Any]], dots: dict[int, dict[int, int]],
                   now: str) -> None:
        """Store changed ideas and the changed voters' dots in one transaction (moderation, merge, undo)."""
        with self.session_write(session_id) as c:
            if ideas:
                c.executemany("UPDATE ideas SET text = ?, status = ?, merged_into = ?, authors = ? WHERE id = ?"
                              " AND session_id = ?",
                              [(i["text"], i["status"], i["merged_into"], json.dumps(i["authors"]), i["id"], session_id)
                               for i in ideas])
            self._write_dots(c, session_id, dots)
            self._touch(c, session_id, now)

    def ideas(self, session_id: int) -> list[Any]:
        """Every idea of a session in order of arrival."""
        return self._all("SELECT * FROM ideas WHERE session_id = ? ORDER BY id", (session_id,))

    def save_dots(self, session_id: int, participant_id: int, placed: dict[int, int], now: str) -> None:
        """Replace one voter's dots."""
        with self.session_write(session_id) as c:
            self._write_dots(c, session_id, {participant_id: placed})
            self._touch(c, session_id, now)

    @staticmethod
    def _write_dots(c: Any, session_id: int, dots: dict[int, dict[int, int]]) -> None:
        """Replace the dots of some voters inside the caller's transaction."""
        for pid, placed in dots.items():
            c.execute("DELETE FROM dots WHERE participant_id = ? AND session_id = ?", (pid, session_id))
            rows = [(session_id, pid, idea, n) for idea, n in placed.items() if n]
            if rows:
                c.executemany("INSERT INTO dots (session_id, participant_id, idea_id, count) VALUES (?, ?, ?, ?)", rows)

    def dots(self, session_id: int) -> dict[int, dict[int, int]]:
        """Every voter's dots."""
        result: dict[int, dict[int, int]] = {}
        for r in self._all("SELECT participant_id, idea_id, count FROM dots WHERE session_id = ?", (session_id,)):
            result.setdefault(r["participant_id"], {})[r["idea_id"]] = r["count"]
        return result

    # Ownership leases (docs/decisions.md "One owner per session"): each method one statement, the same on both backends.

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
        if self._fences is None:
            self._fences = {}
        self._fences[session_id] = int(row["generation"])
        return int(row["generation"])

    def renew_leases(self, owner: str, now: float, seconds: float) -> list[Any]:
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

    def lease(self, session_id: int) -> Any | None:
        """A session's lease row (owner, generation, expires, wanted), None when it never had one."""
        return self._one("SELECT * FROM session_leases WHERE session_id = ?", (session_id,))

    def fence_writes(self, owner: str) -> None:
        """From now on, refuse (LeaseLost) a session write unless this worker's lease on the session allows it."""
        self.owner = owner

    def _fence_holds(self, c: Any, session_id: int) -> bool:
        """Whether this worker may write to a session now (inside the write's transaction).

        With a generation from take_lease: only while the lease row still names this owner at that generation
        (an expired one nobody took counts: nobody else wrote). Without one (a session this worker only
        created or read): only while no live lease names another worker.
        """
        generation = (self._fences or {}).get(session_id)
        if generation is not None:
            return c.execute(self.FENCE, (session_id, self.owner, generation)).fetchone() is not None
        return c.execute("SELECT 1 FROM session_leases WHERE session_id = ? AND expires >= ? AND owner <> ?",
                         (session_id, self.clock(), self.owner)).fetchone() is None
