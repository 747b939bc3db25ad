"""The proeftuin activities through Socket.IO: programme, challenges, ideas with moderation, dot vote, steps."""
from __future__ import annotations

import pytest

from workshop.web import broadcaster

CHALLENGES = ["ict-basis", "samenwerking", "brug-te-ver", "belangen", "tijd-ruimte"]


def activity(r, action, **fields):
    """Send a facilitator activity action and return the acknowledgement."""
    return r.facilitator.emit("activity", {"action": action, **fields})


def auto_approve(r):
    """Turn on auto-approve (a new session moderates every idea): these tests are about the wall itself."""
    assert activity(r, "auto_approve", enabled=True)["ok"]


def people(r, spec):
    """Join phones per (nickname, discipline) and return them in order."""
    return [r.join(name, discipline)[0] for name, discipline in spec]


# The programme


def test_a_new_session_runs_all_three_activities_with_the_seed_challenges(room):
    r = room()
    snap = r.facilitator.last("snapshot")["activities"]
    assert snap["programme"] == ["challenges", "ideas", "vote"]
    assert [c["id"] for c in snap["challenges"]] == CHALLENGES
    assert snap["challenges"][1]["text"].startswith("Samenwerken")
    assert snap["status"] == {"challenges": "hidden", "ideas": "hidden", "vote": "hidden"}


def test_the_api_chooses_activities_and_refuses_unknown_ones(room, client):
    r = room(activities=["challenges"])
    assert r.facilitator.last("snapshot")["activities"]["programme"] == ["challenges"]
    bad = client.post("/api/sessions", json={"title": "x", "activities": ["quiz"]})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "activities"
    assert activity(r, "open", activity="ideas")["error"]["code"] == "unknown_activity"


def test_the_programme_changes_until_an_activity_starts(room):
    r = room()
    ack = activity(r, "programme", activities=["challenges", "ideas"])
    assert ack["ok"] and ack["activities"]["programme"] == ["challenges", "ideas"]
    assert activity(r, "open", activity="challenges")["ok"]
    refused = activity(r, "programme", activities=["ideas"])
    assert refused["error"]["code"] == "not_allowed_now"


def test_the_facilitator_edits_the_challenges_before_they_open(room):
    r = room()
    items = [{"id": "ict-basis", "text": "ICT <b>basis</b>"}, {"text": "Een nieuwe uitdaging"}]
    ack = activity(r, "challenges", items=items)
    assert ack["ok"]
    assert [c["text"] for c in ack["activities"]["challenges"]] == ["ICT <b>basis</b>", "Een nieuwe uitdaging"]
    assert ack["activities"]["challenges"][0]["id"] == "ict-basis"
    too_long = activity(r, "challenges", items=[{"text": "x" * 141}])
    assert too_long["error"]["code"] == "bad_challenge"
    assert activity(r, "open", activity="challenges")["ok"]
    assert activity(r, "challenges", items=[])["error"]["code"] == "not_allowed_now"


# Challenges


def test_challenges_hidden_until_revealed_then_ranked_with_shares_and_disciplines(room):
    r = room(disciplines=["Publiek", "ICT"])
    phones = people(r, [("A", "Publiek"), ("B", "Publiek"), ("C", "Publiek"), ("D", "ICT"),
                        ("E", "ICT"), ("F", "ICT"), ("G", None)])
    assert activity(r, "open", activity="challenges")["ok"]
    picks = [["ict-basis"], ["ict-basis", "belangen"], ["belangen"], ["ict-basis", "tijd-ruimte"],
             ["tijd-ruimte"], ["ict-basis"], ["belangen"]]
    for phone, chosen in zip(phones, picks):
        ack = phone.emit("pick", {"picks": chosen})
        assert ack["ok"] and ack["picks"] == chosen
    masked = r.screen.wait("activities", lambda d: d["challenge_result"]["respondents"] == 7)
    assert masked["challenge_result"]["items"] is None and masked["challenge_result"]["by_discipline"] is None
    assert activity(r, "reveal", activity="challenges")["ok"]
    shown = r.screen.wait("activities", lambda d: d["challenge_result"]["items"] is not None)["challenge_result"]
    assert [(i["id"], i["count"]) for i in shown["items"][:2]] == [("ict-basis", 4), ("belangen", 3)]
    assert shown["items"][0]["share"] == round(4 / 7, 3)
    groups = {g["group"]: g for g in shown["by_discipline"]}
    # 'G' has no discipline: alone it would be a group of 1, so 'other' takes in the smallest group.
    assert set(groups) == {"other", "Publiek"} or set(groups) == {"ICT", "other"}
    assert all(g["respondents"] >= 3 for g in groups.values())
    # Phones see the revealed ranking too.
    assert phones[0].wait("activities", lambda d: d["challenge_result"] is not None)["challenge_result"]["items"]


