"""Several processes on one SQLite file: a write waits (cooperatively) for another connection's write lock."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from workshop.store import sqlite as store_module
from workshop.store.sqlite import Store


@pytest.fixture
def store(tmp_path):
    """A store and the id of one session in it."""
    s = Store(tmp_path / "w.sqlite3")
    sid = s.create_session(code="ABCDEF", title="t", language="nl", questionnaire_id="q", questionnaire_version="1",
                           disciplines=[], facilitator_hash="h", state={}, now="2026-01-01T00:00:00+00:00")
    yield s, sid
    s.close()


def hold_lock(path):
    """Another connection (as another worker) holding the database's write lock."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_write_waits_for_another_writer_and_then_commits(store):
    s, sid = store
    other = hold_lock(s.path)
    released = threading.Event()

    def release():
        """Commit the other connection's transaction a moment later."""
        released.wait(0.3)
        released.set()
        other.execute("COMMIT")

    threading.Thread(target=release).start()
    s.save_note(sid, "", "na het slot", "2026-01-01T00:00:01+00:00")
    assert released.is_set()  # the write returned only after the other connection let go
    assert s.notes(sid) == {"": "na het slot"}
    other.close()


def test_a_write_gives_up_when_the_lock_is_held_past_the_timeout(store, monkeypatch):
    s, sid = store
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    other = hold_lock(s.path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            s.save_note(sid, "", "te laat", "2026-01-01T00:00:01+00:00")
    finally:
        other.execute("ROLLBACK")
        other.close()
    s.save_note(sid, "", "daarna", "2026-01-01T00:00:02+00:00")  # the connection is usable again
    assert s.notes(sid) == {"": "daarna"}


def test_a_short_hold_is_waited_for_in_sqlite_without_a_cooperative_sleep(store, monkeypatch):
    s, sid = store
    monkeypatch.setattr(store_module, "FIRST_WAIT_MS", 5000)
    slept = []
    monkeypatch.setattr(store_module.time, "sleep", slept.append)
    other = hold_lock(s.path)
    threading.Timer(0.05, lambda: other.execute("COMMIT")).start()
    s.save_note(sid, "", "na een korte wacht", "2026-01-01T00:00:01+00:00")
    assert slept == []  # the first try waited inside SQLite: no other request could queue behind it
    assert s.notes(sid) == {"": "na een korte wacht"}
    other.close()


def test_after_the_first_wait_the_retries_sleep_cooperatively_without_sqlites_wait(store, monkeypatch):
    s, sid = store
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    timeouts = []
    real_sleep = store_module.time.sleep

    def sleep(seconds):
        """Note SQLite's busy timeout at each cooperative sleep."""
        timeouts.append(s._conn.execute("PRAGMA busy_timeout").fetchone()[0])
        real_sleep(seconds)

    monkeypatch.setattr(store_module.time, "sleep", sleep)
    other = hold_lock(s.path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            s.save_note(sid, "", "te laat", "2026-01-01T00:00:01+00:00")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert timeouts and set(timeouts) == {0}
