"""Follow-up sessions: the link to the earlier session, its proof, carried-over steps and the then-and-now view."""
from __future__ import annotations

import re

import pytest

from .followup_helpers import run_session, summary
from .helpers import connect, csrf_token

STEPS = [{"what": "Digitale strategie op papier", "who": "Anna de Vries", "due": "juni"},
         {"what": "Collectie online", "who": "", "due": ""}]


@pytest.fixture
def earlier(app, socketio, client):
    """A finished session of Museum De Waag with two agreed first steps."""
    return run_session(app, socketio, client, title="Jaarplan 2024", organisation="Museum De Waag",
                       levels=[0, 1, 1], steps=STEPS, agree={"begrippen": "zelden"})


def test_a_follow_up_records_the_link_takes_the_label_over_and_carries_the_steps(app, client, earlier):
    reply = client.post("/api/sessions", json={"title": "Jaarplan 2025", "follows": earlier["code"],
                                               "follows_token": earlier["facilitator_token"]})
    assert reply.status_code == 201, reply.get_json()
    later = reply.get_json()
    assert later["organisation"] == "Museum De Waag" and later["follows"] == earlier["code"]
    data = summary(client, later)
    assert data["session"]["organisation"] == "Museum De Waag"
    assert data["session"]["follows"] == earlier["code"]
    assert [(s["what"], s["carried"], s["status"]) for s in data["steps"]] == [
        ("Digitale strategie op papier", True, None), ("Collectie online", True, None)]
    # The earlier session's own summary has its steps without the follow-up fields.
    assert all("carried" not in s and "status" not in s for s in summary(client, earlier)["steps"])


def test_a_given_organisation_label_is_cleaned_and_limited(client, app):
    reply = client.post("/api/sessions", json={"title": "T", "organisation": "  Museum\u202e  De\tWaag "})
    assert reply.get_json()["organisation"] == "Museum De Waag"
    too_long = "x" * (app.extensions["workshop"].config.organisation_max + 1)
    reply = client.post("/api/sessions", json={"title": "T", "organisation": too_long})
    assert reply.status_code == 400 and reply.get_json()["error"]["field"] == "organisation"


@pytest.mark.parametrize("token", [None, "", "wrong-token", 12])
def test_a_follow_up_without_the_earlier_facilitator_secret_is_refused(client, earlier, token):
    body = {"title": "Overname", "follows": earlier["code"]}
    if token is not None:
        body["follows_token"] = token
    reply = client.post("/api/sessions", json=body)
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "not_facilitator_of_all"


def test_an_unknown_code_is_refused_like_a_wrong_token(client, earlier):
    wrong = client.post("/api/sessions", json={"title": "X", "follows": earlier["code"], "follows_token": "nope"})
    unknown = client.post("/api/sessions", json={"title": "X", "follows": "ZZZZZZ", "follows_token": "nope"})
    assert (wrong.status_code, wrong.get_json()) == (unknown.status_code, unknown.get_json())


def form_create(client, **fields):
    """Post the start page's form as a browser would."""
    return client.post("/sessions", data={"title": "Vervolg", "pacing": "paced", "disciplines": "",
                                          "language": "nl", "csrf_token": csrf_token(client), **fields})


def test_the_start_form_follows_one_of_this_browsers_sessions(app, client):
    first = form_create(client, title="Eerste", organisation="Theater Bouwkunde")
    assert first.status_code == 303
    code = re.search(r"/s/([A-Z0-9]+)/manage", first.headers["Location"]).group(1)
    page = client.get("/").get_data(as_text=True)
    assert f'<option value="{code}">' in page  # offered under "follow-up of an earlier session"
    second = form_create(client, follows=code)
    assert second.status_code == 303
    new_code = re.search(r"/s/([A-Z0-9]+)/manage", second.headers["Location"]).group(1)
    room = app.extensions["workshop"].live.room(new_code)
    assert (room.follows, room.organisation) == (code, "Theater Bouwkunde")


def test_the_start_form_refuses_a_session_this_browser_does_not_facilitate(app, client, earlier):
    other = app.test_client()  # another browser: no cookie for the earlier session
    reply = form_create(other, follows=earlier["code"])
    assert reply.status_code == 400
    assert 'id="f-follows-error"' in reply.get_data(as_text=True)
    assert app.extensions["workshop"].live.sessions() and all(
        s["follows"] is None for s in app.extensions["workshop"].live.sessions())


def test_the_start_form_accepts_the_pasted_facilitator_link(app, client, earlier):
    other = app.test_client()
    reply = form_create(other, follows_link=earlier["facilitator_url"])
    assert reply.status_code == 303
    new_code = re.search(r"/s/([A-Z0-9]+)/manage", reply.headers["Location"]).group(1)
    assert app.extensions["workshop"].live.room(new_code).follows == earlier["code"]
    forged = earlier["facilitator_url"].split("t=")[0] + "t=forged"
    assert form_create(app.test_client(), follows_link=forged).status_code == 400