def test_challenge_picks_are_refused_when_wrong_or_not_open(room):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    assert a.emit("pick", {"picks": ["ict-basis"]})["error"]["code"] == "activity_closed"
    assert activity(r, "open", activity="challenges")["ok"]
    assert a.emit("pick", {"picks": ["ict-basis", "belangen", "samenwerking"]})["error"]["code"] == "bad_picks"
    assert b.emit("pick", {"picks": ["nope"]})["error"]["code"] == "bad_picks"
    assert c.emit("pick", {"picks": ["ict-basis", "ict-basis"]})["error"]["code"] == "bad_picks"
    assert c.emit("pick", {"picks": []})["error"]["code"] == "bad_picks"
    visitor = r.phone()
    assert visitor.emit("pick", {"picks": ["ict-basis"]})["error"]["code"] == "not_joined"
    assert activity(r, "close", activity="challenges")["ok"]
    assert a.emit("pick", {"picks": ["ict-basis"]})["error"]["code"] == "activity_closed"


def test_picks_survive_a_restart(room, make_app):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    activity(r, "open", activity="challenges")
    a.emit("pick", {"picks": ["samenwerking"]})
    svc = make_app().extensions["workshop"]
    restarted = svc.live.room(r.code)
    board = svc.live.activities.board(restarted)
    assert list(board.picks.values()) == [("samenwerking",)]
    assert board.state.of("challenges") == "open"


# Ideas


def test_ideas_auto_approved_reach_the_wall_newest_first_anonymously(room):
    r = room()
    phones = people(r, [("A", None), ("B", None), ("C", None)])
    auto_approve(r)
    assert activity(r, "open", activity="ideas")["ok"]
    for n, phone in enumerate(phones):
        ack = phone.emit("idea", {"text": f"Idee <i>{n}</i>", "prompt": "project"})
        assert ack["ok"] and ack["idea"]["status"] == "approved"
    shown = r.screen.wait("activities", lambda d: len(d["wall"]) == 3)
    assert [text for _id, text in shown["wall"]] == ["Idee <i>2</i>", "Idee <i>1</i>", "Idee <i>0</i>"]
    assert "A" not in str(shown["wall"])
    diff = phones[0].wait("wall", lambda d: len(d["upsert"]) >= 1)
    assert diff["upsert"][0][1].startswith("Idee")


def test_every_phone_hears_the_idea_list_sent_in_slices(room, monkeypatch):
    monkeypatch.setattr(broadcaster, "WALL_SLICE", 2)
    r = room()
    phones = people(r, [(name, None) for name in "ABCDE"])
    auto_approve(r)
    assert activity(r, "open", activity="ideas")["ok"]
    idea = phones[0].emit("idea", {"text": "Een podcast over de collectie", "prompt": "project"})["idea"]
    for phone in phones:
        assert phone.wait("wall", lambda d: [idea["id"], "Een podcast over de collectie"] in d["upsert"])


def test_idea_limits_and_refusals(room):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    assert a.emit("idea", {"text": "te vroeg", "prompt": "project"})["error"]["code"] == "activity_closed"
    activity(r, "open", activity="ideas")
    for n in range(3):
        assert a.emit("idea", {"text": f"idee {n}", "prompt": "process"})["ok"]
    assert a.emit("idea", {"text": "nog een", "prompt": "process"})["error"]["code"] == "too_many_ideas"
    # 140 grapheme clusters fit (a letter with a combining accent counts as one: 280 code points), 141 do not.
    assert b.emit("idea", {"text": "e\u0301" * 140, "prompt": "audience"})["ok"]
    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"
    assert b.emit("idea", {"text": family * 20, "prompt": "audience"})["ok"]
    assert b.emit("idea", {"text": "x" * 141, "prompt": "audience"})["error"]["code"] == "bad_idea"
    assert c.emit("idea", {"text": "x", "prompt": "nope"})["error"]["field"] == "prompt"
    assert c.emit("idea", {"text": "   ", "prompt": "project"})["error"]["code"] == "bad_request"


