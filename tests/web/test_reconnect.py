"""Reconnecting phones keep their identity; a restarted server resumes every session."""
from __future__ import annotations

from .helpers import connect, projector_key


def test_reconnect_with_token_is_the_same_participant_with_its_answers(room):
    r = room()
    phone, ack = r.join("Anna", None)
    r.command("start")
    assert phone.emit("answer", {"question": "begrippen", "option": "regelmatig", "round": 1})["ok"]
    phone.client.disconnect(namespace="/participant")

    again = r.phone(ack["token"])
    snapshot = again.wait("snapshot")
    assert snapshot["me"]["id"] == ack["me"]["id"]
    assert snapshot["me"]["nickname"] == "Anna"
    assert snapshot["me"]["answers"] == {"begrippen": {"1": "regelmatig"}}
    assert snapshot["state"]["focus"] == "begrippen"
    assert again.emit("join", {})["error"]["code"] == "already_joined"
    roster = r.facilitator.wait("roster", lambda d: d["count"] == 1)
    assert len(roster["participants"]) == 1


def test_two_tabs_of_one_participant_count_once(room):
    r = room()
    phone, ack = r.join("Anna")
    second = r.phone(ack["token"])
    r.command("start")
    assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["ok"]
    assert second.emit("answer", {"question": "begrippen", "option": "dagelijks", "round": 1})["ok"]
    live = r.facilitator.wait("live", lambda d: d["seq"] == 2)
    assert live["joined"] == 1
    assert live["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [0, 0, 0, 1]


def test_unknown_token_is_refused_and_no_token_connects_as_a_visitor(room):
    r = room()
    assert not r.phone("not-a-token").client.is_connected("/participant")  # bad_token (tests/adversary/test_phone_token.py)
    visitor = r.phone()
    assert visitor.wait("snapshot")["me"] is None


def test_restart_resumes_state_answers_and_identities(make_app, data_dir):
    first = make_app()
    sio = first.extensions["socketio"]
    client = first.test_client()
    session = client.post("/api/sessions", json={"title": "Herstart", "pacing": "paced"}).get_json()
    fac = connect(sio, first, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    phones = []
    for name, option in (("A", "nooit"), ("B", "zelden"), ("C", "zelden")):
        phone = connect(sio, first, "participant", {"code": session["code"]})
        ack = phone.emit("join", {"nickname": name})
        phones.append((ack, option))
    fac.emit("command", {"action": "start"})
    tokens = [ack["token"] for ack, _ in phones]
    for token, (_, option) in zip(tokens, phones):
        p = connect(sio, first, "participant", {"code": session["code"], "token": token})
        assert p.emit("answer", {"question": "begrippen", "option": option, "round": 1})["ok"]
    fac.emit("command", {"action": "reveal", "question": "begrippen"})
    fac.emit("command", {"action": "next"})
    first.extensions["workshop"].live.store.close()

    second = make_app()  # a new process on the same data dir
    sio2 = second.extensions["socketio"]
    screen = connect(sio2, second, "screen", {"code": session["code"], "key": projector_key(session)})
    snap = screen.wait("snapshot")
    assert snap["state"]["stage"] == "running" and snap["state"]["focus"] == "uitspraak"
    assert [q["status"] for q in snap["state"]["questions"]] == ["revealed", "open", "hidden", "hidden"]
    assert snap["live"]["joined"] == 3 and snap["live"]["seq"] == 3
    assert snap["live"]["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [1, 2, 0, 0]
    phone = connect(sio2, second, "participant", {"code": session["code"], "token": tokens[1]})
    me = phone.wait("snapshot")["me"]
    assert me["nickname"] == "B" and me["answers"] == {"begrippen": {"1": "zelden"}}
    ack = phone.emit("answer", {"question": "uitspraak", "option": "kan-helpen", "round": 1})
    assert ack["ok"] and ack["seq"] == 4  # the counter continues, never reused
    assert second.extensions["workshop"].live.store.integrity_check() == "ok"
