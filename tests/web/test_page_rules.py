"""The rules the pages read instead of keeping a copy (issue 22): whether phones may join (`joinable`),
whether a question takes answers (`accepting`) and what the facilitator may do with the activities
(`allowed` in the facilitator's activities view), each as the server sends it and as the server applies it."""
from __future__ import annotations


OPTION = {"begrippen": "nooit", "uitspraak": "kan-helpen"}  # an option of each of the first two questions


def accepting(state):
    """The ids of the questions a state says take answers."""
    return [q["id"] for q in state["questions"] if q["accepting"]]


def agrees(phone, state):
    """Answer the first two questions in their current round: accepted exactly where the state says so."""
    for item in state["questions"][:2]:
        ack = phone.emit("answer", {"question": item["id"], "option": OPTION[item["id"]], "round": item["round"]})
        assert ack["ok"] is item["accepting"], (item, ack)
        if not ack["ok"]:
            assert ack["error"]["code"] == "question_closed"
    return accepting(state)


def test_joinable_follows_the_lock_and_the_end_and_agrees_with_join(room):
    r = room()
    assert r.screen.last("snapshot")["state"]["joinable"] is True
    steps = [("lock", False), ("unlock", True), ("end", False), ("reopen", True), ("lock", False)]
    for action, joinable in steps:
        assert r.command(action)["ok"]
        seen = r.screen.wait("state", lambda d, a=action: d["joinable"] is joinable and (
            d["locked"] is (a == "lock") and d["stage"] == ("ended" if a == "end" else d["stage"])))
        assert seen["joinable"] is joinable
        phone = r.phone()
        if action == "end":  # an ended session refuses a new phone's connection already
            assert not phone.client.is_connected("/participant")
            continue
        assert phone.last("snapshot")["state"]["joinable"] is joinable
        ack = phone.emit("join", {"nickname": f"na {action}"})
        assert ack["ok"] is joinable, (action, ack)  # the field says what join does


def test_accepting_is_open_while_running_and_agrees_with_answer(room):
    r = room()
    phone, _ = r.join("Ans")
    first, second = list(OPTION)
    assert agrees(phone, phone.last("snapshot")["state"]) == []

    assert r.command("start")["ok"]
    assert agrees(phone, phone.wait("state", lambda d: d["stage"] == "running")) == [first]
    assert accepting(r.screen.wait("state", lambda d: d["stage"] == "running")) == [first]

    assert r.command("reveal", question=first)["ok"]
    assert agrees(phone, phone.wait("state", lambda d: d["questions"][0]["status"] == "revealed")) == []
    assert r.command("open", question=second)["ok"]
    assert agrees(phone, phone.wait("state", lambda d: d["questions"][1]["status"] == "open")) == [second]
    assert r.command("results")["ok"]
    assert agrees(phone, phone.wait("state", lambda d: d["stage"] == "results")) == []


def test_self_paced_every_question_takes_answers_until_the_results(room):
    r = room(pacing="self")
    phone, _ = r.join("Sel")
    assert r.command("start")["ok"]
    state = phone.wait("state", lambda d: d["stage"] == "running")
    assert accepting(state) == [q["id"] for q in state["questions"]]
    assert r.command("results")["ok"]
    assert accepting(phone.wait("state", lambda d: d["stage"] == "results")) == []


def test_the_facilitator_gets_the_activity_actions_the_server_allows(room):
    r = room()
    snap = r.facilitator.last("snapshot")["activities"]
    assert snap["allowed"] == {"activities": {"challenges": ["open"], "ideas": ["open"], "vote": ["open"]},
                               "actions": ["programme", "challenges", "auto_approve"]}
    for view in (r.screen.last("snapshot")["activities"], r.phone().last("snapshot")["activities"]):
        assert "allowed" not in view  # the facilitator's alone

    opened = r.facilitator.emit("activity", {"action": "open", "activity": "challenges"})["activities"]["allowed"]
    assert opened == {"activities": {"challenges": ["close", "reveal"], "ideas": ["open"], "vote": ["open"]},
                      "actions": ["show", "auto_approve"]}  # the programme and the list are fixed now
    refused = r.facilitator.emit("activity", {"action": "programme", "activities": ["ideas"]})
    assert refused["ok"] is False and refused["error"]["code"] == "not_allowed_now"

    back = r.facilitator.emit("activity", {"action": "show", "activity": None})["activities"]["allowed"]
    assert back["activities"]["challenges"] == ["close", "reveal", "show"] and "show" not in back["actions"]
    assert r.facilitator.emit("activity", {"action": "show", "activity": "ideas"})["error"]["code"] == "not_allowed_now"

    assert r.command("end")["ok"]  # nothing opens in an ended session: every page hears it
    ended = r.facilitator.wait("activities", lambda d: d["allowed"]["activities"]["ideas"] == [])
    assert ended["allowed"]["activities"]["challenges"] == ["reveal", "show"]
    assert r.facilitator.emit("activity", {"action": "open", "activity": "ideas"})["error"]["code"] == "session_ended"
    assert r.command("reopen")["ok"]
    assert r.facilitator.wait("activities", lambda d: d["allowed"]["activities"]["ideas"] == ["open"])
