"""What docs/protocol.md promises and the server once did otherwise (issue 23, item 6)."""
from __future__ import annotations


def answered_phones(r, count=2):
    """Start the session and let `count` phones answer the first question; return the phones."""
    phones = [r.join(f"P{n}")[0] for n in range(count)]
    assert r.command("start")["ok"]
    for phone in phones:
        assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["ok"]
    return phones


def results_received(phone):
    """The `result` events a phone got so far."""
    return [data for name, data in phone.pull() if name == "result"]


def test_end_after_results_sends_each_phone_its_result_again(room):
    r = room()
    phones = answered_phones(r)
    assert r.command("results")["ok"]
    for phone in phones:
        assert len(results_received(phone)) == 1
    assert r.command("end")["ok"]
    for phone in phones:
        phone.wait("state", lambda d: d["stage"] == "ended")
        sent = results_received(phone)
        assert len(sent) == 2 and sent[1]["answers"] == {"begrippen": "nooit"}
    assert r.command("reopen")["ok"]  # ended -> results: the stage becomes results again
    for phone in phones:
        phone.wait("state", lambda d: d["stage"] == "results")
        assert len(results_received(phone)) == 3


def test_end_straight_from_running_sends_the_result_once(room):
    r = room()
    phones = answered_phones(r, 1)
    assert r.command("end")["ok"]
    phones[0].wait("state", lambda d: d["stage"] == "ended")
    assert len(results_received(phones[0])) == 1


def test_a_state_change_within_results_sends_no_result(room):
    r = room()
    phones = answered_phones(r, 1)
    assert r.command("results")["ok"]
    assert r.command("lock")["ok"]
    phones[0].wait("state", lambda d: d["locked"])
    assert len(results_received(phones[0])) == 1


def test_an_idea_refusal_names_the_payload_key_text(room):
    r = room()
    phone = r.join("Anna")[0]
    assert r.facilitator.emit("activity", {"action": "open", "activity": "ideas"})["ok"]
    for text in ("", "   ", None, 7):
        error = phone.emit("idea", {"text": text, "prompt": "project"})["error"]
        assert (error["code"], error["field"]) == ("bad_request", "text"), text
    error = phone.emit("idea", {"text": "x" * 141, "prompt": "project"})["error"]
    assert (error["code"], error["field"]) == ("bad_idea", "text")
    assert phone.emit("idea", {"text": "x", "prompt": "nope"})["error"]["field"] == "prompt"


def test_an_empty_edit_of_an_idea_names_the_payload_key_text(room):
    r = room()
    phone = r.join("Anna")[0]
    assert r.facilitator.emit("activity", {"action": "open", "activity": "ideas"})["ok"]
    idea = phone.emit("idea", {"text": "Een podcast", "prompt": "project"})["idea"]
    error = r.facilitator.emit("moderate", {"action": "edit", "idea": idea["id"], "text": " "})["error"]
    assert (error["code"], error["field"]) == ("bad_request", "text")