def test_moderation_approve_hide_edit_and_undo(room):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    activity(r, "auto_approve", enabled=False)
    activity(r, "open", activity="ideas")
    idea = a.emit("idea", {"text": "Digitaal progamma", "prompt": "project"})["idea"]
    assert idea["status"] == "pending"
    assert r.screen.last("activities")["wall"] == []
    assert r.facilitator.emit("moderate", {"action": "approve", "idea": idea["id"]})["ok"]
    assert r.screen.wait("activities", lambda d: len(d["wall"]) == 1)
    edit = r.facilitator.emit("moderate", {"action": "edit", "idea": idea["id"], "text": "Digitaal programma"})
    assert r.screen.wait("activities", lambda d: d["wall"] == [[idea["id"], "Digitaal programma"]])
    assert r.facilitator.emit("undo", {"undo": edit["undo"]})["ok"]
    assert r.screen.wait("activities", lambda d: d["wall"] == [[idea["id"], "Digitaal progamma"]])
    hide = r.facilitator.emit("moderate", {"action": "hide", "idea": idea["id"]})
    assert r.screen.wait("activities", lambda d: d["wall"] == [])
    assert a.wait("mine", lambda d: d["ideas"][0]["status"] == "hidden")
    assert r.facilitator.emit("undo", {"undo": hide["undo"]})["ok"]
    assert r.facilitator.emit("undo", {"undo": hide["undo"]})["error"]["code"] == "undo_expired"


def test_approve_all_puts_every_waiting_idea_on_the_wall_and_one_undo_takes_them_off(room):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    activity(r, "auto_approve", enabled=False)
    activity(r, "open", activity="ideas")
    ids = [p.emit("idea", {"text": f"idee {n}", "prompt": "project"})["idea"]["id"] for n, p in enumerate([a, b, c])]
    assert r.facilitator.emit("moderate", {"action": "hide", "idea": ids[2]})["ok"]
    done = r.facilitator.emit("moderate", {"action": "approve_all"})
    assert done["ok"]
    assert r.screen.wait("activities", lambda d: sorted(i for i, _t in d["wall"]) == ids[:2])  # the hidden one stays off
    assert a.wait("mine", lambda d: d["ideas"][0]["status"] == "approved")
    assert r.facilitator.emit("undo", {"undo": done["undo"]})["ok"]
    assert r.screen.wait("activities", lambda d: d["wall"] == [])


def test_undo_expires_after_the_setting(make_app, socketio_factory=None):
    pytest.importorskip("flask_socketio")
    from workshop.core.state import Rejected
    app = make_app(UNDO_SECONDS=10.0)
    live = app.extensions["workshop"].live
    clock = [100.0]
    live.monotonic = lambda: clock[0]
    room, _ = live.create("t")
    a, _ = live.join(room, "A")
    live.activities.command(room, "open", {"activity": "ideas"})
    idea = live.activities.submit(room, a.id, "idee", "project")
    undo = live.activities.moderate(room, "hide", idea.id)
    clock[0] += 10.5
    with pytest.raises(Rejected) as refused:
        live.activities.undo(room, undo)
    assert refused.value.code == "undo_expired"


def test_merge_carries_dots_and_authorship(room):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    auto_approve(r)
    activity(r, "open", activity="ideas")
    one = a.emit("idea", {"text": "Podcast", "prompt": "project"})["idea"]["id"]
    two = b.emit("idea", {"text": "Een podcast", "prompt": "project"})["idea"]["id"]
    activity(r, "open", activity="vote")
    assert c.emit("dots", {"idea": one, "count": 2})["ok"]
    assert c.emit("dots", {"idea": two, "count": 1})["ok"]
    assert a.emit("dots", {"idea": two, "count": 2})["ok"]
    ack = r.facilitator.emit("moderate", {"action": "merge", "idea": two, "target": one})
    assert ack["ok"]
    ideas = {i["id"]: i for i in r.facilitator.wait("activities", lambda d: any(
        i["status"] == "merged" for i in d["ideas"]))["ideas"]}
    assert ideas[two]["merged_into"] == one and ideas[one]["authors"] == 2
    # C had 2 + 1: at most 2 stay on the merged idea, one dot returns; A's 2 move over.
    assert ideas[one]["dots"] == 4
    assert r.screen.wait("activities", lambda d: [i for i, _t in d["wall"]] == [one])


