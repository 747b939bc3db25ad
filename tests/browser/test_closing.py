"""The close of the workshop (issue 21): the agreed first steps on the projector (by key S on the facilitator
page), the end screen with the group's agreed phase and the steps, a phone that did not answer everything
(no phase, the missing questions named, the group's agreed phase beside it) and the dot vote's ideas in each
phone's own order."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from workshop.core.ideas import phone_seed, vote_order
from workshop.core.questionnaire import default as default_questionnaire

from .helpers import LARGE_PHONE, SMALL_PHONE, create_session, shot
from .projector_room import FilledRoom, Q
from .test_projector_controls import press
from .test_projector_type import check_view, settle

pytestmark = pytest.mark.browser

PHASES = {p["id"]: p["name"] for p in Q["phases"]}
LONG = ("Een maandelijkse lunchsessie waarin een afdeling laat zien wat zij digitaal uitprobeert, met een "
        "korte demo")  # 101 characters: the longest kind of step a facilitator types
STEPS = [
    {"what": LONG, "who": "Anna de Vries en het team Publiek & marketing", "due": "vóór de zomervakantie 2026"},
    {"what": "Online kaartverkoop testen bij de kindervoorstelling", "who": "Bram", "due": "mei"},
    {"what": "Een podcast over de collectie opnemen met vrijwilligers en de conservator", "who": "Cas en Dewi",
     "due": "september"},
    {"what": "De nieuwsbrief digitaal laten ondertekenen door de directie", "who": "Eva", "due": "juni"},
    {"what": "Een digitale strategie op één A4 voor de Raad van Toezicht", "who": "de directie",
     "due": "eind 2026"},
]
IDEA = "Kaartjes online verkopen voor de kindervoorstelling, met een proefperiode van drie maanden"


def fac_call(room: FilledRoom, event: str, data: dict) -> dict:
    """A facilitator event over the room's socket; fail unless it is accepted."""
    ack = room.fac.call(event, data, namespace="/facilitator", timeout=10)
    assert ack["ok"], (event, ack)
    return ack


def idea_from(room: FilledRoom, index: int, text: str) -> int:
    """One of the room's phones sends an idea; return its id."""
    phone, _pid = room.phones[index]
    ack = phone.call("idea", {"text": text, "prompt": "audience"}, namespace="/participant", timeout=10)
    assert ack["ok"], ack
    return ack["idea"]["id"]


def consensus(room: FilledRoom) -> str:
    """The phase of the agreed answers run_every_question records (every question's last option)."""
    q = default_questionnaire()
    return q.phase_for(q.total({x["id"]: x["options"][-1]["id"] for x in Q["questions"]})).id


