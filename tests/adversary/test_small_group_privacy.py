"""Finding 5: fake joins must not make a discipline group of one visible; late joins are flagged.

The attacker knows the only director is in the room. Two phones join as "Directie" and never answer, so
the group has three members. Before the fix the discipline view then showed "Directie" on its own with
the director's answers as counts ([1, 0, 0, 0] on every question) to the facilitator and the projector.
"""
from __future__ import annotations

import sqlite3

from workshop.core.questionnaire import default
from workshop.store.sqlite import DB_NAME

from ..web.conftest import room  # noqa: F401  (the fixture: a facilitator and a projector of one session)
from ..web.helpers import Inbox, connect, projector_key

Q = default()
MIN = 3  # MIN_GROUP_SIZE by default
DIRECTOR = {"begrippen": "nooit", "uitspraak": "ten-koste-van", "projecten": "0-procent", "kennis": "heel-weinig"}
MARKETING = {"begrippen": "dagelijks", "uitspraak": "kan-helpen", "projecten": "30-100-procent",
             "kennis": "meeste-collegas"}
ICT = {"begrippen": "regelmatig", "uitspraak": "kan-helpen", "projecten": "10-30-procent", "kennis": "enkele-collegas"}


def answer_all(phone: Inbox, answers: dict[str, str]) -> None:
    """Answer every question in round 1."""
    for question, option in answers.items():
        ack = phone.emit("answer", {"question": question, "option": option, "round": 1})
        assert ack["ok"], ack


def aggregates(inbox: Inbox) -> list[dict]:
    """Every live aggregate a facilitator or projector socket received, its connect snapshot's included."""
    found = []
    for name, data in inbox.pull():
        if name == "live":
            found.append(data)
        elif name == "snapshot" and data.get("live"):
            found.append(data["live"])
    return found


def shown_cells(live: dict, question: str) -> dict[str, list[int]]:
    """The discipline groups whose counts for a question an aggregate shows, with those counts."""
    cells = {}
    for group in live.get("disciplines") or []:
        cell = (group.get("questions") or {}).get(question)
        if cell and cell.get("counts") is not None:
            cells[group["group"]] = cell["counts"]
    return cells


def room_counts(live: dict, question: str) -> list[int] | None:
    """The room's counts for a question's current round, when the aggregate carries them."""
    data = live["questions"][question]
    rounds = data.get("rounds")
    return rounds[data["round"] - 1]["stats"]["counts"] if rounds else None


def assert_nobody_singled_out(live: dict) -> None:
    """No shown group counts fewer than MIN answers, and the room minus the shown groups is 0 or >= MIN."""
    for question in Q.questions:
        cells = shown_cells(live, question.id)
        for group, counts in cells.items():
            assert sum(counts) >= MIN, (question.id, group, counts)
        room = room_counts(live, question.id)
        if room is not None and cells:
            rest = [r - sum(c[i] for c in cells.values()) for i, r in enumerate(room)]
            assert sum(rest) == 0 or sum(rest) >= MIN, (question.id, rest)
    for group in live.get("disciplines") or []:
        if group.get("median_total") is not None:
            assert group.get("complete", 0) >= MIN, group  # members with a complete total


def test_two_silent_fake_directie_joins_do_not_reveal_the_only_director(room):
    r = room(pacing="self", disciplines=["Directie", "Marketing", "ICT"])
    r.command("start")
    director, _ = r.join("Directeur", "Directie")
    answer_all(director, DIRECTOR)
    for _ in range(2):  # the attacker's two phones: join as Directie, never answer
        r.join(None, "Directie")
    for discipline, answers in [("Marketing", MARKETING)] * 4 + [("ICT", ICT)] * 3:
        phone, _ = r.join(None, discipline)
        answer_all(phone, answers)
    assert r.command("view", view="disciplines")["ok"]
    for question in Q.questions:
        assert r.command("reveal", question=question.id)["ok"]
    assert r.command("results")["ok"]
    projector = connect(r.socketio, r.app, "screen", {"code": r.code, "key": projector_key(r.session)})
    facilitator = connect(r.socketio, r.app, "facilitator", {"code": r.code, "token": r.session["facilitator_token"]})

    final = r.facilitator.wait("live", lambda d: d["seq"] == 4 * 8 and d["results"]["complete"] == 8)
    seen = aggregates(r.facilitator) + aggregates(r.screen) + aggregates(projector) + aggregates(facilitator)
    assert len(seen) > 10
    for live in seen:
        directie = [g for g in live.get("disciplines") or [] if g["group"] == "Directie"]
        for group in directie:
            assert group["median_total"] is None and group["phase"] is None
            assert all(cell.get("counts") is None for cell in group["questions"].values()), group
        assert_nobody_singled_out(live)
    # The group still has its row (three joined), and Marketing, big enough, is still shown on its own.
    groups = {g["group"]: g for g in final["disciplines"]}
    assert groups["Directie"]["n"] == 3 and groups["Directie"]["questions"]["begrippen"]["withheld"] is True
    assert groups["Marketing"]["questions"]["begrippen"]["counts"] == [0, 0, 0, 4]
    assert groups["Marketing"]["median_total"] == 10.0
    on_screen = aggregates(projector)[-1]
    assert {g["group"]: g["questions"]["begrippen"].get("counts") for g in on_screen["disciplines"]} == {
        "Directie": None, "ICT": None, "Marketing": [0, 0, 0, 4]}


