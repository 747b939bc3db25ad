"""A phone that re-sends an answer after a lost acknowledgement: the repeat is idempotent."""
from __future__ import annotations

ANSWER = {"question": "begrippen", "option": "nooit", "round": 1}


def test_a_repeated_answer_is_acknowledged_without_a_new_row_or_seq(room):
    r = room()
    phone, _ = r.join("Eva")
    other, _ = r.join("Bas")
    r.command("start")
    first = phone.emit("answer", ANSWER)
    assert first["ok"]
    second = other.emit("answer", {**ANSWER, "option": "zelden"})
    assert second["seq"] == first["seq"] + 1
    rows = [tuple(row) for row in r.live_rows()]
    r.facilitator.pull()
    r.facilitator.events.clear()

    repeat = phone.emit("answer", ANSWER)
    assert repeat["ok"] and (repeat["question"], repeat["option"], repeat["round"]) == ("begrippen", "nooit", 1)
    assert repeat["seq"] == second["seq"]  # the counter did not move: every Live from it on holds the answer
    assert [tuple(row) for row in r.live_rows()] == rows  # no new row, nothing rewritten (not even answered_at)

    # The next real change gets the next number, as if the repeat never happened.
    changed = phone.emit("answer", {**ANSWER, "option": "zelden"})
    assert changed["seq"] == second["seq"] + 1
    assert len(r.live_rows()) == 2


def test_a_repeat_after_the_question_closed_is_refused_like_any_late_answer(room):
    """A stored answer stays; a phone learns from its snapshot that it was stored, from the refusal that it was not."""
    r = room()
    phone, _ = r.join("Eva")
    r.command("start")
    assert phone.emit("answer", ANSWER)["ok"]
    r.command("close", question="begrippen")
    assert phone.emit("answer", ANSWER)["error"]["code"] == "question_closed"
    assert [row["option_id"] for row in r.live_rows()] == ["nooit"]
