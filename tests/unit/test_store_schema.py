"""The schema of both backends: the same tables and columns, and PostgreSQL migrated as SQLite is."""
from __future__ import annotations

import sqlite3

import psycopg

from workshop.store import schema
from workshop.store.postgres import PostgresStore
from workshop.store.sqlite import apply_schema


def sqlite_columns() -> dict[str, set[str]]:
    """Each table's columns in a fresh SQLite database."""
    db = sqlite3.connect(":memory:")
    apply_schema(db)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: {r[1] for r in db.execute(f"PRAGMA table_info({t})")} for t in tables}


def postgres_columns(url: str) -> dict[str, set[str]]:
    """Each table's columns in the schema the store applied."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT table_name, column_name FROM information_schema.columns"
                            " WHERE table_schema = current_schema()").fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found


def test_both_backends_have_the_same_tables_and_columns(pg_cluster):
    url = pg_cluster.create_schema()
    PostgresStore(url).close()
    ours = postgres_columns(url)
    assert ours.pop("workshop_meta") == {"name", "value"}  # PostgreSQL's stand-in for SQLite's pragmas
    assert ours == sqlite_columns()


def test_every_added_column_is_in_both_schema_files():
    for backend in schema.FILES:
        text = schema.FILES[backend].read_text(encoding="utf-8")
        for table, column, _ in schema.ADDED_COLUMNS:
            assert f"\n    {column} " in text.split(f"CREATE TABLE IF NOT EXISTS {table} (", 1)[1].split(");")[0], (
                backend, table, column)


def test_an_older_postgres_database_gains_the_newer_columns_and_keeps_its_rows(pg_cluster):
    url = pg_cluster.create_schema()
    store = PostgresStore(url)
    sid = store.create_session(code="K7QX2M", title="Oud", language="nl", questionnaire_id="digitaal-dna",
                               questionnaire_version="1", disciplines=[], facilitator_hash="h", state={},
                               now="2025-01-01T00:00:00+00:00")
    store.save_note(sid, "", "Wat opviel", "2025-01-01T00:00:01+00:00")
    store.close()
    with psycopg.connect(url, autocommit=True) as conn:  # what an older version made: no note versions, no follows
        conn.execute("ALTER TABLE notes DROP COLUMN version")
        conn.execute("ALTER TABLE sessions DROP COLUMN follows")
        conn.execute("UPDATE workshop_meta SET value = 5 WHERE name = 'schema_version'")
    for _ in range(2):  # opening twice changes nothing more
        store = PostgresStore(url)
        assert store.note(sid, "") == ("Wat opviel", 1)
        assert store.follows(sid) is None
        store.close()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT value FROM workshop_meta WHERE name = 'schema_version'").fetchone()[0] == schema.SCHEMA_VERSION == 7