def test_the_first_steps_on_the_projector_by_key_and_the_end_screen_with_the_agreed_phase(server, pages):
    room = FilledRoom(server.url, size=6)
    try:
        room.run_every_question()
        room.command("results")
        fac_call(room, "activity", {"action": "auto_approve", "enabled": True})
        fac_call(room, "activity", {"action": "open", "activity": "ideas"})
        idea = idea_from(room, 0, IDEA)
        fac_call(room, "activity", {"action": "show", "activity": None})
        fac_call(room, "steps", {"items": [dict(STEPS[0], idea=idea)] + STEPS[1:]})

        fac = pages.facilitator(room.session["facilitator_url"])
        projector = pages.projector(room.session["projector_url"])
        expect(projector.locator("body")).to_have_attribute("data-screen", "results")
        press(fac, "s")  # the key on the console: the steps on the projector
        expect(projector.locator("body")).to_have_attribute("data-screen", "steps")
        expect(fac.locator("#on-screen")).to_have_text("De projector toont: de afgesproken eerste stappen.")
        expect(fac.locator(".view-btn[data-view='steps']")).to_have_attribute("aria-pressed", "true")
        view = projector.locator(".st-view")
        expect(view.locator("h1")).to_have_text("Onze eerste kleine stappen")
        items = view.locator(".st-step")
        expect(items).to_have_count(len(STEPS))  # every step is in the view, on one page or the next
        first = items.nth(0)
        expect(first.locator(".st-what")).to_have_text(LONG)
        expect(first.locator(".st-who")).to_have_text("Wie: " + STEPS[0]["who"])
        expect(first.locator(".st-due")).to_have_text("Wanneer: " + STEPS[0]["due"])
        expect(first.locator(".st-idea")).to_have_text("Uit het idee: " + IDEA)
        expect(items.nth(1).locator(".st-idea")).to_have_count(0)  # a step not made from an idea names none
        shot(projector, "nl-projector-steps")

        failures: list[str] = []
        check_view(projector, "steps", failures)
        for width, height in ((1024, 768), (1920, 1080)):
            projector.set_viewport_size({"width": width, "height": height})
            settle(projector)
            settle(projector)
            pages_ = pages_of(projector)
            assert pages_["shown"] + pages_["hidden"] == len(STEPS)
            if pages_["pages"] > 1:  # the rest waits on the next page, and the page says so
                expect(projector.locator("#sc-page")).to_have_text(re.compile(r"\d\s*(van|/)\s*\d"))
            shot(projector, f"nl-projector-steps-{width}")
        assert not failures, "\n".join(failures)
        projector.set_viewport_size({"width": 1920, "height": 1080})
        press(fac, "s")  # and back
        expect(projector.locator("body")).to_have_attribute("data-screen", "results")

        room.command("end")
        expect(projector.locator("body")).to_have_attribute("data-screen", "ended")
        ended = projector.locator(".st-ended")
        expect(ended.locator("h1")).to_have_text("Bedankt!")
        outcome = ended.locator(".st-outcome")
        expect(outcome).to_have_attribute("data-agreed", "true")
        expect(outcome.locator(".st-outcome-label")).to_have_text("Afgesproken fase")
        expect(outcome.locator(".sc-phase-name")).to_have_text(PHASES[consensus(room)])
        expect(ended.locator(".st-side-title")).to_have_text("Onze eerste kleine stappen")
        expect(ended.locator(".st-step")).to_have_count(len(STEPS))
        shot(projector, "nl-projector-ended-steps")
        check_view(projector, "ended-steps", failures, reach=False)
        for width, height in ((1024, 768), (1920, 1080)):
            projector.set_viewport_size({"width": width, "height": height})
            settle(projector)
            settle(projector)
            shot(projector, f"nl-projector-ended-steps-{width}")
        assert not failures, "\n".join(failures)
    finally:
        room.close()


PAGES = """() => {
  const items = Array.from(document.querySelectorAll('.st-step'));
  const hidden = items.filter(i => i.closest('[hidden]') || !i.getClientRects().length).length;
  const fitPage = document.querySelector('#sc-page');  // fit.js's "2/3" (hidden on a single page)
  const pages = fitPage && !fitPage.hidden ? Number((fitPage.textContent.match(/\\/(\\d+)/) || [0, 1])[1]) : 1;
  return {shown: items.length - hidden, hidden: hidden, pages: pages};
}"""


def pages_of(page) -> dict:
    """How many steps show on this page, how many wait on others, and how many pages there are."""
    return page.evaluate(PAGES)


