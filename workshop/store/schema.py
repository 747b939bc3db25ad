"""The schema and its migrations, for both backends in one place.

Each backend has its schema as plain SQL (`schema.sql` for SQLite, `schema_postgres.sql`): the same
tables and columns, the dialects differing only in id columns and where the version is kept
(docs/decisions.md "Two backends"; tests/unit/test_store_schema.py checks the two files agree).
A database made by an older version is brought up to date by ADDED_COLUMNS, one list for both
backends: each entry's definition is SQL both dialects accept in `ALTER TABLE ... ADD COLUMN`.
A change to the schema edits both files, appends to ADDED_COLUMNS and raises SCHEMA_VERSION.
"""
from __future__ import annotations

from pathlib import Path

SCHEMA_VERSION = 7  # 2: participants.joined_late; 3: facilitator_tokens, sessions.facilitator_epoch; 4: sessions.organisation, sessions.follows, carried_steps; 5: activities, challenge_picks, ideas, dots, steps.idea; 6: notes.version; 7: session_leases
FILES = {"sqlite": Path(__file__).with_name("schema.sql"), "postgres": Path(__file__).with_name("schema_postgres.sql")}
# (table, column, definition) added since version 1, oldest first; a new table needs no entry (CREATE ... IF NOT EXISTS)
ADDED_COLUMNS = (
    ("participants", "joined_late", "INTEGER NOT NULL DEFAULT 0"),
    ("sessions", "facilitator_epoch", "INTEGER NOT NULL DEFAULT 0"),
    ("sessions", "organisation", "TEXT NOT NULL DEFAULT ''"),
    ("sessions", "follows", "TEXT"),
    ("steps", "idea", "INTEGER"),
    ("notes", "version", "INTEGER NOT NULL DEFAULT 1"),  # a note stored before: version 1
)


def statements(backend: str) -> list[str]:
    """The CREATE statements of a backend's schema file, one by one."""
    text = FILES[backend].read_text(encoding="utf-8")
    return [s for s in text.split(";\n") if s.strip() and not all(
        line.startswith("--") or not line.strip() for line in s.splitlines())]


def missing_columns(existing: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    """The ADDED_COLUMNS entries a database lacks, given each table's columns."""
    return [(t, c, d) for t, c, d in ADDED_COLUMNS if c not in existing.get(t, set())]
