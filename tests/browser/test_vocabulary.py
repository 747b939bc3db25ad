"""One vocabulary on the pages (issue 12 point 4): every visible text of every page and state, rendered in
Dutch in Chromium, is a translation from the Dutch catalog, user data (questionnaire, title, names) or a
number. A hard-coded word, an English word or one from a second dictionary fails the test."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.adversary.wire import RawSocket
from tests.support.vocabulary import Vocabulary, strings_in

from .helpers import SMALL_PHONE, create_session, everyone_answered, questionnaire
from .test_agreement_story import SPLIT_TOTALS, picks_for

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
NAMES = ["Anna", "Bram", "Cas", "Dewi", "Eva", "Floor", "Gijs"]

VISIBLE_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    // a textarea's content is a value people edit (e.g. the seeds' disciplines), not a word of the page
    if (!node.textContent.trim() || !parent || parent.closest('script, style, template, textarea')) continue;
    if (parent.checkVisibility && !parent.checkVisibility()) continue;
    out.push(node.textContent);
  }
  document.querySelectorAll('[aria-label], [placeholder], [alt], [title]').forEach(el => {
    if (el.checkVisibility && !el.checkVisibility()) return;
    ['aria-label', 'placeholder', 'alt', 'title'].forEach(a => { if (el.getAttribute(a)) out.push(el.getAttribute(a)); });
  });
  if (document.title) out.push(document.title);
  return out;
}"""

PAGE_DATA = """() => {
  const node = document.getElementById('page-data');
  if (!node) return {};
  const data = JSON.parse(node.textContent);
  delete data.strings;  // the catalog's words themselves: not data
  return data;
}"""


class Checker:
    """Collects the unknown texts of each page state."""

    def __init__(self):
        self.found: dict[str, list[str]] = {}
        self.states = 0

    def check(self, page, state: str, extra=()) -> None:
        """Check every visible text of a page in its current state."""
        # + the language toggle, which names the other language in that language (its endonym, on purpose)
        data = strings_in(page.evaluate(PAGE_DATA)) + NAMES + list(extra) + ["English", "Nederlands"]
        words = Vocabulary("nl", data)
        texts = page.evaluate(VISIBLE_TEXTS)
        assert texts, state
        self.states += 1
        unknown = words.unknown(texts)
        if unknown:
            self.found[state] = unknown


def facilitator_command(server, session, **command) -> None:
    """Send one facilitator command over a raw socket."""
    boss = RawSocket(server.url)
    try:
        assert boss.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", command)["ok"], command
    finally:
        boss.close()


def test_every_visible_text_on_every_page_is_a_catalog_word_or_data(server, pages):
    c = Checker()
    start = pages.facilitator()
    start.goto(server.url + "/")
    c.check(start, "start page")
    session = create_session(server.url, title="Museum De Waag", pacing="paced",
                             disciplines=["Directie", "Publiek"])
    extra = ["Museum De Waag", "Directie", "Publiek", session["code"]]
    fac = pages.facilitator(session["facilitator_url"])
    proj = pages.projector(session["projector_url"])
    phone = pages.phone("phone", SMALL_PHONE)
    phone.goto(session["join_url"])
    expect(phone.locator("#join-submit")).to_be_visible()
    c.check(phone, "phone: join", extra)
    expect(proj.locator("#lobby-title")).to_be_visible()
    c.check(proj, "projector: lobby", extra)
    c.check(fac, "facilitator: lobby", extra)
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()
    c.check(phone, "phone: waiting", extra)

    # seven more people over raw sockets, so the results are a split room (SPLIT_TOTALS)
    others = []
    for name in NAMES:
        s = RawSocket(server.url)
        assert s.connect("/participant", {"code": session["code"]})["ok"]
        assert s.emit("/participant", "join", {"nickname": name, "discipline": "Directie"})["ok"]
        others.append(s)
    try:
        fac.locator("[data-action='start']").click()
        for index, question in enumerate(Q["questions"]):
            expect(phone.locator("#v-question .q-text")).to_have_text(question["text"])
            if index == 0:
                c.check(phone, "phone: question", extra)
                c.check(proj, "projector: question", extra)
                c.check(fac, "facilitator: running", extra)
            option = picks_for(SPLIT_TOTALS[0])[question["id"]]
            phone.locator("label.option").filter(has=phone.locator(f"input[value='{option}']")).tap()
            expect(phone.locator(".q-status--ok")).to_be_visible()
            for s, total in zip(others, SPLIT_TOTALS[1:]):
                ack = s.emit("/participant", "answer", {"question": question["id"],
                                                        "option": picks_for(total)[question["id"]], "round": 1})
                assert ack["ok"], ack
            if index == 0:
                fac.locator("[data-action='reveal']").click()
                expect(proj.locator(".sc-reveal")).to_be_visible()
                c.check(proj, "projector: reveal", extra)
            everyone_answered(fac, question["id"])
            fac.locator("[data-action='next']").click()
    finally:
        for s in others:
            s.close()
    expect(proj.locator(".sc-results .sc-split")).to_be_visible()
    c.check(proj, "projector: results (split)", extra)
    expect(phone.locator("#v-result")).to_be_visible()
    c.check(phone, "phone: result", extra)
    c.check(fac, "facilitator: results", extra)
    for view, selector in (("rounds", ".sc-rounds"), ("disciplines", ".sc-disciplines"), ("consensus", ".sc-center")):
        facilitator_command(server, session, action="view", view=view)
        expect(proj.locator(selector)).to_be_visible()
        c.check(proj, f"projector: {view}", extra)
    facilitator_command(server, session, action="view", view="auto")
    facilitator_command(server, session, action="end")
    expect(proj.locator(".sc-ended")).to_be_visible()
    c.check(proj, "projector: ended", extra)
    c.check(fac, "facilitator: ended", extra)
    assert c.states >= 17
    assert c.found == {}, c.found
    assert not pages.page_errors()