# Dot vote


def test_dot_vote_rules_hidden_until_revealed_and_top_ideas(room):
    r = room(disciplines=["Publiek", "ICT"])
    phones = people(r, [("A", "Publiek"), ("B", "Publiek"), ("C", "Publiek"), ("D", "ICT")])
    auto_approve(r)
    activity(r, "open", activity="ideas")
    ids = [p.emit("idea", {"text": f"idee {n}", "prompt": "project"})["idea"]["id"] for n, p in enumerate(phones)]
    activity(r, "auto_approve", enabled=False)
    hidden = phones[0].emit("idea", {"text": "wacht", "prompt": "project"})["idea"]["id"]
    assert phones[0].emit("dots", {"idea": ids[0], "count": 1})["error"]["code"] == "activity_closed"
    activity(r, "open", activity="vote")
    assert r.facilitator.last("activities")["status"]["ideas"] == "closed"
    a = phones[0]
    assert a.emit("dots", {"idea": ids[0], "count": 3})["error"]["code"] == "too_many_dots"
    assert a.emit("dots", {"idea": ids[0], "count": 2})["ok"]
    assert a.emit("dots", {"idea": ids[1], "count": 2})["error"]["code"] == "too_many_dots"
    assert a.emit("dots", {"idea": hidden, "count": 1})["error"]["code"] == "unknown_idea"
    assert a.emit("dots", {"idea": ids[1], "count": 1})["ok"]
    # Moving: take one off, place it elsewhere.
    assert a.emit("dots", {"idea": ids[0], "count": 1})["dots"] == {str(ids[0]): 1, str(ids[1]): 1}
    assert a.emit("dots", {"idea": ids[2], "count": 1})["ok"]
    for phone in phones[1:]:
        assert phone.emit("dots", {"idea": ids[2], "count": 2})["ok"]
    masked = r.screen.wait("activities", lambda d: d["vote_result"]["voters"] == 4)["vote_result"]
    assert masked["items"] is None
    assert activity(r, "reveal", activity="vote")["ok"]
    shown = r.screen.wait("activities", lambda d: d["vote_result"]["items"] is not None)["vote_result"]
    assert shown["items"][0] == {"id": ids[2], "text": "idee 2", "dots": 7}
    assert phones[3].emit("dots", {"idea": ids[0], "count": 0})["error"]["code"] == "activity_closed"
    # 'ICT' has one voter: alone too small, so no split is shown.
    assert shown["by_discipline"] == []


def test_a_first_step_keeps_the_link_to_its_idea_and_phones_see_it(room):
    r = room()
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    auto_approve(r)
    activity(r, "open", activity="ideas")
    idea = a.emit("idea", {"text": "Online kaartverkoop", "prompt": "audience"})["idea"]["id"]
    ack = r.facilitator.emit("steps", {"items": [{"what": "Online kaartverkoop", "who": "", "due": "",
                                                  "idea": idea}]})
    assert ack["ok"] and ack["items"][0]["idea"] == idea
    bad = r.facilitator.emit("steps", {"items": [{"what": "x", "idea": 9999}]})
    assert bad["error"]["code"] == "unknown_idea"
    assert b.wait("steps", lambda d: d and d[0]["idea"] == idea)[0]["what"] == "Online kaartverkoop"


