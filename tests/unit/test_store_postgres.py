"""What is PostgreSQL's own in its store: a session's row held by a write, deletions counted, a lost connection,
the connections' synchronous_commit."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest

from workshop.settings import Settings
from workshop.store.backend import open_store
from workshop.store.postgres import PostgresStore, safe_address
from workshop.store.sql import SessionMissing, StoreUnavailable

T0 = "2026-01-01T00:00:00+00:00"


def new_session(store) -> int:
    """One session with plain fields; its id."""
    return store.create_session(code="ABCDEF", title="t", language="nl", questionnaire_id="q",
                                questionnaire_version="1", disciplines=[], facilitator_hash="h", state={}, now=T0)


def waiting_for_a_lock(url: str, count: int) -> None:
    """Return once `count` other connections wait for a lock (fail after 20 s)."""
    deadline = time.monotonic() + 20
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                           " AND datname = current_database()").fetchone()[0] < count:
            assert time.monotonic() < deadline, "no connection came to wait for the lock"
            time.sleep(0.01)


def test_a_deletion_elsewhere_waits_for_a_write_in_flight_then_takes_it_all(pg_cluster):
    url = pg_cluster.create_schema()
    store, other = PostgresStore(url), PostgresStore(url)
    try:
        sid = new_session(store)
        pid, _ = store.add_participant(sid, "t1", None, None, T0)
        results = []
        with store.session_write(sid) as c:  # a write in flight: the session's row is held
            c.execute("INSERT INTO answers (session_id, participant_id, question_id, round, option_id, seq, answered_at)"
                      " VALUES (?, ?, 'q1', 1, 'a', 1, ?)", (sid, pid, T0))
            deleting = threading.Thread(target=lambda: results.append(other.delete_session("ABCDEF")))
            deleting.start()
            waiting_for_a_lock(url, 1)  # the other process's deletion waits for this write's commit
        deleting.join(20)
        assert results == [True]  # then it deleted the session with the answer just committed
        assert store.answers(sid) == [] and store.session("ABCDEF") is None
        with pytest.raises(SessionMissing):
            store.save_answer(sid, pid, "q2", 1, "a", 2, T0)
    finally:
        store.close()
        other.close()


def test_a_broken_connection_is_opened_again_at_the_next_call(pg_cluster):
    url = pg_cluster.create_schema()
    store = PostgresStore(url)
    try:
        sid = new_session(store)
        with psycopg.connect(url, autocommit=True) as admin:  # as a restarted server would: the connection ends
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'workshop'"
                          " AND pid <> pg_backend_pid()")
        with pytest.raises(psycopg.OperationalError):
            store.session("ABCDEF")  # the call that finds the connection gone fails
        assert store.session("ABCDEF")["id"] == sid  # the next one reconnects
        assert store.health() is None
    finally:
        store.close()


def test_the_address_in_messages_has_no_password():
    assert safe_address("postgresql://workshop:geheim@10.0.0.5:5433/workshop") == \
        "postgresql://workshop@10.0.0.5:5433/workshop"


@pytest.mark.parametrize("setting", ["off", "on"])
def test_the_store_s_connections_commit_with_the_synchronous_commit_setting(pg_cluster, tmp_path, setting):
    # The URL asks for the other value, as an ALTER ROLE or an old env file might: the setting wins.
    other = "on" if setting == "off" else "off"
    url = pg_cluster.create_schema(synchronous_commit=other)
    config = Settings.load({"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "POSTGRES_SYNCHRONOUS_COMMIT": setting},
                           environ={})
    store = open_store(config)
    reader = store.reader()
    try:
        assert store._one("SHOW synchronous_commit") == {"synchronous_commit": setting}
        assert reader._one("SHOW synchronous_commit") == {"synchronous_commit": setting}
        with psycopg.connect(url, autocommit=True) as admin:  # a restarted server: the next call reconnects
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'workshop'"
                          " AND pid <> pg_backend_pid()")
        with pytest.raises(psycopg.OperationalError):
            store._one("SELECT 1")
        assert store._one("SHOW synchronous_commit") == {"synchronous_commit": setting}
        with psycopg.connect(url, autocommit=True) as plain:  # the URL's value for any other connection
            assert plain.execute("SHOW synchronous_commit").fetchone() == (other,)
    finally:
        reader.close()
        store.close()


def test_the_default_is_off(pg_cluster, tmp_path):
    store = open_store(Settings.load({"DATABASE_URL": pg_cluster.create_schema(), "DATA_DIR": str(tmp_path)},
                                     environ={}))
    try:
        assert store._one("SHOW synchronous_commit") == {"synchronous_commit": "off"}
    finally:
        store.close()


def test_a_value_postgresql_does_not_know_stops_the_store_with_its_message(pg_cluster):
    with pytest.raises(StoreUnavailable, match="synchronous_commit"):
        PostgresStore(pg_cluster.create_schema(), "sometimes")
