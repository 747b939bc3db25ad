"""Finding 11: the retention clock counts every activity, so a purge never deletes a session in use.

An operator runs `workshop sessions purge --older-than 90` (as the server's start does with
RETENTION_DAYS). A session whose last facilitator state change is old, but whose people
joined, answered, or whose facilitator wrote a note or steps a moment ago, is in use:
the purge must leave it. Each activity arrives through the Socket.IO test client; the old
state change is made by writing an old `updated_at` into the SQLite file.
"""
from __future__ import annotations

import sqlite3

import pytest

from tests.web.helpers import connect
from workshop import cli
from workshop.store.sqlite import DB_NAME

LONG_AGO = "2020-01-01T00:00:00+00:00"


def stored_updated_at(data_dir, code: str) -> str | None:
    """The session's updated_at as stored in the database file (None once deleted)."""
    con = sqlite3.connect(data_dir / DB_NAME)
    try:
        row = con.execute("SELECT updated_at FROM sessions WHERE code = ?", (code,)).fetchone()
        return row and row[0]
    finally:
        con.close()


def make_old(data_dir, code: str) -> None:
    """Pretend the session last changed years ago (straight into the SQLite file)."""
    con = sqlite3.connect(data_dir / DB_NAME, timeout=10)
    try:
        with con:
            con.execute("UPDATE sessions SET updated_at = ? WHERE code = ?", (LONG_AGO, code))
    finally:
        con.close()
    assert stored_updated_at(data_dir, code) == LONG_AGO


def purge(data_dir, capsys) -> str:
    """Run the operator's purge of sessions unchanged for 90 days; return what it printed."""
    capsys.readouterr()
    assert cli.main(["sessions", "--data-dir", str(data_dir), "purge", "--older-than", "90", "--yes"]) == 0
    return capsys.readouterr().out


def activity(kind: str, session, facilitator, phone, app, socketio) -> None:
    """One thing happening in a running session, sent over Socket.IO."""
    if kind == "join":
        newcomer = connect(socketio, app, "participant", {"code": session["code"]})
        assert newcomer.emit("join", {"nickname": "Laatkomer"})["ok"]
    elif kind == "answer":
        assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["ok"]
    elif kind == "note":
        assert facilitator.emit("note", {"question": "", "text": "Nog bezig"})["ok"]
    elif kind == "steps":
        assert facilitator.emit("steps", {"items": [{"what": "Verder praten", "who": "Anna", "due": "morgen"}]})["ok"]
    else:
        assert kind == "nothing"


@pytest.mark.parametrize("kind", ["join", "answer", "note", "steps", "nothing"])
def test_purge_keeps_a_session_with_fresh_activity(app, socketio, new_session, data_dir, capsys, kind):
    session = new_session()
    code = session["code"]
    facilitator = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
    phone = connect(socketio, app, "participant", {"code": code})
    assert phone.emit("join", {"nickname": "Anna"})["ok"]
    assert facilitator.emit("command", {"action": "start"})["ok"]
    make_old(data_dir, code)

    activity(kind, session, facilitator, phone, app, socketio)
    printed = purge(data_dir, capsys)

    if kind == "nothing":  # the control: an idle session that old is purged
        assert code in printed and stored_updated_at(data_dir, code) is None
    else:
        assert code not in printed, printed
        assert stored_updated_at(data_dir, code) > LONG_AGO


def test_the_activity_is_committed_with_the_write_itself(app, socketio, new_session, data_dir):
    """The new updated_at is in the file as soon as the answer is acknowledged (same transaction)."""
    session = new_session()
    code = session["code"]
    facilitator = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
    phone = connect(socketio, app, "participant", {"code": code})
    assert phone.emit("join", {"nickname": "Anna"})["ok"]
    assert facilitator.emit("command", {"action": "start"})["ok"]
    make_old(data_dir, code)
    assert phone.emit("answer", {"question": "begrippen", "option": "zelden", "round": 1})["ok"]
    con = sqlite3.connect(data_dir / DB_NAME)
    try:
        answered_at = con.execute("SELECT MAX(answered_at) FROM answers").fetchone()[0]
    finally:
        con.close()
    assert stored_updated_at(data_dir, code) == answered_at
