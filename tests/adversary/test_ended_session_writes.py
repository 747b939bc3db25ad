"""Issue 20, finding 10: an ended session took picks, ideas and dots from a returning phone while an activity
was left open, and each write moved the retention clock, so the session was never purged.

`end` closes every activity; after it, every phone write is refused with `session_ended` and moves nothing.
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.support.server import ServerProcess
from workshop import cli

from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration

FAC, PHONE = "/facilitator", "/participant"
OLD = "2019-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server."""
    with ServerProcess(tmp_path_factory.mktemp("ended") / "data") as running:
        yield running


def database(server) -> sqlite3.Connection:
    """A connection of the test's own to the server's database."""
    return sqlite3.connect(server.data_dir / "workshop.sqlite3", timeout=10)


def stored(server, code: str) -> dict:
    """What the database holds of a session: its retention clock, activity statuses and phone rows."""
    with database(server) as db:
        sid, updated = db.execute("SELECT id, updated_at FROM sessions WHERE code = ?", (code,)).fetchone()
        status = json.loads(db.execute("SELECT state FROM activities WHERE session_id = ?", (sid,)).fetchone()[0])
        rows = {t: db.execute(f"SELECT * FROM {t} WHERE session_id = ? ORDER BY 1, 2", (sid,)).fetchall()
                for t in ("challenge_picks", "ideas", "dots", "answers")}
    return {"updated_at": updated, "status": status["status"], "rows": rows}


WRITES = {
    "pick": ("pick", {"picks": ["ict-basis", "belangen"]}),
    "idea": ("idea", {"text": "Nog een idee na afloop", "prompt": "project"}),
    "dots": ("dots", {"idea": None, "count": 2}),  # the idea's id is filled in
    "answer": ("answer", {"question": "begrippen", "option": "zelden", "round": 1}),
}


def test_after_end_a_returning_phone_writes_nothing_and_the_session_can_be_purged(server):
    session = create_session(server.url, pacing="self")
    code = session["code"]
    fac, phone = RawSocket(server.url), RawSocket(server.url)
    try:
        assert fac.connect(FAC, {"code": code, "token": session["facilitator_token"]})["ok"]
        assert phone.connect(PHONE, {"code": code})["ok"]
        token = phone.emit(PHONE, "join", {"nickname": "Anna"})["token"]
        assert fac.emit(FAC, "command", {"action": "start"})["ok"]
        assert fac.emit(FAC, "activity", {"action": "auto_approve", "enabled": True})["ok"]  # the idea goes on the wall
        for activity in ("challenges", "ideas", "vote", "ideas"):  # opening the vote closes ideas: open them again
            assert fac.emit(FAC, "activity", {"action": "open", "activity": activity})["ok"]
        assert phone.emit(PHONE, "pick", {"picks": ["ict-basis"]})["ok"]
        idea = phone.emit(PHONE, "idea", {"text": "Een podcast", "prompt": "project"})["idea"]["id"]
        assert phone.emit(PHONE, "dots", {"idea": idea, "count": 1})["ok"]
        assert stored(server, code)["status"] == {"challenges": "open", "ideas": "open", "vote": "open"}

        assert fac.emit(FAC, "command", {"action": "end"})["ok"]
        before = stored(server, code)
        assert before["status"] == {"challenges": "closed", "ideas": "closed", "vote": "closed"}
        refused = fac.emit(FAC, "activity", {"action": "open", "activity": "ideas"})
        assert refused["ok"] is False and refused["error"]["code"] == "session_ended"
    finally:
        phone.close()
        fac.close()

    with database(server) as db:  # the session was last changed long ago
        db.execute("UPDATE sessions SET updated_at = ? WHERE code = ?", (OLD, code))
    returning = RawSocket(server.url)
    try:
        assert returning.connect(PHONE, {"code": code, "token": token})["ok"]  # it still sees its result
        for name, (event, data) in WRITES.items():
            data = {**data, "idea": idea} if event == "dots" else data
            ack = returning.emit(PHONE, event, data)
            assert ack["ok"] is False and ack["error"]["code"] == "session_ended", (name, ack)
    finally:
        returning.close()
    after = stored(server, code)
    assert after == {**before, "updated_at": OLD}  # no row and no clock moved

    assert cli.main(["sessions", "purge", "--older-than", "90", "--yes", "--data-dir", str(server.data_dir)]) == 0
    with database(server) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions WHERE code = ?", (code,)).fetchone()[0] == 0
