"""Finding 8: a write to a session deleted underneath the server answers `session_deleted`, never
`internal` and never `ok: true` while storing nothing; the server's deletion check disconnects its sockets.

The session is deleted by the real command line (`workshop sessions delete`) on its own connection to the
database, while the app (Flask-SocketIO test clients, threading mode) still holds the room in memory.
"""
from __future__ import annotations

import sqlite3

import pytest

from tests.web.helpers import Inbox, connect, projector_key
from workshop import cli

TABLES = ("sessions", "participants", "answers", "notes", "steps")


@pytest.fixture
def app(make_app):
    """The app with the background check off: the tests call the check themselves."""
    return make_app(DELETION_CHECK_INTERVAL=0.0)


def delete_with_cli(data_dir, code: str) -> None:
    """Delete a session as the operator does, through the command line's own connection."""
    assert cli.main(["sessions", "delete", code, "--yes", "--data-dir", str(data_dir)]) == 0


def stored_rows(data_dir) -> dict[str, int]:
    """How many rows each table holds, read through a separate connection."""
    with sqlite3.connect(f"file:{data_dir / 'workshop.sqlite3'}?mode=ro", uri=True) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


class Running:
    """A started session with its facilitator, projector, a joined phone and a visitor who has not joined."""

    def __init__(self, app, socketio, session):
        """Connect everyone and start the session."""
        code = session["code"]
        self.session = session
        self.facilitator = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
        self.screen = connect(socketio, app, "screen", {"code": code, "key": projector_key(session)})
        self.phone = connect(socketio, app, "participant", {"code": code})
        self.joined = self.phone.emit("join", {"nickname": "Anna"})
        assert self.joined["ok"], self.joined
        self.visitor = connect(socketio, app, "participant", {"code": code})
        assert self.facilitator.emit("command", {"action": "start"})["ok"]

    def sockets(self) -> list[Inbox]:
        """Every socket of the session."""
        return [self.facilitator, self.screen, self.phone, self.visitor]


WRITES = {
    "join": lambda r: r.visitor.emit("join", {"nickname": "Bert"}),
    "answer": lambda r: r.phone.emit("answer", {"question": "begrippen", "option": "zelden", "round": 1}),
    "command": lambda r: r.facilitator.emit("command", {"action": "next"}),
    "command_lock": lambda r: r.facilitator.emit("command", {"action": "lock"}),
    "remove": lambda r: r.facilitator.emit("command", {"action": "remove", "participant": r.joined["me"]["id"]}),
    "note": lambda r: r.facilitator.emit("note", {"question": "", "text": "Wat opviel"}),
    "steps": lambda r: r.facilitator.emit("steps", {"items": [{"what": "Pilot", "who": "Anna", "due": "mei"}]}),
    "report_link": lambda r: r.facilitator.emit("report_link", {"enabled": True}),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_to_a_session_deleted_underneath_answers_session_deleted(app, socketio, new_session, data_dir, write):
    running = Running(app, socketio, new_session())
    delete_with_cli(data_dir, running.session["code"])
    ack = WRITES[write](running)
    assert ack == {"ok": False, "error": {"code": "session_deleted", "message": ack["error"]["message"]}}
    assert "deleted" in ack["error"]["message"] or "verwijderd" in ack["error"]["message"]
    assert stored_rows(data_dir) == dict.fromkeys(TABLES, 0)  # nothing came back


def test_the_deletion_check_disconnects_every_socket_of_the_deleted_session_only(app, socketio, new_session,
                                                                               data_dir, client):
    doomed = Running(app, socketio, new_session(title="Weg"))
    kept = Running(app, socketio, new_session(title="Blijft"))
    svc = app.extensions["workshop"]
    assert svc.deletions.check() == []  # nothing changed yet
    delete_with_cli(data_dir, doomed.session["code"])
    assert svc.deletions.check() == [doomed.session["code"]]
    for inbox in doomed.sockets():
        assert not inbox.client.is_connected(inbox.namespace), inbox.namespace
        notices = [m["args"][0] for m in inbox.client.queue if m["name"] == "session_deleted"]
        assert [n["code"] for n in notices] == ["session_deleted"], inbox.namespace
    for inbox in kept.sockets():
        assert inbox.client.is_connected(inbox.namespace), inbox.namespace
        assert "session_deleted" not in inbox.names()
    ack = kept.phone.emit("answer", {"question": "begrippen", "option": "zelden", "round": 1})
    assert ack["ok"], ack
    assert client.get(f"/j/{doomed.session['code']}").status_code == 404
    assert client.get(f"/j/{kept.session['code']}").status_code == 200
    assert svc.deletions.check() == []  # seen once
