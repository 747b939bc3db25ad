"""Issue 12 in Chromium: the words beside a verdict, the strip plot of totals and the split headline,
on the projector at 1920×1080 and at 1024×768, with axe on the new states."""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.adversary.wire import RawSocket

from .helpers import create_session, questionnaire, shot
from .test_accessibility import BLOCKING, axe_check

pytestmark = pytest.mark.browser

Q = questionnaire("nl")
QUESTIONS = {q["id"]: q for q in Q["questions"]}
SMALL_PROJECTOR = {"width": 1024, "height": 768}


def picks_for(total: int) -> dict[str, str]:
    """Some complete set of answers worth exactly `total` points."""
    for combo in itertools.product(*[q["options"] for q in Q["questions"]]):
        if sum(o["points"] for o in combo) == total:
            return {q["id"]: o["id"] for q, o in zip(Q["questions"], combo)}
    raise AssertionError(total)


def room(server, people: list[dict[str, str]]) -> dict:
    """A self-paced session in which each person answered as given; then the facilitator shows the results."""
    session = create_session(server.url, pacing="self", title="Museum De Waag")
    boss = RawSocket(server.url)
    sockets = [boss]
    try:
        assert boss.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", {"action": "start"})["ok"]
        for answers in people:
            phone = RawSocket(server.url)
            sockets.append(phone)
            assert phone.connect("/participant", {"code": session["code"]})["ok"]
            assert phone.emit("/participant", "join", {})["ok"]
            for qid, option in answers.items():
                assert phone.emit("/participant", "answer", {"question": qid, "option": option, "round": 1})["ok"]
        assert boss.emit("/facilitator", "command", {"action": "results"})["ok"]
    finally:
        for s in sockets:
            s.close()
    return session


def label(qid: str, rank: int) -> str:
    """An option's Dutch label by rank."""
    return QUESTIONS[qid]["options"][rank]["label"]


def with_begrippen(ranks: list[int]) -> list[dict[str, str]]:
    """People answering begrippen with these option ranks and the lowest option everywhere else."""
    low = {q["id"]: q["options"][0]["id"] for q in Q["questions"]}
    return [{**low, "begrippen": QUESTIONS["begrippen"]["options"][r]["id"]} for r in ranks]


def discuss_line(page, qid: str):
    """The projector's 'discuss first' item of a question."""
    return page.locator(".sc-discuss li").filter(has=page.locator(".sc-discuss-name", has_text=QUESTIONS[qid]["short"]))


def test_the_verdict_carries_the_figure_it_rests_on(server, pages):
    """[3,0,0,1] reads 'eens · 75% kiest …' (was 'eens · overeenstemming 50%'); the rule is on the facilitator page."""
    session = room(server, with_begrippen([0, 0, 0, 3]))
    proj = pages.projector(session["projector_url"])
    line = discuss_line(proj, "begrippen")
    expect(line.locator(".sc-discuss-value")).to_have_text(f"eens · 75% kiest {label('begrippen', 0)}")
    expect(proj.locator(".sc-discuss")).not_to_contain_text("overeenstemming")
    # the other questions are unanimous (100%): the 75% question comes first among the agreed ones
    expect(proj.locator(".sc-discuss li").first.locator(".sc-discuss-name")).to_have_text(QUESTIONS["begrippen"]["short"])
    fac = pages.facilitator(session["facilitator_url"])
    expect(fac.locator("#mini-results .help").first).to_contain_text("Volgorde: eerst de verdeelde vragen")
    expect(fac.locator("#mini-results .discuss li").first).to_contain_text("eens, 75% kiest")
    # the three measures stay in the facilitator's folded detail, each named and explained
    card = fac.locator(".qcard-spread[data-key='spread-begrippen']")
    card.locator("summary").click()
    expect(card.locator(".measures dt")).to_have_count(3)
    expect(card.locator(".measures")).to_contain_text("Leiks D")
    expect(card.locator(".measures")).to_contain_text("Tastle–Wierman")
    assert not pages.page_errors()


def test_a_four_to_five_split_names_both_camps_and_comes_first(server, pages):
    session = room(server, with_begrippen([0, 0, 0, 0, 3, 3, 3, 3, 3]))
    proj = pages.projector(session["projector_url"])
    first = proj.locator(".sc-discuss li").first
    expect(first.locator(".sc-discuss-name")).to_have_text(QUESTIONS["begrippen"]["short"])
    expect(first.locator(".sc-discuss-value")).to_have_text(
        f"verdeeld · 4 zeggen {label('begrippen', 0)}, 5 zeggen {label('begrippen', 3)}")
    # the rounds view words it the same way
    boss = RawSocket(server.url)
    try:
        assert boss.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", {"action": "view", "view": "rounds"})["ok"]
    finally:
        boss.close()
    expect(proj.locator(".sc-rounds tbody tr").first).to_contain_text(f"5 zeggen {label('begrippen', 3)}")
    assert not pages.page_errors()