def test_three_real_directors_who_answer_are_shown_as_a_group(room):
    r = room(pacing="self", disciplines=["Directie", "Marketing"])
    r.command("start")
    for discipline, answers in [("Directie", DIRECTOR)] * 3 + [("Marketing", MARKETING)] * 3:
        phone, _ = r.join(None, discipline)
        answer_all(phone, answers)
    assert r.command("view", view="disciplines")["ok"]
    assert r.command("results")["ok"]
    live = r.screen.wait("live", lambda d: d["results"] is not None and d["seq"] == 24)
    groups = {g["group"]: g for g in live["disciplines"]}
    assert groups["Directie"]["questions"]["begrippen"]["counts"] == [3, 0, 0, 0]
    assert groups["Directie"]["median_total"] == 0.0 and groups["Directie"]["phase"] == "ik-zie"
    assert groups["Marketing"]["questions"]["kennis"]["counts"] == [0, 0, 3]
    assert_nobody_singled_out(live)


def test_a_fake_that_answers_only_some_questions_unlocks_only_those(room):
    """Per question, not per group: two fakes answering one question let the group show on that one only."""
    r = room(pacing="self", disciplines=["Directie", "Marketing"])
    r.command("start")
    director, _ = r.join(None, "Directie")
    answer_all(director, DIRECTOR)
    for _ in range(2):
        fake, _ = r.join(None, "Directie")
        assert fake.emit("answer", {"question": "uitspraak", "option": "kan-helpen", "round": 1})["ok"]
    for _ in range(3):
        phone, _ = r.join(None, "Marketing")
        answer_all(phone, MARKETING)
    live = r.facilitator.wait("live", lambda d: d["seq"] == 4 + 2 + 12)
    directie = next(g for g in live["disciplines"] if g["group"] == "Directie")
    assert directie["questions"]["uitspraak"]["counts"] == [1, 2]  # what n-1 answering fakes can do: docs/security.md
    for question in ("begrippen", "projecten", "kennis"):
        assert directie["questions"][question]["counts"] is None
    assert directie["median_total"] is None and directie["complete"] == 1


def late_flags(roster: dict) -> dict[str, bool]:
    """Nickname -> the 'joined late' mark in a roster."""
    return {p["nickname"]: p["late"] for p in roster["participants"]}


def test_joins_after_the_first_question_opened_are_flagged_to_the_facilitator_across_a_restart(
        make_app, data_dir):
    app = make_app()
    client = app.test_client()
    session = client.post("/api/sessions", json={"title": "Late", "disciplines": ["Directie"]}).get_json()
    socketio = app.extensions["socketio"]
    auth = {"code": session["code"], "token": session["facilitator_token"]}
    fac = connect(socketio, app, "facilitator", auth)
    for name in ("Early1", "Early2"):
        phone = connect(socketio, app, "participant", {"code": session["code"]})
        assert phone.emit("join", {"nickname": name, "discipline": "Directie"})["ok"]
    assert fac.emit("command", {"action": "start"})["ok"]
    phone = connect(socketio, app, "participant", {"code": session["code"]})
    assert phone.emit("join", {"nickname": "Late1", "discipline": "Directie"})["ok"]
    roster = fac.wait("roster", lambda d: d["count"] == 3)
    assert late_flags(roster) == {"Early1": False, "Early2": False, "Late1": True}

    app.extensions["workshop"].live.store.close()  # a restart on the same data directory
    again = make_app()
    fac = connect(again.extensions["socketio"], again, "facilitator", auth)
    snapshot = fac.wait("snapshot")
    assert late_flags(snapshot["roster"]) == {"Early1": False, "Early2": False, "Late1": True}


OLD_PARTICIPANTS = """CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    nickname TEXT,
    discipline TEXT,
    joined_at TEXT NOT NULL,
    removed_at TEXT,
    UNIQUE (session_id, number)
)"""


def test_a_database_from_before_the_flag_is_migrated_and_keeps_its_participants(make_app, data_dir):
    app = make_app()
    client = app.test_client()
    session = client.post("/api/sessions", json={"title": "Old"}).get_json()
    live = app.extensions["workshop"].live
    live.join(live.room(session["code"]), "Anna")
    live.store.close()
    with sqlite3.connect(data_dir / DB_NAME) as db:  # turn the file into what version 1 wrote
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("ALTER TABLE participants RENAME TO participants_new")
        db.execute(OLD_PARTICIPANTS)
        db.execute("INSERT INTO participants SELECT id, session_id, number, token_hash, nickname, discipline,"
                   " joined_at, removed_at FROM participants_new")
        db.execute("DROP TABLE participants_new")
        db.execute("PRAGMA user_version=1")
    again = make_app()
    fac = connect(again.extensions["socketio"], again, "facilitator",
                  {"code": session["code"], "token": session["facilitator_token"]})
    assert late_flags(fac.wait("snapshot")["roster"]) == {"Anna": False}
    phone = connect(again.extensions["socketio"], again, "participant", {"code": session["code"]})
    assert phone.emit("join", {"nickname": "Bram"})["ok"]
    with sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True) as db:
        assert db.execute("SELECT nickname, joined_late FROM participants ORDER BY number").fetchall() == [
            ("Anna", 0), ("Bram", 0)]