def test_the_projector_wall_holds_the_newest_ideas_up_to_the_setting(make_app):
    from .conftest import Room
    from .helpers import connect, projector_key
    small = make_app(WALL_SCREEN_MAX=2, IDEAS_LIST_MAX=2)
    client = small.test_client()
    session = client.post("/api/sessions", json={"title": "t"}).get_json()
    sio = small.extensions["socketio"]
    fac = connect(sio, small, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(sio, small, "screen", {"code": session["code"], "key": projector_key(session)})
    r = Room(small, sio, session, fac, screen)
    phones = people(r, [("A", None), ("B", None), ("C", None)])
    auto_approve(r)
    activity(r, "open", activity="ideas")
    ids = [p.emit("idea", {"text": f"idee {n}", "prompt": "project"})["idea"]["id"] for n, p in enumerate(phones)]
    shown = r.screen.wait("activities", lambda d: d["wall_total"] == 3)
    assert [i for i, _t in shown["wall"]] == [ids[2], ids[1]]
    listed = r.facilitator.wait("activities", lambda d: d["ideas_total"] == 3)
    assert [i["id"] for i in listed["ideas"]] == [ids[2], ids[1]]
    # Phones get every idea: they vote on all of them.
    assert len(phones[0].wait("wall", lambda d: len(d["upsert"]) >= 1)["upsert"]) >= 1


def test_activity_requests_are_rate_limited_per_participant(make_app):
    from .conftest import Room
    from .helpers import connect, projector_key
    limited = make_app(RATE_ACTIVITY=(2, 60.0))
    session = limited.test_client().post("/api/sessions", json={"title": "t"}).get_json()
    sio = limited.extensions["socketio"]
    fac = connect(sio, limited, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(sio, limited, "screen", {"code": session["code"], "key": projector_key(session)})
    r = Room(limited, sio, session, fac, screen)
    a, b, c = people(r, [("A", None), ("B", None), ("C", None)])
    activity(r, "open", activity="challenges")
    assert a.emit("pick", {"picks": ["ict-basis"]})["ok"]
    assert a.emit("pick", {"picks": ["belangen"]})["ok"]
    assert a.emit("pick", {"picks": ["belangen"]})["error"]["code"] == "rate_limited"
    assert b.emit("pick", {"picks": ["belangen"]})["ok"]  # per participant: the others are not held up


def test_the_start_page_form_chooses_the_activities(client, app):
    from .helpers import csrf_token
    form = {"title": "Proeftuin", "pacing": "paced", "disciplines": "", "language": "nl",
            "csrf_token": csrf_token(client), "activities_form": "1", "activities": ["challenges"]}
    response = client.post("/sessions", data=form)
    assert response.status_code == 303
    code = response.headers["Location"].split("/s/")[1].split("/")[0]
    live = app.extensions["workshop"].live
    assert live.activities.board(live.room(code)).state.programme == ("challenges",)
    page = client.get("/").get_data(as_text=True)
    assert 'name="activities" value="vote" checked' in page


# Deleting a session


def kept_about(part, code):
    """The names of a sender's per-room memories (dicts and sets keyed by code or (code, part)) that still hold code."""
    return sorted(name for name, value in vars(part).items() if isinstance(value, (dict, set))
                  and any(key == code or isinstance(key, tuple) and code in key for key in value))


def test_a_deleted_session_leaves_nothing_in_the_broadcaster_its_activities_included(room):
    r = room()
    phone, _ = r.join("A")
    r.screen.wait("live", lambda d: d["joined"] == 1)  # the join's flush, a task of its own, has sent its last part
    assert activity(r, "open", activity="ideas")["ok"]
    assert phone.emit("idea", {"text": "Een podcast", "prompt": "project"})["ok"]
    svc = r.app.extensions["workshop"]
    # the broadcaster remembers the room meanwhile: its parts' send times and the activities' views it sent
    assert {"_last", "_cost", "_sent"} <= set(kept_about(svc.broadcaster, r.code))
    assert svc.live.delete(r.code)
    assert kept_about(svc.broadcaster, r.code) == []


# Each audience hears a change only when what it sees changed


def room_on(app):
    """A session on an app of its own with its facilitator and projector connected."""
    from .conftest import Room
    from .helpers import connect, projector_key

    socketio = app.extensions["socketio"]
    session = app.test_client().post("/api/sessions", json={"title": "Proeftuin"}).get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)})
    return Room(app, socketio, session, facilitator, screen)


def heard(inbox, name):
    """How many events of this name a client received so far."""
    return inbox.names().count(name)