SPLIT_TOTALS = [1, 1, 3, 5, 7, 7, 8, 9]  # median 6 in Ik kan, which holds 1 of 8; 4 are in Ik doe


@pytest.mark.parametrize("viewport", [None, SMALL_PROJECTOR], ids=["1920x1080", "1024x768"])
def test_a_split_room_says_it_is_split_with_one_dot_per_person(server, pages, viewport):
    session = room(server, [picks_for(t) for t in SPLIT_TOTALS])
    proj = pages.projector()
    if viewport:
        proj.set_viewport_size(viewport)
    proj.goto(session["projector_url"])
    split = proj.locator(".sc-results .sc-split")
    expect(split.locator(".sc-split-title")).to_have_text("Verdeeld")
    expect(split.locator(".sc-split-largest")).to_have_text("De meeste mensen zitten in Ik zie en Ik doe")
    expect(split).to_contain_text("Ik kan, de fase van de mediaan, telt 1 van de 8 mensen")
    expect(proj.locator(".sc-results .sc-phase-name")).to_have_count(0)  # no lone "Ik kan" headline
    # the strip plot: one dot per person in the column of their total, the median marked
    expect(proj.locator(".strip-dot")).to_have_count(len(SPLIT_TOTALS))
    for total in range(11):
        expect(proj.locator(f".strip-col[data-total='{total}'] .strip-dot")).to_have_count(SPLIT_TOTALS.count(total))
    expect(proj.locator(".strip-median")).to_have_attribute("data-median", "6")
    expect(proj.locator(".strip-median-label")).to_have_text("▲ mediaan 6")
    names = proj.locator(".strip-band-label .strip-band-name")
    expect(names).to_have_text(["Ik zie", "Ik wil", "Ik kan", "Ik doe"])
    expect(proj.locator(".strip-band-label .strip-band-n")).to_have_text(["2 personen", "1 persoon", "1 persoon", "4 personen"])
    # geometry: the dots of a total sit above its tick, the median line between the ticks of 5 and 7
    box = lambda sel: proj.locator(sel).bounding_box()  # noqa: E731
    tick7, dot7 = box(".strip-tick >> nth=7"), box(".strip-col[data-total='7'] .strip-dot >> nth=0")
    assert tick7["x"] <= dot7["x"] and dot7["x"] + dot7["width"] <= tick7["x"] + tick7["width"]
    line = box(".strip-median")
    tick6 = box(".strip-tick >> nth=6")
    assert abs(line["x"] - (tick6["x"] + tick6["width"] / 2)) < tick6["width"] / 2
    # readable at the size: nothing cut off on the right, the plot inside the window
    width = proj.viewport_size["width"]
    plot = box(".strip")
    assert plot["x"] >= 0 and plot["x"] + plot["width"] <= width
    size = proj.locator(".strip-band-name").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 16, size
    report: dict = {}
    violations = axe_check(proj, f"projector: results split {proj.viewport_size['width']}", report)
    assert not [v for v in violations if v["impact"] in BLOCKING or v["id"] == "color-contrast"], report
    shot(proj, f"nl-projector-results-split-{proj.viewport_size['width']}")
    assert not pages.page_errors()


def test_the_end_screen_says_split_too(server, pages):
    session = room(server, [picks_for(t) for t in SPLIT_TOTALS])
    boss = RawSocket(server.url)
    try:
        assert boss.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", {"action": "end"})["ok"]
    finally:
        boss.close()
    proj = pages.projector(session["projector_url"])
    fac = pages.facilitator(session["facilitator_url"])
    expect(fac.locator("#mini-results .split-note")).to_have_text(
        " · Verdeeld: De meeste mensen zitten in Ik zie en Ik doe")
    expect(proj.locator(".sc-ended .sc-split-title")).to_have_text("Verdeeld")
    expect(proj.locator(".sc-ended .sc-split-largest")).to_have_text("De meeste mensen zitten in Ik zie en Ik doe")
    expect(proj.locator(".sc-ended .sc-phase-name")).to_have_count(0)
