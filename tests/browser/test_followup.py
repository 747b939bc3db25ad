"""A follow-up a year later in Chromium: then and now on the projector, what became of the steps, the comparison."""
from __future__ import annotations

import re

import pytest
import requests
import socketio
from playwright.sync_api import expect

from workshop.exports.labels import translations

from .helpers import create_session, questionnaire, shot, show_panel
from .test_accessibility import axe_check, axe_report  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
PHASES = {p["id"]: p["name"] for p in Q["phases"]}
STEPS = [{"what": "Digitale strategie op papier", "who": "Directie", "due": "juni"},
         {"what": "Collectie online zetten", "who": "", "due": "eind 2025"}]


def client(url: str, namespace: str, auth: dict) -> socketio.Client:
    """A python-socketio client connected to one namespace."""
    sio = socketio.Client(reconnection=False)
    sio.connect(url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=10)
    return sio


def run(url: str, session: dict, picks: list[list[int]], *, agree: list[int] | None = None,
        steps: list[dict] | None = None) -> None:
    """Phones answer (option index per question), then the facilitator shows the results, agrees and notes steps."""
    fac = client(url, "/facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    assert fac.call("command", {"action": "start"}, namespace="/facilitator", timeout=10)["ok"]
    phones = []
    for person in picks:
        phone = client(url, "/participant", {"code": session["code"]})
        assert phone.call("join", {}, namespace="/participant", timeout=10)["ok"]
        for question, index in zip(Q["questions"], person):
            ack = phone.call("answer", {"question": question["id"], "option": question["options"][index]["id"],
                                        "round": 1}, namespace="/participant", timeout=10)
            assert ack["ok"], ack
        phones.append(phone)
    assert fac.call("command", {"action": "results"}, namespace="/facilitator", timeout=10)["ok"]
    for question, index in zip(Q["questions"], agree or []):
        assert fac.call("command", {"action": "agree", "question": question["id"],
                                    "option": question["options"][index]["id"]}, namespace="/facilitator", timeout=10)["ok"]
    if steps:
        assert fac.call("steps", {"items": steps}, namespace="/facilitator", timeout=10)["ok"]
    for sio in (fac, *phones):
        sio.disconnect()


def summary(url: str, session: dict) -> dict:
    """A session's summary through the API."""
    reply = requests.get(f"{url}/api/sessions/{session['code']}/summary", timeout=10,
                         headers={"Authorization": f"Bearer {session['facilitator_token']}"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_then_and_now_on_the_projector_with_what_became_of_the_steps(server, pages, axe_report):
    earlier = create_session(server.url, title="Jaarplan 2024", organisation="Museum De Waag", pacing="self")
    run(server.url, earlier, [[0, 0, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1]], agree=[1, 0, 1, 0], steps=STEPS)
    later = create_session(server.url, title="Jaarplan 2025", pacing="self", follows=earlier["code"],
                           follows_token=earlier["facilitator_token"])
    run(server.url, later, [[2, 1, 2, 1], [3, 1, 2, 2], [2, 1, 3, 2], [3, 1, 3, 2]])
    then, now = summary(server.url, earlier), summary(server.url, later)

    fac = pages.facilitator(later["facilitator_url"])
    proj = pages.projector(later["projector_url"])
    expect(proj.locator("body[data-screen='results']")).to_be_attached()
    show_panel(fac, "projector")
    fac.locator(".view-btn[data-view='followup']").click()

    view = proj.locator(".fu-view")
    expect(view).to_be_visible()
    expect(view.locator("h1")).to_have_text("Toen en nu · Museum De Waag")
    expect(view.locator(".fu-then .fu-phase")).to_have_text(PHASES[then["results"]["consensus_phase"]])
    expect(view.locator(".fu-now .fu-phase")).to_have_text(PHASES[now["results"]["group_phase"]])
    people = translations("nl").ngettext("{n} person answered every question", "{n} people answered every question", 4)
    expect(view.locator(".fu-now .fu-complete")).to_have_text(people.format(n=4))
    expect(view.locator(".fu-then .fu-complete")).to_have_text(people.format(n=3))
    blocks = view.locator(".fu-q")  # issue 21: every question, each answer labelled, then and now side by side
    expect(blocks).to_have_count(len(Q["questions"]))
    for block, q, old, new in zip(blocks.all(), Q["questions"], then["questions"], now["questions"]):
        expect(block.locator(".fu-q-title")).to_have_text(f"{q['index'] + 1}. {q['short']}")
        expect(block.locator("tbody th")).to_have_text([o["label"] for o in q["options"]])
        for column, data in ((1, old), (2, new)):
            stats = data["rounds"][-1]["stats"]
            cells = block.locator(f"tbody tr td:nth-of-type({column})")
            expect(cells.locator(".fu-n")).to_have_text([str(n) for n in stats["counts"]])
            # the median in words, apart from the count, and only where a median means something
            marked = [i for i in range(len(q["options"])) if q["median"] and stats["median_rank"] == i]
            expect(cells.locator(".fu-median")).to_have_count(len(marked))
            for i in marked:
                expect(cells.nth(i).locator(".fu-median")).to_have_text("mediaan")
    expect(view.locator(".fu-legend-text")).to_contain_text("mediaan")
    steps = view.locator(".fu-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0).locator(".fu-what")).to_have_text(STEPS[0]["what"])
    expect(view).not_to_contain_text("Directie")  # who took a step on stays on the facilitator's page
    expect(steps.nth(0)).to_have_class(re.compile("fu-step--none"))

    show_panel(fac, "activities")
    choice = fac.locator("#followup fieldset[data-position='0']")
    expect(choice.locator("legend")).to_contain_text("Directie")
    choice.locator("label.segment").filter(has=fac.locator("input[value='done']")).click()
    expect(steps.nth(0)).to_have_class(re.compile("fu-step--done"))
    expect(steps.nth(0).locator(".fu-status")).to_contain_text("gedaan")
    fac.locator("#followup fieldset[data-position='1'] label.segment").filter(
        has=fac.locator("input[value='partly']")).click()
    expect(steps.nth(1)).to_have_class(re.compile("fu-step--partly"))
    shot(proj, "nl-projector-followup")
    assert not axe_check(proj, "projector: then and now", axe_report)
    assert not axe_check(fac, "facilitator: then and now", axe_report)

    choice.get_by_role("button").click()  # undo: back to not discussed
    expect(steps.nth(0)).to_have_class(re.compile("fu-step--none"))
    assert [s.get("status") for s in summary(server.url, later)["steps"]] == [None, "partly"]

    compare_url = fac.locator("#followup a").get_attribute("href")
    fac.locator("#followup a").click()  # this browser does not facilitate the earlier session (made through the API)
    expect(fac.locator("h1")).to_have_text("Alleen wie elke sessie begeleidt, kan ze vergelijken")
    expect(fac.locator("main")).not_to_contain_text("Jaarplan 2024")
    fac.goto(earlier["facilitator_url"])  # signs this browser in for the earlier session too
    fac.goto(server.url + compare_url)
    expect(fac.locator("h1")).to_have_text("Digitaal DNA-vergelijking")
    header = fac.locator("table").first.locator("tbody tr").first
    expect(header).to_contain_text("Jaarplan 2024")
    expect(header).to_contain_text("Jaarplan 2025")
    assert not axe_check(fac, "comparison page", axe_report)
    shot(fac, "nl-comparison")
    fac.goto(server.url + "/")  # the start page offers both sessions to follow up and to compare
    expect(fac.locator("#f-follows-code option")).to_have_count(3)
    expect(fac.locator(".compare-pick input[name='c']")).to_have_count(2)
    assert not axe_check(fac, "start page: follow-up and compare", axe_report)
    for box in fac.locator(".compare-pick input[name='c']").all():
        box.check()
    fac.locator(".compare-pick input[value='organisation']").check()
    fac.locator(".compare-pick button[type='submit']").click()
    expect(fac.locator("header")).to_contain_text("Eén kolom per organisatie")
    heads = fac.locator("table").first.locator("thead th")
    expect(heads).to_have_count(2)  # the item column and one organisation
    expect(heads.nth(1)).to_have_text("Museum De Waag")
    expect(fac.locator("table").first.locator("tbody tr").first).to_contain_text("Jaarplan 2025")
