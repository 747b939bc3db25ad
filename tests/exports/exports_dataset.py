"""The fixed session the export tests share, built through the Socket.IO API like a real workshop.

Five people join (the third is removed again), everyone answers all four
questions, "begrippen" gets a second round, every question gets an agreed
answer, and the facilitator writes notes and two first steps. The clock is
fixed so every timestamp in the exports is NOW.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.helpers import connect
from workshop.core import security

NOW = "2025-03-14T10:00:00+00:00"
DATA = Path(__file__).with_name("data")


def expected_csv_file(zone: str = "Europe/Amsterdam") -> bytes:
    """data/answers.csv (the text, times in UTC) as a downloaded file: a BOM, times in the zone and named."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    lines = (DATA / "answers.csv").read_bytes().decode("utf-8").split("\r\n")
    out = [lines[0]]
    for line in lines[1:]:
        if line:
            *cells, at, utc = line.split(",")
            assert utc == "UTC"
            local = datetime.fromisoformat(at).astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
            line = ",".join([*cells, local, zone])
        out.append(line)
    return "\ufeff".encode() + "\r\n".join(out).encode("utf-8")
TITLE = "Museum De Kade: jaarplan 2025"
PEOPLE = [  # nickname, discipline (index in the default Dutch list)
    ("Anna", 0),
    ("Bram", 0),
    ("Eve", 1),  # removed after answering the first question
    ('Chris "CJ"', 0),
    ("Dewi, PR", 3),
]
ROUND_1 = {"begrippen": ["zelden", "regelmatig", "nooit", "regelmatig", "dagelijks"]}
ANSWERS = {  # latest round of every question, by person (Eve is gone by then)
    "begrippen": ["regelmatig", "regelmatig", None, "regelmatig", "dagelijks"],
    "uitspraak": ["ten-koste-van", "kan-helpen", None, "kan-helpen", "kan-helpen"],
    "projecten": ["1-10-procent", "10-30-procent", None, "10-30-procent", "30-100-procent"],
    "kennis": ["enkele-collegas", "enkele-collegas", None, "meeste-collegas", "enkele-collegas"],
}
AGREED = {"begrippen": "regelmatig", "uitspraak": "kan-helpen", "projecten": "10-30-procent",
          "kennis": "enkele-collegas"}
GENERAL_NOTE = 'Goed gesprek; "digitaal" betekent voor ieder iets anders.\nVolgende keer: <meer tijd> & koffie.'
NOTES = {
    "begrippen": "Na de tweede ronde zag iedereen het woord vaker terugkomen.",
    "kennis": "Kennis zit vooral bij twee collega's van publiek & marketing.",
}
STEPS = [
    {"what": "Inspiratiesessie over digitale verdienmodellen", "who": "Anna", "due": "1 april"},
    {"what": "Eerste plan van aanpak", "who": "Bram en Chris", "due": "juni"},
]


class Workshop:
    """The built session: its API reply, its facilitator socket and the participants' join replies."""

    def __init__(self, app, session: dict[str, Any], facilitator, joined: list[dict[str, Any]]):
        """Keep what the tests need."""
        self.app, self.session, self.facilitator, self.joined = app, session, facilitator, joined
        self.code = session["code"]
        self.token = session["facilitator_token"]

    def command(self, action: str, **fields) -> dict[str, Any]:
        """Send a facilitator command; fail the test when it is refused."""
        ack = self.facilitator.emit("command", {"action": action, **fields})
        assert ack["ok"], ack
        return ack


def fix_clock(app) -> None:
    """Make every timestamp the app writes NOW."""
    app.extensions["workshop"].live.clock = lambda: NOW


def build_workshop(app, client, *, language: str = "nl", title: str = TITLE) -> Workshop:
    """Run the fixed session from creation to results; return it."""
    fix_clock(app)
    socketio = app.extensions["socketio"]
    reply = client.post("/api/sessions", json={"title": title, "language": language})
    assert reply.status_code == 201, reply.get_json()
    session = reply.get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    disciplines = app.extensions["workshop"].live.room(session["code"]).disciplines
    phones, joined = [], []
    for nickname, discipline in PEOPLE:
        phone = connect(socketio, app, "participant", {"code": session["code"]})
        ack = phone.emit("join", {"nickname": nickname, "discipline": disciplines[discipline]})
        assert ack["ok"], ack
        phones.append(phone)
        joined.append(ack)
    workshop = Workshop(app, session, facilitator, joined)

    def answer(question: str, round_: int, options: list[str | None]) -> None:
        """Let each person answer (None: does not answer)."""
        for phone, option in zip(phones, options):
            if option is not None:
                ack = phone.emit("answer", {"question": question, "option": option, "round": round_})
                assert ack["ok"], ack

    workshop.command("start")
    answer("begrippen", 1, ROUND_1["begrippen"])
    workshop.command("reveal", question="begrippen")
    workshop.command("remove", participant=joined[2]["me"]["id"])
    workshop.command("new_round", question="begrippen")
    answer("begrippen", 2, ANSWERS["begrippen"])
    workshop.command("reveal", question="begrippen")
    workshop.command("agree", question="begrippen", option=AGREED["begrippen"])
    for question in ("uitspraak", "projecten", "kennis"):
        workshop.command("focus", question=question)
        answer(question, 1, ANSWERS[question])
        workshop.command("reveal", question=question)
        workshop.command("agree", question=question, option=AGREED[question])
    workshop.command("results")
    for question, text in [("", GENERAL_NOTE), *NOTES.items()]:
        assert facilitator.emit("note", {"question": question, "text": text})["ok"]
    assert facilitator.emit("steps", {"items": STEPS})["ok"]
    return workshop


CODE = "K7QX2M"


@pytest.fixture
def workshop(app, client, monkeypatch) -> Workshop:
    """The fixed session, with join code CODE (later sessions get random codes)."""
    codes = iter([CODE])
    random_code = security.new_code
    monkeypatch.setattr(security, "new_code", lambda: next(codes, None) or random_code())
    return build_workshop(app, client)
