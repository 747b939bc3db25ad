"""A whole facilitator-paced and self-paced session through the Socket.IO API."""
from __future__ import annotations

ANSWERS = {
    # nickname: answers per question; totals 1+0+1+0=2 (ik-wil), 2+2+2+1=7 (ik-doe), 3+2+3+2=10 (ik-doe)
    "Anna": {"begrippen": "zelden", "uitspraak": "ten-koste-van", "projecten": "1-10-procent", "kennis": "heel-weinig"},
    "Bram": {"begrippen": "regelmatig", "uitspraak": "kan-helpen", "projecten": "10-30-procent", "kennis": "enkele-collegas"},
    "Cem": {"begrippen": "dagelijks", "uitspraak": "kan-helpen", "projecten": "30-100-procent", "kennis": "meeste-collegas"},
}
ORDER = ["begrippen", "uitspraak", "projecten", "kennis"]


def test_facilitator_paced_session_from_lobby_to_end(room):
    r = room(pacing="paced")
    phones = {name: r.join(name)[0] for name in ANSWERS}
    lobby = r.screen.wait("live", lambda d: d["joined"] == 3)
    assert lobby["names"] == ["Anna", "Bram", "Cem"]

    assert r.command("start")["ok"]
    for index, question in enumerate(ORDER):
        state = phones["Anna"].wait("state", lambda s, q=question: s["focus"] == q)
        assert [q["status"] for q in state["questions"]][index] == "open"
        for name, phone in phones.items():
            ack = phone.emit("answer", {"question": question, "option": ANSWERS[name][question], "round": 1})
            assert ack["ok"] and ack["question"] == question, ack
        # While open the projector sees how many answered, not the spread (no anchoring).
        masked = r.screen.wait("live", lambda d, q=question: d["questions"][q]["answered"] == 3)
        assert "rounds" not in masked["questions"][question]
        assert r.command("reveal", question=question)["ok"]
        shown = r.screen.wait("live", lambda d, q=question: "rounds" in d["questions"][q])
        stats = shown["questions"][question]["rounds"][0]["stats"]
        assert stats["n"] == 3 and stats["joined"] == 3 and sum(stats["counts"]) == 3
        assert r.command("next")["ok"]

    results_state = r.facilitator.wait("state", lambda s: s["stage"] == "results")
    assert all(q["status"] != "open" for q in results_state["questions"])
    live = r.screen.wait("live", lambda d: d["results"] is not None)
    assert live["results"]["phase_counts"] == {"ik-zie": 0, "ik-wil": 1, "ik-kan": 0, "ik-doe": 2}
    assert live["results"]["median_total"] == 7 and live["results"]["group_phase"] == "ik-doe"
    # Each phone gets its own result, privately.
    assert phones["Anna"].wait("result")["total"] == 2
    assert phones["Cem"].wait("result")["total"] == 10
    assert [d["total"] for n, d in phones["Bram"].pull() if n == "result"] == [7]

    assert r.command("end")["ok"]
    assert phones["Bram"].wait("state", lambda s: s["stage"] == "ended")
    late = r.phone()
    assert not late.client.is_connected("/participant")  # an ended session takes no visitors


def test_answers_can_change_while_open_and_count_once(room):
    r = room()
    phone, ack = r.join("Anna")
    r.command("start")
    for option in ("nooit", "dagelijks", "zelden"):
        assert phone.emit("answer", {"question": "begrippen", "option": option, "round": 1})["ok"]
    live = r.facilitator.wait("live", lambda d: d["seq"] == 3)
    assert live["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [0, 1, 0, 0]
    rows = r.live_rows()
    assert [(row["question_id"], row["option_id"]) for row in rows] == [("begrippen", "zelden")]


def test_ack_comes_after_commit(room, app):
    r = room()
    phone, _ = r.join()
    r.command("start")
    ack = phone.emit("answer", {"question": "begrippen", "option": "regelmatig", "round": 1})
    # A second connection to the same file sees the row as soon as the ack is back.
    import sqlite3
    path = app.extensions["workshop"].live.store.path
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT option_id, seq FROM answers").fetchall() == [("regelmatig", ack["seq"])]


def test_self_paced_phones_see_every_question_and_projector_shows_progress(room):
    r = room(pacing="self")
    phone, _ = r.join()
    r.command("start")
    state = phone.wait("state", lambda s: s["stage"] == "running")
    assert [q["status"] for q in state["questions"]] == ["open"] * 4
    for question in ("kennis", "begrippen"):
        option = {"kennis": "heel-weinig", "begrippen": "nooit"}[question]
        assert phone.emit("answer", {"question": question, "option": option, "round": 1})["ok"]
    live = r.screen.wait("live", lambda d: d["seq"] == 2)
    assert {q: v["answered"] for q, v in live["questions"].items()} == {
        "begrippen": 1, "uitspraak": 0, "projecten": 0, "kennis": 1}
    assert r.command("reveal", question="kennis")["ok"]
    assert not phone.emit("answer", {"question": "kennis", "option": "meeste-collegas", "round": 1})["ok"]
    assert phone.emit("answer", {"question": "projecten", "option": "0-procent", "round": 1})["ok"]


def test_phones_never_receive_each_others_answers(room):
    r = room()
    a, _ = r.join("A")
    b, _ = r.join("B")
    r.command("start")
    b.pull()
    b.events.clear()
    assert a.emit("answer", {"question": "begrippen", "option": "dagelijks", "round": 1})["ok"]
    r.facilitator.wait("live", lambda d: d["seq"] == 1)
    assert b.names() == []  # nothing at all reached the other phone
    assert all(name not in ("live", "roster") for name, _ in a.pull())


def test_projector_lobby_counts_joins_and_shows_nicknames_as_given(room):
    r = room()
    r.join("<b>Eve</b>")
    r.join()
    live = r.screen.wait("live", lambda d: d["joined"] == 2)
    assert live["names"] == ["<b>Eve</b>"]  # plain text; the page inserts it with textContent


def test_disciplines_are_offered_and_checked(room):
    r = room(disciplines=["Directie", "Marketing"])
    phone, ack = r.join("Anna", "Marketing")
    assert ack["me"]["discipline"] == "Marketing"
    other = r.phone()
    assert other.emit("join", {"discipline": "Sales"})["error"]["code"] == "bad_discipline"


def test_a_partial_participant_gets_no_phase_but_the_missing_questions_and_the_group_ignores_it(room):
    r = room(pacing="self")
    full, _ = r.join("Anna")
    half, _ = r.join("Bram")
    none, _ = r.join("Cem")
    r.command("start")
    for question, option in ANSWERS["Bram"].items():
        assert full.emit("answer", {"question": question, "option": option, "round": 1})["ok"]
    assert half.emit("answer", {"question": "begrippen", "option": "dagelijks", "round": 1})["ok"]
    assert r.command("results")["ok"]
    mine = half.wait("result")
    assert (mine["total"], mine["phase"], mine["complete"]) == (None, None, False)  # no phase from 3 of 10 points
    assert mine["missing"] == ["uitspraak", "projecten", "kennis"]
    assert mine["answers"] == {"begrippen": "dagelijks"}
    assert full.wait("result")["complete"] is True
    live = r.facilitator.wait("live", lambda d: d["results"] is not None and d["results"]["complete"] == 1)
    assert live["results"]["median_total"] == 7  # Bram's partial 3 points are not in the group's median
    assert [n for n, _ in none.pull() if n == "result"] == []  # nothing answered: no result
