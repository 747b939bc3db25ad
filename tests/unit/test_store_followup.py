"""The store's follow-up columns: a database from before them is migrated in place, idempotently, keeping its rows."""
from __future__ import annotations

import sqlite3

from workshop.store.sqlite import SCHEMA_VERSION, Store

OLD_SESSIONS = """CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL, language TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL, questionnaire_version TEXT NOT NULL, disciplines TEXT NOT NULL,
    facilitator_hash TEXT NOT NULL, state TEXT NOT NULL, report_generation INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""


def test_an_older_database_gains_the_follow_up_columns_and_keeps_its_sessions(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # what version 2 wrote: no organisation, follows or carried_steps
        db.execute(OLD_SESSIONS)
        db.execute("INSERT INTO sessions VALUES (1, 'K7QX2M', 'Oud', 'nl', 'digitaal-dna', '1', '[]', 'h', '{}', 0,"
                   " '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')")
        db.execute("PRAGMA user_version=2")
    for _ in range(2):  # opening twice changes nothing more
        store = Store(path)
        row = store.session("K7QX2M")
        assert (row["title"], row["organisation"], row["follows"]) == ("Oud", "", None)
        assert store.carried_steps(row["id"]) == []
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7


def test_carried_steps_are_copied_at_creation_and_their_status_recorded(make_store):
    store = make_store()
    session_id = store.create_session(code="P4WN8R", title="Nu", language="nl", questionnaire_id="digitaal-dna",
                                      questionnaire_version="1", disciplines=[], facilitator_hash="h", state={},
                                      now="2025-01-01T00:00:00+00:00", organisation="De Waag", follows="K7QX2M",
                                      carried=[{"what": "Visie", "who": "Anna", "due": "juni"}])
    assert store.carried_steps(session_id) == [
        {"position": 0, "what": "Visie", "who": "Anna", "due": "juni", "status": None}]
    assert store.set_carried_status(session_id, 0, "done", "2025-01-02T00:00:00+00:00")
    assert not store.set_carried_status(session_id, 1, "done", "2025-01-02T00:00:00+00:00")
    assert store.carried_steps(session_id)[0]["status"] == "done"
    assert store.delete_session("P4WN8R")
    assert store.carried_steps(session_id) == []
    store.close()