def test_a_pending_idea_is_sent_to_the_facilitator_only_and_its_approval_to_everyone(make_app):
    r = room_on(make_app(IDEAS_PHONE_INTERVAL=0.0))  # every send at once: the counts below are complete
    author, _ = r.join("A")
    reader, _ = r.join("B")
    assert activity(r, "auto_approve", enabled=False)["ok"]
    assert activity(r, "open", activity="ideas")["ok"]

    def counts():
        return {"projector": heard(r.screen, "activities"), "facilitator": heard(r.facilitator, "activities"),
                "wall": heard(reader, "wall"), "phone": heard(reader, "activities"), "mine": heard(author, "mine")}

    before = counts()
    idea = author.emit("idea", {"text": "Een podcast", "prompt": "project"})["idea"]
    assert idea["status"] == "pending"
    assert counts() == {**before, "facilitator": before["facilitator"] + 1}  # the projector's wall did not change
    assert r.facilitator.emit("moderate", {"action": "approve", "idea": idea["id"]})["ok"]
    after = counts()
    assert after == {**before, "facilitator": before["facilitator"] + 2, "projector": before["projector"] + 1,
                     "wall": before["wall"] + 1, "mine": before["mine"] + 1}
    assert reader.last("wall") == {"upsert": [[idea["id"], "Een podcast"]], "remove": []}
    assert author.last("mine")["ideas"] == [{"id": idea["id"], "text": "Een podcast", "status": "approved"}]


def test_an_activity_command_that_changes_nothing_sends_nothing(room):
    r = room()
    phone, _ = r.join("A")
    assert activity(r, "open", activity="ideas")["ok"]
    before = (heard(r.screen, "activities"), heard(r.facilitator, "activities"), heard(phone, "activities"))
    assert activity(r, "open", activity="ideas")["ok"]  # open already
    assert activity(r, "auto_approve", enabled=False)["ok"]  # the default (issue 21: moderation on)
    assert (heard(r.screen, "activities"), heard(r.facilitator, "activities"), heard(phone, "activities")) == before


def test_a_new_session_moderates_ideas_and_the_wall_waits_for_approval(room):
    r = room()
    assert r.facilitator.last("snapshot")["activities"]["auto_approve"] is False  # issue 21: moderation on
    (a,) = people(r, [("A", None)])
    assert activity(r, "open", activity="ideas")["ok"]
    idea = a.emit("idea", {"text": "Een grap", "prompt": "project"})["idea"]
    assert idea["status"] == "pending"
    assert r.screen.wait("activities", lambda d: d["status"]["ideas"] == "open")["wall"] == []
    assert r.facilitator.emit("moderate", {"action": "approve", "idea": idea["id"]})["ok"]
    assert r.screen.wait("activities", lambda d: d["wall_total"] == 1)["wall"] == [[idea["id"], "Een grap"]]


def test_phones_and_the_projector_get_each_steps_idea_text_while_it_is_on_the_wall(room):
    r = room()
    a, b = people(r, [("A", None), ("B", None)])
    auto_approve(r)
    activity(r, "open", activity="ideas")
    idea = a.emit("idea", {"text": "Online kaartverkoop", "prompt": "audience"})["idea"]["id"]
    assert r.facilitator.emit("steps", {"items": [{"what": "Kaarten online", "who": "Anna", "due": "mei",
                                                   "idea": idea}, {"what": "Zonder idee"}]})["ok"]
    steps = r.screen.wait("steps", lambda d: len(d) == 2)
    assert steps[0] == {"what": "Kaarten online", "who": "Anna", "due": "mei", "idea": idea,
                        "idea_text": "Online kaartverkoop"}
    assert steps[1]["idea"] is None and steps[1]["idea_text"] is None
    assert b.wait("steps", lambda d: len(d) == 2)[0]["idea_text"] == "Online kaartverkoop"
    assert r.facilitator.wait("steps")["items"][0] == {"what": "Kaarten online", "who": "Anna", "due": "mei",
                                                       "idea": idea}  # the facilitator's form: as stored


def test_ending_the_session_leaves_the_activity_shown_for_the_end_screen(room):
    r = room()
    people(r, [("A", None)])
    assert activity(r, "open", activity="ideas")["ok"]
    assert r.facilitator.last("activities")["current"] == "ideas"
    assert r.command("end")["ok"]
    ended = r.screen.wait("activities", lambda d: d["status"]["ideas"] == "closed")
    assert ended["current"] is None  # the projector shows the end screen, not the closed activity
