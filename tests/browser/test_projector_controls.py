"""The projector's controls as a facilitator uses them: the timer (projector, phone, facilitator page), the join
QR mid-session and in the footer, the pause screen, hidden results, names, full screen and the idle pointer."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.server import ServerProcess

from .conftest import SERVER_MODULE
from .helpers import SMALL_PHONE, decode_qr, shot, show_panel
from .projector_room import FilledRoom, Q
from .test_accessibility import axe_check

pytestmark = pytest.mark.browser

NAMES_MAX = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    """A real server whose shortest timer is 3 s and whose projector shows names up to 3 participants."""
    process = ServerProcess(tmp_path_factory.mktemp("controls") / "data", module=SERVER_MODULE, env={
        "WORKSHOP_TIMER_SECONDS": "3,30,60,120,300", "WORKSHOP_SCREEN_NAMES_MAX": str(NAMES_MAX)}).start()
    yield process
    process.stop()


@pytest.fixture
def axe_report():
    """Axe results of one test (printed; the accessibility module writes the shared report)."""
    return {}


def open_room(server, pages, size: int = 4, **fields):
    """A filled session with the facilitator page and the projector open; the facilitator page has connected."""
    room = FilledRoom(server.url, size=size, **fields)
    fac = pages.facilitator(room.session["facilitator_url"])
    projector = pages.projector(room.session["projector_url"])
    expect(projector.locator("#v-lobby")).to_be_visible()
    expect(fac.locator("#stage-badge")).to_have_class(re.compile("badge--lobby"))
    return room, fac, projector


def press(fac, key: str) -> None:
    """Press a shortcut on the facilitator page with the focus on the page itself."""
    fac.locator("body").evaluate("() => document.activeElement && document.activeElement.blur()")
    fac.keyboard.press(key)


def test_the_timer_counts_down_everywhere_and_closes_the_question_at_zero(server, pages, axe_report):
    room, fac, projector = open_room(server, pages)
    try:
        phone = pages.phone("phone", SMALL_PHONE)
        phone.goto(room.session["join_url"])
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        fac.locator("[data-action='start']").click()
        expect(phone.locator("#v-question")).to_be_visible()

        # 1 minute by the shortcut T, then T again adds 30 s; the projector, the phone and the page count down.
        show_panel(fac, "projector")
        fac.locator("#pc-seconds").select_option("60")
        press(fac, "t")
        expect(projector.locator("#sc-timer")).to_be_visible()
        expect(projector.locator("#sc-timer [data-timer-text]")).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
        expect(phone.locator(".phone-timer")).to_be_visible()
        expect(phone.locator(".phone-timer [data-timer-text]")).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
        expect(fac.locator(".pc-timer-status [data-timer-text]")).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
        press(fac, "t")
        expect(projector.locator("#sc-timer [data-timer-text]")).to_have_text(re.compile(r"^(1:30|1:2\d)$"))
        shot(projector, "projector-timer")
        shot(phone, "phone-timer")
        found = axe_check(projector, "projector: timer", axe_report) + axe_check(fac, "facilitator: timer", axe_report)
        assert not [(v["id"], v["impact"]) for v in found], "axe violations"
        fac.locator("#pc-timer-stop").click()
        expect(projector.locator("#sc-timer")).to_be_hidden()
        expect(phone.locator(".phone-timer")).to_be_hidden()

        # 3 s with "close at zero": the server closes the question; the phone says so, the projector too.
        fac.locator("#pc-seconds").select_option("3")
        fac.locator("#pc-timer-start").click()
        expect(projector.locator("#sc-timer")).to_be_visible()
        expect(phone.locator("#v-wait")).to_be_visible()  # "look at the screen": the question closed
        expect(projector.locator("#sc-timer")).to_be_hidden()
        first = Q["questions"][0]["id"]
        expect(fac.locator(f"article.qcard[data-key='{first}']")).to_have_class(re.compile("qcard--closed"))

        # 3 s with "reveal at zero" on the next question: the projector shows its spread by itself.
        fac.locator("[data-action='next']").click()
        expect(phone.locator("#v-question")).to_be_visible()
        fac.locator("#pc-reveal").check()
        fac.locator("#pc-timer-start").click()
        expect(projector.locator(".sc-reveal")).to_be_visible()
    finally:
        room.close()


def test_the_join_qr_comes_back_mid_session_and_sits_in_the_footer_while_joining_is_open(server, pages, axe_report):
    room, fac, projector = open_room(server, pages)
    try:
        room.command("start")
        expect(projector.locator(".sc-ask")).to_be_visible()
        footer_qr = projector.locator("#footer-qr")
        expect(footer_qr).to_be_visible()
        join_url = room.session["join_url"]
        assert join_url in decode_qr(footer_qr.screenshot())

        press(fac, "j")
        expect(projector.locator("body")).to_have_attribute("data-screen", "join")
        expect(projector.locator("#v-lobby .sc-code")).to_be_visible()
        expect(footer_qr).to_be_hidden()
        assert join_url in decode_qr(shot(projector, "projector-join"))
        found = axe_check(projector, "projector: join", axe_report) + axe_check(fac, "facilitator: join", axe_report)
        assert not [(v["id"], v["impact"]) for v in found], "axe violations"
        expect(fac.locator("#pc-join")).to_have_attribute("aria-pressed", "true")
        press(fac, "j")
        expect(projector.locator(".sc-ask")).to_be_visible()

        room.command("lock")  # joining closed: no footer QR
        expect(footer_qr).to_be_hidden()
        room.command("unlock")
        expect(footer_qr).to_be_visible()
        room.command("end")  # an ended session takes no phones either (the server's `joinable`)
        expect(projector.locator("body")).to_have_attribute("data-screen", "ended")
        expect(footer_qr).to_be_hidden()
        room.command("reopen")
        expect(projector.locator("body")).to_have_attribute("data-screen", "results")
        expect(footer_qr).to_be_visible()
    finally:
        room.close()


def test_pause_screen_and_hidden_results(server, pages, axe_report):
    room, fac, projector = open_room(server, pages)
    try:
        first = Q["questions"][0]
        room.command("start")
        room.answer_all(first)
        room.command("reveal", question=first["id"])
        expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(first["options"]))

        press(fac, "b")
        expect(projector.locator("body")).to_have_attribute("data-screen", "blank")
        expect(projector.get_by_text(first["text"])).to_have_count(0)
        expect(projector.locator(".sc-footer")).to_be_hidden()
        found = axe_check(projector, "projector: pause", axe_report)
        press(fac, "b")
        expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(first["options"]))

        show_panel(fac, "projector")
        fac.locator("#pc-hide").click()
        expect(projector.locator("body")).to_have_attribute("data-screen", "hidden")  # the notice, as the console says
        expect(fac.locator("#on-screen")).to_have_attribute("data-shows", "results_hidden")
        expect(projector.locator(".sc-reveal")).to_have_count(0)
        expect(projector.locator(".sc-bar")).to_have_count(0)
        found += axe_check(projector, "projector: results hidden", axe_report)
        press(fac, "g")  # the group results view: hidden too
        expect(projector.locator("body")).to_have_attribute("data-screen", "hidden")
        found += axe_check(fac, "facilitator: results hidden", axe_report)
        press(fac, "h")
        expect(projector.locator("body")).to_have_attribute("data-screen", "results")
        press(fac, "g")
        expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(first["options"]))
        assert not [(v["id"], v["impact"]) for v in found], "axe violations"

        press(fac, "a")  # a new round of the question in focus
        expect(projector.locator(".sc-ask .sc-badge")).to_contain_text("2")
    finally:
        room.close()


def test_names_on_the_projector_follow_the_setting_and_a_single_name_can_be_hidden(server, pages):
    room, fac, projector = open_room(server, pages, size=2)
    try:
        names = projector.locator("#lobby-names li")
        expect(names).to_have_text(["Deelnemer 2", "Deelnemer 1"])
        show_panel(fac, "projector")
        fac.locator("#pc-names-list").get_by_role("button", name=re.compile("Deelnemer 1")).click()
        expect(names).to_have_text(["Deelnemer 2"])
        expect(fac.locator("#pc-names-list li.is-hidden")).to_have_count(1)

        room.join_more(2)  # 4 people: above SCREEN_NAMES_MAX, so no names in "auto"
        expect(projector.locator("#lobby-count-n")).to_have_text("4")
        expect(names).to_have_count(0)
        fac.locator("[data-names=on]").click()
        expect(names).to_have_text(["Deelnemer 4", "Deelnemer 3", "Deelnemer 2"])
        fac.locator("[data-names=off]").click()
        expect(names).to_have_count(0)
    finally:
        room.close()


def test_the_projector_goes_full_screen_and_hides_an_idle_pointer(server, pages):
    room, _fac, projector = open_room(server, pages, size=1)
    try:
        button = projector.locator("#btn-fullscreen")
        expect(button).to_be_visible()
        button.click()
        projector.wait_for_function("() => document.fullscreenElement !== null")
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).not_to_have_text("Volledig scherm")
        projector.mouse.move(200, 200)
        expect(projector.locator("body")).not_to_have_class(re.compile("is-idle"))
        expect(projector.locator("body")).to_have_class(re.compile("is-idle"), timeout=8000)
        assert projector.evaluate("() => getComputedStyle(document.body).cursor") == "none"
        projector.mouse.move(300, 300)
        expect(projector.locator("body")).not_to_have_class(re.compile("is-idle"))
        button.click()
        projector.wait_for_function("() => document.fullscreenElement === null")
    finally:
        room.close()
