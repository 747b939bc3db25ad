"""What the live service and the exports need from storage: the interface both stores satisfy.

`workshop.store.sqlite.Store` (the embedded default) and `workshop.store.postgres.PostgresStore`
(DATABASE_URL) implement it, their shared queries once in `workshop/store/sql.py`; docs/decisions.md
("Two stores") says how they differ. Rows are read by column name (`row["code"]`): sqlite3.Row and a
psycopg dict row both do that. Every write commits before it returns, and a write to a session that no
longer exists raises SessionMissing without storing anything; a fenced write (fence_writes) to a
session whose lease another worker took raises LeaseLost without storing anything.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol, runtime_checkable

Row = Mapping[str, Any]
MISSING, LEASE_LOST = "missing", "lease_lost"  # why save_answers stored a row not (None: stored)


class AnswerRow(NamedTuple):
    """One answer to store: save_answers takes several, in the order they were accepted."""

    session_id: int
    participant_id: int
    question_id: str
    round: int
    option_id: str
    seq: int
    now: str


@runtime_checkable
class SessionStore(Protocol):
    """Sessions, participants, answers, notes and steps, kept across restarts."""

    commits_travel: bool  # a commit waits for a round trip to a database server (PostgreSQL), not only the disk

    def close(self) -> None:
        """Release the connection."""

    def reader(self) -> "SessionStore":
        """The reads on a connection of their own, for one job in another OS thread (close() it after)."""

    def checkpoint_elsewhere(self) -> None:
        """Leave maintenance that waits for the disk (SQLite's WAL checkpoints) to checkpoint() calls."""

    def checkpoint(self) -> tuple[int, int, int]:
        """Run that maintenance now; callable from another OS thread."""

    def data_version(self) -> int:
        """A number that changes when another process committed (deletions from the command line)."""

    def missing_codes(self, codes: list[str]) -> set[str]:
        """Those of the codes that have no stored session."""

    def session_exists(self, session_id: int) -> bool:
        """Tell whether a session is still stored."""

    def create_session(self, *, code: str, title: str, language: str, questionnaire_id: str,
                       questionnaire_version: str, disciplines: list[str], facilitator_hash: str,
                       state: dict[str, Any], now: str, organisation: str = "", follows: str | None = None,
                       carried: list[dict[str, str]] | None = None) -> int:
        """Store a new session (with the followed session's steps carried over); return its id."""

    def code_exists(self, code: str) -> bool:
        """Tell whether a code is taken."""

    def session(self, code: str) -> Row | None:
        """The session's row by code."""

    def save_state(self, session_id: int, state: dict[str, Any], now: str) -> None:
        """Store the session's state."""

    def set_report_generation(self, session_id: int, generation: int, now: str) -> None:
        """Store the generation of the report link (a new one revokes the old)."""

    def list_sessions(self, codes: list[str] | None = None) -> list[Row]:
        """Every session (or those with the given codes) with its participant count."""

    def delete_session(self, code: str) -> bool:
        """Delete a session and all it holds; tell whether it existed."""

    def codes_older_than(self, cutoff: str) -> list[str]:
        """Codes of sessions unchanged since cutoff (ISO time)."""

    def health(self) -> str | None:
        """None when the database takes a write now, else why not."""

    def touch_sessions(self, session_ids: list[int], now: str) -> None:
        """Move the last-changed time of sessions in use to now."""

    def add_participant(self, session_id: int, token_hash: str, nickname: str | None,
                        discipline: str | None, now: str, joined_late: bool = False) -> tuple[int, int]:
        """Store a participant; return its id and number."""

    def participant_by_token(self, session_id: int, token_hash: str) -> Row | None:
        """The participant holding a token."""

    def participants(self, session_id: int) -> list[Row]:
        """The session's participants in joining order."""

    def remove_participant(self, session_id: int, participant_id: int, now: str) -> bool:
        """Mark a participant removed; tell whether it was there."""

    def save_answer(self, session_id: int, participant_id: int, question_id: str, round_: int,
                    option_id: str, seq: int, now: str) -> None:
        """Store (or replace) an answer."""

    def save_answers(self, rows: list[AnswerRow]) -> list[str | None]:
        """Store several answers in one transaction, in order; per row None (stored), MISSING or LEASE_LOST
        (that row stored nothing, the others are stored). A database error stores none of them."""

    def answers(self, session_id: int) -> list[Row]:
        """The session's answers in sequence order."""

    def max_seq(self, session_id: int) -> int:
        """The highest answer sequence number stored for the session (0: none)."""

    def save_note(self, session_id: int, question_id: str, text: str, now: str, version: int | None = None) -> None:
        """Store the facilitator's note for a question as `version` (default: the next one)."""

    def notes(self, session_id: int) -> dict[str, str]:
        """The session's notes by question id."""

    def note_versions(self, session_id: int) -> dict[str, int]:
        """The version of each stored note by question id."""

    def note(self, session_id: int, question_id: str) -> tuple[str, int]:
        """One note's text and version ('' and 0 when none is stored)."""

    def save_steps(self, session_id: int, steps: list[dict[str, str]], now: str) -> None:
        """Store the session's first small steps (replacing the old list)."""

    def steps(self, session_id: int) -> list[dict[str, str]]:
        """The session's first small steps in order."""

    def facilitator_hashes(self, session_id: int) -> list[str]:
        """Every valid facilitator token hash of a session: the first one, then the extra links'."""

    def add_facilitator_token(self, session_id: int, token_hash: str, now: str, keep: int) -> None:
        """Store an extra facilitator link's hash; keep at most `keep` extra links (the oldest go)."""

    def replace_facilitator_tokens(self, session_id: int, token_hash: str, now: str) -> None:
        """Make one token hash the session's only facilitator link: every earlier link and sign-in stops working."""

    def facilitator_epoch(self, session_id: int) -> int:
        """How often a session's facilitator links were rotated (-1 when the session is gone)."""

    def carried_steps(self, session_id: int) -> list[dict[str, Any]]:
        """The steps carried over from the followed session, in order, with their status."""

    def set_carried_status(self, session_id: int, position: int, status: str | None, now: str) -> bool:
        """Record what became of a carried-over step (None: not judged); False when there is no such step."""

    def follows(self, session_id: int) -> str | None:
        """The code of the earlier session a session follows up now, None when it follows none (or is gone)."""

    def followups(self, code: str) -> list[dict[str, Any]]:
        """The sessions that follow up the session with this code, oldest first: code, title, created_at."""

    def detach_followup(self, session_id: int, followup_code: str, now: str) -> bool:
        """Make a follow-up of a session follow none (its copied steps stay its own); False when it was not one."""

    def save_activities(self, session_id: int, state: dict[str, Any], now: str) -> None:
        """Store a session's activity state."""

    def activities(self, session_id: int) -> dict[str, Any] | None:
        """A session's stored activity state, None when it has none yet."""

    def save_picks(self, session_id: int, participant_id: int, picks: list[str], now: str) -> None:
        """Store (or replace) a participant's challenge picks."""

    def picks(self, session_id: int) -> dict[int, list[str]]:
        """Every participant's challenge picks."""

    def add_idea(self, session_id: int, participant_id: int, prompt: str, text: str, status: str, now: str) -> int:
        """Insert an idea; return its id."""

    def save_ideas(self, session_id: int, ideas: list[dict[str, Any]], dots: dict[int, dict[int, int]],
                   now: str) -> None:
        """Store changed ideas and the changed voters' dots in one transaction (moderation, merge, undo)."""

    def ideas(self, session_id: int) -> list[Any]:
        """Every idea of a session in order of arrival."""

    def save_dots(self, session_id: int, participant_id: int, placed: dict[int, int], now: str) -> None:
        """Replace one voter's dots."""

    def dots(self, session_id: int) -> dict[int, dict[int, int]]:
        """Every voter's dots."""

    # Ownership leases: which worker holds a session in memory (docs/decisions.md "One owner per session").
    # One row per session in `session_leases` (session_id primary key, owner text, generation integer,
    # expires: seconds since the epoch, wanted: text or NULL); each method below is one SQL statement.
    # Times are passed in (`now`), never read from the database's clock, so every worker's clock counts alike.

    def take_lease(self, session_id: int, owner: str, now: float, seconds: float) -> int | None:
        """Take a session's lease for `seconds` when nobody holds it, it expired or `owner` holds it; its generation, else None.

        One upsert: INSERT (session_id, owner, generation 1, expires now + seconds, wanted NULL) ON CONFLICT
        (session_id) DO UPDATE SET owner, generation = generation + 1, expires, wanted = NULL WHERE the
        row's owner = owner OR its expires < now, RETURNING generation (no row returned: another worker holds
        it). Every take raises the generation. From then on this store's writes to the session carry that
        generation (the fence, see fence_writes).
        """

    def renew_leases(self, owner: str, now: float, seconds: float) -> list[Row]:
        """Move the expiry of every lease `owner` holds to now + seconds; return those rows (session_id, generation, wanted).

        One UPDATE ... SET expires WHERE owner = ? RETURNING. A lease another worker took (the owner differs)
        is not among them, nor one whose generation differs from what the caller took: both are lost, and the
        caller drops the room without writing. An expired lease nobody took is renewed: nobody else wrote since.
        A row with `wanted` set asks the caller to hand the session over (release it).
        """

    def release_lease(self, session_id: int, owner: str, generation: int) -> bool:
        """Give a lease up if `owner` still holds it at `generation`: owner '', expires 0, wanted NULL; tell whether it did.

        One UPDATE ... WHERE session_id = ? AND owner = ? AND generation = ?. The generation stays, so a
        later take raises it past every fence handed out before.
        """

    def want_lease(self, session_id: int, owner: str, now: float) -> bool:
        """Ask the worker holding a live lease (expires >= now, another owner) to hand it to `owner`; tell whether one holds it.

        One UPDATE ... SET wanted = owner WHERE session_id = ? AND owner NOT IN (owner, '') AND expires >= now.
        The holder sees `wanted` at its next renew_leases and releases the session.
        """

    def lease(self, session_id: int) -> Row | None:
        """A session's lease row (session_id, owner, generation, expires, wanted), None when it never had one."""

    def fence_writes(self, owner: str) -> None:
        """Make every later session write (the methods that raise SessionMissing) check the lease first.

        Inside the write's own transaction, before anything is written: for a session this store took the
        lease of (generation g), the row must still have owner = this owner and generation = g (PostgreSQL:
        SELECT ... FOR SHARE, so a concurrent take waits for the write's commit); for any other session, no
        row may name another owner with expires >= now. Otherwise LeaseLost is raised and nothing is stored.
        A store without an owner (the command line) writes unfenced.
        """