def test_then_and_now_on_the_projector_and_what_became_of_the_steps(app, socketio, client, earlier):
    later = run_session(app, socketio, client, title="Jaarplan 2025", follows=earlier, levels=[2, 2, 3, 3])
    screen = connect(socketio, app, "screen", {"code": later["code"], "key": later["screen_key"]})
    facilitator = later["facilitator"]
    assert facilitator.emit("command", {"action": "view", "view": "followup"})["ok"]
    view = screen.wait("followup", lambda d: d is not None)
    assert view["organisation"] == "Museum De Waag"
    then, now = view["then"], view["now"]
    earlier_summary, later_summary = summary(client, earlier), summary(client, later)
    assert then["group_phase"] == earlier_summary["results"]["group_phase"]
    assert now["group_phase"] == later_summary["results"]["group_phase"]
    assert then["consensus_phase"] == earlier_summary["results"]["consensus_phase"]
    for q in later_summary["questions"]:
        assert now["questions"][q["id"]]["stats"]["counts"] == q["rounds"][-1]["stats"]["counts"]
    assert then["questions"]["begrippen"]["stats"]["counts"] == [1, 2, 0, 0]
    assert then["questions"]["begrippen"]["agreed"] == "zelden"
    # The projector gets the steps' texts, never who took them on.
    assert [set(s) for s in view["steps"]] == [{"position", "what", "due", "status"}] * 2
    assert "Anna de Vries" not in str(view)

    ack = facilitator.emit("step_status", {"position": 0, "status": "partly"})
    assert ack["ok"] and ack["steps"][0]["status"] == "partly"
    changed = screen.wait("followup", lambda d: d and d["steps"][0]["status"] == "partly")
    assert changed["steps"][1]["status"] is None
    assert facilitator.wait("followup", lambda d: d and d["steps"][0]["who"] == "Anna de Vries")
    # Undo, and the record in the new session's summary.
    assert facilitator.emit("step_status", {"position": 0, "status": None})["ok"]
    assert facilitator.emit("step_status", {"position": 1, "status": "done"})["ok"]
    assert [s["status"] for s in summary(client, later)["steps"]] == [None, "done"]


@pytest.mark.parametrize("data", [{"position": 5, "status": "done"}, {"position": 0, "status": "finished"},
                                  {"position": "0", "status": "done"}, {"position": True, "status": "done"}])
def test_a_bad_step_status_is_refused(app, socketio, client, earlier, data):
    later = run_session(app, socketio, client, title="Vervolg", follows=earlier, levels=[1])
    ack = later["facilitator"].emit("step_status", data)
    assert ack["ok"] is False and ack["error"]["code"] == "bad_request"


def test_the_followup_view_needs_results_and_a_followed_session(app, socketio, client, earlier):
    alone = run_session(app, socketio, client, title="Los", levels=[1])
    ack = alone["facilitator"].emit("command", {"action": "view", "view": "followup"})
    assert ack["ok"] is False and ack["error"]["code"] == "not_allowed_now"
    reply = client.post("/api/sessions", json={"title": "Vervolg", "follows": earlier["code"],
                                               "follows_token": earlier["facilitator_token"]}).get_json()
    fac = connect(socketio, app, "facilitator", {"code": reply["code"], "token": reply["facilitator_token"]})
    assert fac.emit("command", {"action": "start"})["ok"]
    ack = fac.emit("command", {"action": "view", "view": "followup"})  # still running: not after results yet
    assert ack["ok"] is False and ack["error"]["code"] == "not_allowed_now"


def test_the_projector_sees_nothing_of_a_running_earlier_session_that_its_own_screen_would_not(
        app, socketio, client):
    running = client.post("/api/sessions", json={"title": "Nog bezig"}).get_json()
    fac = connect(socketio, app, "facilitator", {"code": running["code"], "token": running["facilitator_token"]})
    assert fac.emit("command", {"action": "start"})["ok"]
    phone = connect(socketio, app, "participant", {"code": running["code"]})
    assert phone.emit("join", {})["ok"]
    assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})["ok"]
    later = run_session(app, socketio, client, title="Vervolg", follows=running, levels=[1])
    screen = connect(socketio, app, "screen", {"code": later["code"], "key": later["screen_key"]})
    assert later["facilitator"].emit("command", {"action": "view", "view": "followup"})["ok"]
    view = screen.wait("followup", lambda d: d is not None)
    assert view["then"]["questions"]["begrippen"]["stats"] is None  # not revealed in the earlier session
    assert view["then"]["group_phase"] is None


def test_the_reports_of_a_follow_up_say_what_became_of_the_carried_steps(app, socketio, client, earlier):
    later = run_session(app, socketio, client, title="Jaarplan 2025", follows=earlier, levels=[2])
    assert later["facilitator"].emit("step_status", {"position": 0, "status": "not_yet"})["ok"]
    browser = app.test_client()
    assert browser.get(f"/s/{later['code']}/manage?t={later['facilitator_token']}").status_code == 303
    html = browser.get(f"/s/{later['code']}/export.html").get_data(as_text=True)
    assert "van de vorige keer: nog niet" in html and "van de vorige keer: nog niet besproken" in html
    from io import BytesIO

    from openpyxl import load_workbook
    workbook = load_workbook(BytesIO(browser.get(f"/s/{later['code']}/export.xlsx").data))
    texts = [c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "van de vorige keer: nog niet" in texts
