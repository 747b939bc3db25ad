"""Rounds, agreed answers, the consensus phase and the discipline view through the socket API."""
from __future__ import annotations

FULL = {"begrippen": "regelmatig", "uitspraak": "kan-helpen", "projecten": "10-30-procent", "kennis": "enkele-collegas"}


def answer_all(phone, answers, round_=1):
    """Answer every question given, asserting each is accepted."""
    for question, option in answers.items():
        ack = phone.emit("answer", {"question": question, "option": option, "round": round_})
        assert ack["ok"], ack


def test_second_round_is_kept_apart_and_shows_the_shift(room):
    r = room(pacing="self")
    phones = [r.join(f"P{i}")[0] for i in range(4)]
    r.command("start")
    first = ["nooit", "nooit", "dagelijks", "dagelijks"]
    for phone, option in zip(phones, first):
        answer_all(phone, {**FULL, "begrippen": option})
    r.command("reveal", question="begrippen")
    assert r.command("new_round", question="begrippen")["ok"]
    state = phones[0].wait("state", lambda s: s["questions"][0]["round"] == 2)
    assert state["questions"][0]["status"] == "open"
    # A round-1 answer arriving late is refused; it cannot overwrite round 1.
    assert phones[0].emit("answer", {"question": "begrippen", "option": "zelden", "round": 1})["error"]["code"] == "stale_round"
    for phone in phones[:3]:
        assert phone.emit("answer", {"question": "begrippen", "option": "regelmatig", "round": 2})["ok"]
    r.command("reveal", question="begrippen")
    live = r.facilitator.wait("live", lambda d: d["questions"]["begrippen"]["round"] == 2
                              and d["questions"]["begrippen"]["answered"] == 3)
    rounds = live["questions"]["begrippen"]["rounds"]
    assert rounds[0]["stats"]["counts"] == [2, 0, 0, 2]  # round 1 untouched
    assert rounds[0]["stats"]["verdict"] == "polarised"
    assert rounds[1]["stats"]["counts"] == [0, 0, 3, 0]
    assert rounds[1]["stats"]["verdict"] == "agreed"
    # Totals: round 1 = 0+2+2+1 = 5 (ik-kan) or 3+5 = 8 (ik-doe); latest for P0..P2 = 2+5 = 7 (ik-doe).
    results = live["results"]
    assert results["first_round_phase_counts"] == {"ik-zie": 0, "ik-wil": 0, "ik-kan": 2, "ik-doe": 2}
    assert results["phase_counts"] == {"ik-zie": 0, "ik-wil": 0, "ik-kan": 0, "ik-doe": 4}
    assert results["changed_phase"] == 2
    rows = r.live_rows()
    assert sorted((row["round"], row["option_id"]) for row in rows if row["question_id"] == "begrippen") == [
        (1, "dagelijks"), (1, "dagelijks"), (1, "nooit"), (1, "nooit"),
        (2, "regelmatig"), (2, "regelmatig"), (2, "regelmatig")]


def test_agreed_answers_give_the_consensus_phase_and_end_the_provisional_label(room):
    r = room(pacing="self")
    phone, _ = r.join()
    r.command("start")
    answer_all(phone, FULL)
    agreed = {"begrippen": "dagelijks", "uitspraak": "kan-helpen", "projecten": "1-10-procent", "kennis": "heel-weinig"}
    for index, (question, option) in enumerate(agreed.items()):
        r.command("close", question=question)
        assert r.command("agree", question=question, option=option)["ok"]
        live = r.facilitator.wait("live", lambda d, q=question: d["questions"][q]["agreed"] == agreed[q])
        if index < 3:
            assert live["results"]["provisional"] is True and live["results"]["consensus_phase"] is None
    # 3 + 2 + 1 + 0 = 6: ik-kan, while the room's own median total is 7 (ik-doe).
    assert live["results"]["agreed_total"] == 6
    assert live["results"]["consensus_phase"] == "ik-kan" and live["results"]["provisional"] is False
    assert live["results"]["group_phase"] == "ik-doe"
    assert live["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [0, 0, 1, 0]  # spread stays beside it


def test_screen_sees_results_only_in_the_results_stage(room):
    r = room(pacing="self")
    phones = [r.join()[0] for _ in range(3)]
    r.command("start")
    for phone in phones:
        answer_all(phone, FULL)
    live = r.screen.wait("live", lambda d: d["seq"] == 12)
    assert live["results"] is None and live["disciplines"] == []
    r.command("results")
    live = r.screen.wait("live", lambda d: d["results"] is not None)
    assert live["results"]["phase_counts"]["ik-doe"] == 3


def test_private_result_reaches_only_its_participant(room):
    r = room(pacing="self")
    low, _ = r.join("Laag")
    high, _ = r.join("Hoog")
    r.command("start")
    answer_all(low, {"begrippen": "nooit", "uitspraak": "ten-koste-van", "projecten": "0-procent", "kennis": "heel-weinig"})
    answer_all(high, {"begrippen": "dagelijks", "uitspraak": "kan-helpen", "projecten": "30-100-procent", "kennis": "meeste-collegas"})
    r.command("results")
    assert low.wait("result")["phase"] == "ik-zie"
    assert high.wait("result")["phase"] == "ik-doe"
    assert [d["total"] for n, d in low.pull() if n == "result"] == [0]
    assert [d["total"] for n, d in high.pull() if n == "result"] == [10]
    assert all(n != "result" for n, _ in r.screen.pull())
    # After a reload the phone finds its result in the snapshot.
    assert low.client.is_connected("/participant")


def test_discipline_view_merges_small_groups(room):
    r = room(pacing="self", disciplines=["Directie", "Marketing", "ICT"])
    r.command("start")
    low = {"begrippen": "nooit", "uitspraak": "ten-koste-van", "projecten": "0-procent", "kennis": "heel-weinig"}
    for discipline, answers in [("Directie", FULL)] * 3 + [("Marketing", low)] * 2 + [("ICT", low)]:
        phone, _ = r.join(None, discipline)
        answer_all(phone, answers)
    live = r.facilitator.wait("live", lambda d: d["seq"] == 24)
    groups = {g["group"]: (g["n"], g["median_total"], g["phase"]) for g in live["disciplines"]}
    # 2 marketing + 1 ICT are shown together so no one's answer can be singled out.
    assert groups == {"Directie": (3, 7.0, "ik-doe"), "other": (3, 0.0, "ik-zie")}
    directie = next(g for g in live["disciplines"] if g["group"] == "Directie")
    assert directie["questions"]["begrippen"]["counts"] == [0, 0, 3, 0]