def test_a_phone_that_missed_questions_sees_which_and_no_phase_and_the_groups_agreed_phase(server, pages):
    room = FilledRoom(server.url, size=4, pacing="self")
    try:
        phone = pages.phone("latecomer", SMALL_PHONE)
        phone.goto(room.session["join_url"])
        phone.locator("#nickname").fill("Laat")
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        room.command("start")
        first = Q["questions"][0]
        expect(phone.locator(f"input[name='q-{first['id']}']").first).to_be_visible()
        phone.locator(f"input[name='q-{first['id']}'][value='{first['options'][0]['id']}']").check()  # 0 points
        expect(phone.locator(".q-status--ok").first).to_be_visible()
        for question in Q["questions"]:
            room.answer_all(question)
        room.command("results")

        result = phone.locator("#v-result")
        expect(result).to_be_visible()
        expect(result.locator("h1")).to_have_text("Nog geen fase")
        expect(result).to_contain_text("Je beantwoordde 1 van de 4 vragen.")
        missing = result.locator(".missing li")
        expect(missing).to_have_count(3)
        expect(missing).to_have_text([f"Vraag {q['index'] + 1} van 4: {q['short']}" for q in Q["questions"][1:]])
        expect(result.locator(".score")).to_have_count(0)  # no "0 of 10 points" from one answer
        expect(result.locator(".ladder .is-current")).to_have_count(0)
        for name in PHASES.values():
            expect(result.locator(".phase-title")).not_to_have_text(name)
        expect(result.locator(".group-phase")).to_have_count(0)  # nothing agreed yet
        shot(phone, "nl-phone-320-partial-result")

        for question in Q["questions"]:
            room.command("agree", question=question["id"], option=question["options"][-1]["id"])
        room.command("end")
        group = result.locator(".group-phase")
        expect(group).to_be_visible()
        expect(group.locator(".eyebrow")).to_have_text("De afgesproken fase van de groep")
        expect(group.locator(".group-phase-name")).to_have_text(PHASES[consensus(room)])
        expect(result.locator(".ladder .is-group .ladder-name")).to_have_text(PHASES[consensus(room)])
        expect(result.locator("h1")).to_have_text("Nog geen fase")
        shot(phone, "nl-phone-320-partial-result-ended", full_page=True)

        whole = pages.phone("whole", LARGE_PHONE)  # a phone that answered everything: its phase and the group's
        whole.goto(room.session["join_url"])
        expect(whole.locator("#v-message")).to_be_visible()  # a new visitor after the end only hears it ended
    finally:
        room.close()


def test_a_complete_phone_sees_its_phase_beside_the_groups_agreed_phase(server, pages):
    session = create_session(server.url, pacing="self")
    room = FilledRoom.__new__(FilledRoom)
    room.url, room.session, room.code = server.url, session, session["code"]
    room.fac = room._client("/facilitator", {"code": room.code, "token": session["facilitator_token"]})
    room.phones = []
    try:
        phone = pages.phone("phone", LARGE_PHONE)
        phone.goto(session["join_url"])
        phone.locator("#join-submit").tap()
        expect(phone.locator("#v-wait")).to_be_visible()
        room.join_more(3)
        room.command("start")
        for question in Q["questions"]:
            phone.locator(f"input[name='q-{question['id']}'][value='{question['options'][0]['id']}']").check()
            room.answer_all(question)
        expect(phone.locator(".progress-done")).to_be_visible()
        room.command("results")
        for question in Q["questions"]:
            room.command("agree", question=question["id"], option=question["options"][-1]["id"])
        result = phone.locator("#v-result")
        expect(result.locator("h1")).to_have_text(PHASES["ik-zie"])  # all lowest answers: 0 points
        expect(result.locator(".score")).to_be_visible()
        expect(result.locator(".group-phase-name")).to_have_text(PHASES[consensus(room)])
        expect(result.locator(".group-phase")).to_contain_text("Jouw eigen uitslag wijkt af")
        expect(result.locator(".ladder .is-current .ladder-name")).to_have_text(PHASES["ik-zie"])
        expect(result.locator(".ladder .is-group .ladder-name")).to_have_text(PHASES[consensus(room)])
        shot(phone, "nl-phone-390-result-with-group-phase")
    finally:
        room.close()


