"""The rest of the publication in Chromium (issue 12 point 5): the facilitator pages the projector's agreed
phase through tips → tools → an experience from the sector (links as text and scannable QR codes), and each
phone's own result carries the same, folded away by default. axe on the new states."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.adversary.wire import RawSocket

from .helpers import SMALL_PHONE, create_session, decode_qr, questionnaire, shot, show_panel
from .test_accessibility import BLOCKING, axe_check
from .test_agreement_story import picks_for

pytestmark = pytest.mark.browser

Q = questionnaire("nl")


def command(server, session, **fields) -> None:
    """One facilitator command over a raw socket."""
    boss = RawSocket(server.url)
    try:
        assert boss.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", fields)["ok"], fields
    finally:
        boss.close()


def test_the_agreed_phase_pages_through_tips_tools_and_an_experience(server, pages):
    session = create_session(server.url, pacing="self", title="Museum De Waag")
    fac = pages.facilitator(session["facilitator_url"])
    proj = pages.projector(session["projector_url"])
    phone = pages.phone("phone", SMALL_PHONE)
    phone.goto(session["join_url"])
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()
    command(server, session, action="start")
    answers = picks_for(9)  # Ik doe
    others = []
    try:
        for _ in range(3):
            s = RawSocket(server.url)
            assert s.connect("/participant", {"code": session["code"]})["ok"]
            assert s.emit("/participant", "join", {})["ok"]
            for qid, option in answers.items():
                assert s.emit("/participant", "answer", {"question": qid, "option": option, "round": 1})["ok"]
            others.append(s)
    finally:
        for s in others:
            s.close()
    expect(phone.locator(".q-text")).to_have_count(len(Q["questions"]))  # self-paced: every question at once
    for question in Q["questions"]:
        option = phone.locator(f"input[name='q-{question['id']}'][value='{answers[question['id']]}']")
        phone.locator("label.option").filter(has=option).tap()
        expect(phone.locator(f"label.option:has(input[name='q-{question['id']}']) .option-tick:not(.option-tick--sending)")).to_have_count(1)
    command(server, session, action="results")
    for qid, option in answers.items():
        command(server, session, action="agree", question=qid, option=option)
    phase = next(p for p in Q["phases"] if p["id"] == "ik-doe")
    pub = phase["publication"]

    # tips (with the 'Klinkt dit bekend?' invitation), then tools, then the experience: the facilitator's choice
    show_panel(fac, "projector")
    fac.locator(".view-btn[data-view='consensus']").click()
    expect(proj.locator(".sc-consensus .sc-phase-name")).to_have_text(phase["name"])
    expect(proj.locator(".pub-invitation")).to_have_text(pub["invitation"])
    expect(proj.locator(".sc-pub-pages li.is-current")).to_have_text("▶ Tips")
    fac.locator(".view-btn[data-view='consensus_tools']").click()
    expect(proj.locator(".sc-pub-pages li.is-current")).to_have_text("▶ Tools")
    tools = proj.locator(".pub-tool")
    expect(tools).to_have_count(len(pub["tools"]))
    for item, tool in zip(tools.all(), pub["tools"]):
        expect(item.locator(".pub-tool-name")).to_have_text(tool["name"])
        expect(item.locator(".pub-tool-purpose")).to_have_text(tool["purpose"])
        expect(item.locator(".pub-link")).to_have_text(tool["url"])
    proj.wait_for_function("() => [...document.querySelectorAll('.pub-qr')].every(i => i.complete && i.naturalWidth > 0)")
    scanned = set()
    for i in range(proj.locator(".pub-qr").count()):
        scanned.update(decode_qr(proj.locator(".pub-qr").nth(i).screenshot()))
    assert scanned == {tool["url"] for tool in pub["tools"]}
    shot(proj, "nl-projector-consensus-tools")
    report: dict = {}
    violations = axe_check(proj, "projector: agreed phase, tools", report)
    assert not [v for v in violations if v["impact"] in BLOCKING or v["id"] == "color-contrast"], report
    fac.locator(".view-btn[data-view='consensus_sector']").click()
    expect(proj.locator(".sc-pub-pages li.is-current")).to_have_text("▶ Ervaring")
    expect(proj.locator(".pub-experience blockquote")).to_have_text(pub["experience"]["quote"])
    expect(proj.locator(".pub-experience figcaption")).to_have_text("Iris, Concordia")
    expect(proj.locator(".pub-experience .pub-link")).to_have_text(pub["experience"]["url"])
    shot(proj, "nl-projector-consensus-sector")

    # the phone: its own phase's publication, folded away until tapped
    own = phone.locator("details.pub")
    expect(own).to_be_visible()
    expect(own).not_to_have_attribute("open", "")
    expect(own.locator(".pub-tools")).to_be_hidden()
    own.locator("summary").tap()
    expect(own.locator(".pub-tool")).to_have_count(len(pub["tools"]))
    expect(own.locator(".pub-experience blockquote")).to_have_text(pub["experience"]["quote"])
    # every link also as a QR code (the server draws it), loaded once it scrolls into view
    qrs = own.locator("img.pub-qr")
    expect(qrs).to_have_count(len(pub["tools"]) + 1)
    for img in qrs.all():
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") > 0
    shot(phone, "nl-phone-320-result-publication", full_page=True)
    violations = axe_check(phone, "phone: result with the publication open", report)
    assert not [v for v in violations if v["impact"] in BLOCKING or v["id"] == "color-contrast"], report
    assert not pages.page_errors()


def test_only_the_questionnaires_links_can_be_drawn_as_qr(server):
    import requests

    ok = requests.get(server.url + "/publication/ik-zie/tool-0.svg", timeout=5)
    assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("image/svg+xml")
    for bad in ("/publication/ik-zie/tool-9.svg", "/publication/nope/experience.svg", "/publication/ik-zie/x.svg"):
        assert requests.get(server.url + bad, timeout=5).status_code == 404