def test_every_phone_gets_the_votes_ideas_in_its_own_stable_order(server, pages):
    room = FilledRoom(server.url, size=8)
    try:
        phones = []
        for name in ("Een", "Twee"):
            phone = pages.phone(name, SMALL_PHONE)
            phone.goto(room.session["join_url"])
            phone.locator("#nickname").fill(name)
            phone.locator("#join-submit").tap()
            expect(phone.locator("#v-wait")).to_be_visible()
            phones.append(phone)
        room.command("start")
        fac_call(room, "activity", {"action": "open", "activity": "ideas"})
        pending = [idea_from(room, i, f"Idee nummer {i + 1}: iets kleins om mee te beginnen") for i in range(8)]
        for idea in pending:  # moderation is on by default: the facilitator approves each one
            fac_call(room, "moderate", {"action": "approve", "idea": idea})
        fac_call(room, "activity", {"action": "open", "activity": "vote"})

        orders = []
        for phone in phones:
            items = phone.locator(".act-vote-item")
            expect(items).to_have_count(len(pending))
            orders.append([int(k) for k in items.evaluate_all("els => els.map(e => e.getAttribute('data-key'))")])
        roster = {p["nickname"]: p["id"] for p in roster_of(room)}
        for name, order in zip(("Een", "Twee"), orders):
            assert order == vote_order(pending, phone_seed(room.code, roster[name])), name
        assert orders[0] != orders[1]  # each phone its own order
        assert sorted(orders[0]) == sorted(pending)
        phones[0].reload()
        again = phones[0].locator(".act-vote-item")
        expect(again).to_have_count(len(pending))
        assert [int(k) for k in again.evaluate_all("els => els.map(e => e.getAttribute('data-key'))")] == orders[0]
        shot(phones[0], "nl-phone-320-vote-own-order")
    finally:
        room.close()


def roster_of(room: FilledRoom) -> list[dict]:
    """The participants as the facilitator's roster lists them (a fresh facilitator snapshot)."""
    import socketio

    got: dict = {}
    client = socketio.Client(reconnection=False)
    client.on("snapshot", lambda data: got.setdefault("snap", data), namespace="/facilitator")
    client.connect(room.url, namespaces=["/facilitator"], transports=["websocket"],
                   auth={"code": room.code, "token": room.session["facilitator_token"]}, wait_timeout=10)
    try:
        for _ in range(100):
            if "snap" in got:
                break
            client.sleep(0.05)
    finally:
        client.disconnect()
    return got["snap"]["roster"]["participants"]


def test_a_two_option_question_has_no_median_and_a_tie_reads_as_a_tie(server, pages):
    room = FilledRoom(server.url, size=5)
    try:
        projector = pages.projector(room.session["projector_url"])
        room.command("start")
        statement, knowledge = (next(q for q in Q["questions"] if q["id"] == qid) for qid in ("uitspraak", "kennis"))
        for question, picks in ((statement, [0, 0, 0, 1, 1]), (knowledge, [1, 1, 2, 2, 0])):
            room.command("focus", question=question["id"])
            for (phone, _pid), pick in zip(room.phones, picks):
                ack = phone.call("answer", {"question": question["id"], "option": question["options"][pick]["id"],
                                            "round": 1}, namespace="/participant", timeout=10)
                assert ack["ok"], ack
            room.command("reveal", question=question["id"])
            expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(question["options"]))
            if question is statement:  # 3 against 2: the lower median would mark the majority as "the median"
                expect(projector.locator(".sc-bar.is-median")).to_have_count(0)
                expect(projector.locator(".sc-median:not(.sc-median--none)")).to_have_count(0)
                expect(projector.locator(".sc-summary-median")).to_have_count(0)
                shot(projector, "nl-projector-reveal-two-options")
            else:  # 2, 2 and 1: the two most chosen are a tie, named with "en", without the full stops
                first, second = (o["label"].rstrip(".") for o in question["options"][1:])
                expect(projector.locator(".sc-reading")).to_have_text(
                    f"verspreid over 3 antwoorden; meest gekozen: {first} en {second}")
                expect(projector.locator(".sc-summary-median")).to_have_count(1)  # three options: a median
                shot(projector, "nl-projector-reveal-tie")
    finally:
        room.close()
