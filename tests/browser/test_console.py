"""The facilitator console on a 1366×768 laptop: nothing changes behind the facilitator's back (issue 22, items
2-4): the shortcut/focus matrix, the projector statement against the projector itself, two laptops typing one
note, remove then undo, results that ask first, the live copy at any address."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import MODULE, accept_dialogs, create_session, in_panel, module_call, questionnaire

pytestmark = pytest.mark.browser

CONSOLE = {"width": 1366, "height": 768}
Q = questionnaire("nl")
FIRST, SECOND = Q["questions"][:2]
LAST = Q["questions"][-1]

# Every emit of the page's facilitator socket passes here: recorded (and held back) while a test asks so.
SPY = """async () => {
  const sock = (await (""" + MODULE + """)('manage.js')).socket;
  if (sock.__spied) return;
  const emit = sock.emit;
  window.__sent = null;     // a list: record commands instead of sending them
  window.__held = null;     // a list: hold notes back until released
  window.__states = 0;      // how many states the page received
  sock.on('state', function (state) { window.__states += 1; window.__shows = state.shows; });
  sock.emit = function () {
    const args = Array.prototype.slice.call(arguments);
    if (window.__sent && args[0] === 'command') { window.__sent.push(args[1]); sock.flags = {}; return sock; }
    if (window.__held && args[0] === 'note') { window.__held.push(args); return sock; }
    return emit.apply(sock, args);
  };
  window.__release = function () {
    const held = window.__held || [];
    window.__held = null;
    held.forEach(function (args) { emit.apply(sock, args); });
    return held.length;
  };
  sock.__spied = true;
}"""


def console(pages, url):
    """The facilitator page at 1366×768 with its socket spied on."""
    page = pages.facilitator(url)
    page.set_viewport_size(CONSOLE)
    expect(page.locator("#stage-badge")).not_to_have_text("…")
    page.evaluate(SPY)
    return page


def join(pages, url, name):
    """A phone that joined with a nickname."""
    phone = pages.phone(name, {"width": 390, "height": 844})
    phone.goto(url)
    phone.locator("#nickname").fill(name)
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()
    return phone


# What each documented shortcut sends in the state the matrix runs in (running, question 2 open and in focus,
# question 1 revealed): the action of its command.
SHORTCUTS = {"n": "next", "ArrowRight": "next", "p": "prev", "ArrowLeft": "prev", "r": "reveal", "z": "undo",
             "g": "view", "a": "new_round", "b": "blank", "j": "view", "t": "timer", "h": "hide_results", "s": "view"}

# Every kind of mouse choice on the console: (name, the control, how it is chosen, whether the focus is then in a
# form control). A choice that is a command is done once its control shows it pressed.
AGREE = f".qcard[data-key='{FIRST['id']}'] .agree-btn >> nth=1"
CHOICES = [
    ("a main button", "#btn-lock", "click", False),
    ("a view button", ".view-btn[data-view='disciplines']", "click", False),
    ("an agreed answer", AGREE, "click", False),
    ("a names setting", "[data-names='on']", "click", False),
    ("a checkbox", "#export-no-nicknames", "click", True),
    ("the timer's checkbox", "#pc-reveal", "click", True),
    ("a select", "#pc-seconds", "select", True),
    ("a read-only field", "#join-url", "click", True),
    ("a note", f"#note-{FIRST['id']}", "click", True),
]


def test_every_shortcut_after_every_kind_of_mouse_choice_does_only_what_is_documented(server, pages):
    session = create_session(server.url)
    fac = console(pages, session["facilitator_url"])
    fac.locator("[data-action='start']").click()
    expect(fac.locator("#on-screen")).to_contain_text(f"vraag 1, {FIRST['short']}")
    fac.keyboard.press("r")
    expect(fac.locator("#on-screen")).to_contain_text(f"de antwoorden op vraag 1, {FIRST['short']}")
    fac.keyboard.press("n")
    expect(fac.locator("#on-screen")).to_contain_text(f"vraag 2, {SECOND['short']}")
    documented = module_call(fac, "shortcuts.js", "m.registered().map(function (s) { return s.keys; })")
    assert sorted(k for keys in documented for k in keys) == sorted(SHORTCUTS)  # a new shortcut joins the matrix

    for name, selector, how, in_control in CHOICES:
        control = in_panel(fac, selector)
        if how == "select":  # chosen with the mouse: the select keeps the focus
            control.focus()
            control.select_option("120")
        else:
            control.click()
        if not in_control:  # a command: done once the page shows it (before any key is pressed)
            expect(control).to_have_attribute("aria-pressed", "true")
        agreed_before = fac.locator(".agree-btn[aria-pressed='true']").all_text_contents()
        seconds_before = fac.locator("#pc-seconds").input_value()
        for key, action in SHORTCUTS.items():
            fac.evaluate("window.__sent = []")
            fac.keyboard.press(key)
            sent = fac.evaluate("(() => { const s = window.__sent; window.__sent = null; return s; })()")
            expected = [] if in_control else [action]
            assert [c["action"] for c in sent] == expected, (name, key, sent)
        # Nothing the keys reached changed a choice on the page that would be sent (the agreed answers).
        assert fac.locator(".agree-btn[aria-pressed='true']").all_text_contents() == agreed_before, name
        if name != "a select":  # an arrow in a select belongs to it (it sends nothing: the timer starts on T)
            assert fac.locator("#pc-seconds").input_value() == seconds_before, name
        fac.keyboard.press("Escape")  # leaves a form control: the shortcuts act again
        fac.evaluate("window.__sent = []")
        fac.keyboard.press("b")
        assert [c["action"] for c in fac.evaluate("window.__sent")] == ["blank"], name
        fac.evaluate("window.__sent = null")


def on_screen(fac):
    """What the console says the projector shows: (its rule's value, its words)."""
    line = fac.locator("#on-screen")
    return line.get_attribute("data-shows"), line.inner_text()


def drawn(projector):
    """What the projector page draws, in the console's terms (its body's data-screen and its visible view)."""
    screen = projector.locator("body").get_attribute("data-screen")
    visible = projector.locator("#v-lobby, #v-live, #v-activity").evaluate_all(
        "nodes => nodes.filter(n => !n.hidden && n.offsetParent !== null).map(n => n.id)")
    return screen, visible


EXPECTED_VIEW = {"lobby": "v-lobby", "join": "v-lobby"}


def agrees(shows, screen, visible):
    """Whether the projector's drawing is the view the console names."""
    if shows.startswith("activity_"):
        return screen == "activity-" + shows[len("activity_"):].removesuffix("_result") and visible == ["v-activity"]
    name = {"results_hidden": "hidden"}.get(shows, shows)
    return screen == name and visible == [EXPECTED_VIEW.get(shows, "v-live")]


def test_the_console_says_what_the_projector_draws_after_every_action(server, pages):
    session = create_session(server.url)
    fac = console(pages, session["facilitator_url"])
    accept_dialogs(fac)
    projector = pages.projector(session["projector_url"])
    join(pages, session["join_url"], "Anna")
    act = {
        "start": lambda: fac.locator("[data-action='start']").click(),
        "reveal": lambda: fac.keyboard.press("r"),
        "next": lambda: fac.keyboard.press("n"),
        "blank": lambda: fac.keyboard.press("b"),
        "unblank": lambda: fac.keyboard.press("b"),
        "join": lambda: fac.keyboard.press("j"),
        "join back": lambda: fac.keyboard.press("j"),
        "hide": lambda: fac.keyboard.press("h"),
        "show": lambda: fac.keyboard.press("h"),
        "results": lambda: fac.locator("[data-action='results']").click(),
        "open ideas": lambda: in_panel(fac, "button[data-focus-key='ideas-open']").click(),
        "open vote": lambda: in_panel(fac, "button[data-focus-key='vote-open']").click(),
        "reveal vote": lambda: in_panel(fac, "button[data-focus-key='vote-reveal']").click(),
        "pause over the vote": lambda: fac.keyboard.press("b"),
        "end the pause": lambda: fac.keyboard.press("b"),
        "back to the questions": lambda: in_panel(fac, "button[data-focus-key='act-back']").click(),
        "end": lambda: fac.locator("[data-action='end']").click(),
    }
    for view in ("disciplines", "rounds", "consensus", "progress", "auto"):
        act[f"view {view}"] = lambda view=view: in_panel(fac, f".view-btn[data-view='{view}']").click()
    order = ["start", "reveal", "next", "view disciplines", "blank", "unblank", "join", "join back", "hide",
             "view rounds", "show", "view consensus", "view progress", "view auto", "results", "open ideas",
             "view consensus", "view disciplines", "open vote", "reveal vote", "pause over the vote",
             "end the pause", "back to the questions", "end"]
    preview = fac.frame_locator("#preview-frame")
    seen = set()
    for step in ["(lobby)"] + order:
        if step != "(lobby)":
            received = fac.evaluate("window.__states")
            act[step]()
            fac.wait_for_function("n => window.__states > n", arg=received)  # the state after this step
        fac.wait_for_function("() => !window.__shows || "
                              "document.getElementById('on-screen').getAttribute('data-shows') === window.__shows")
        shows, words = on_screen(fac)  # the console has drawn the newest state's statement
        projector.wait_for_function(
            """([shows]) => {
                 const s = document.body.getAttribute('data-screen');
                 if (shows.indexOf('activity_') === 0) return s === 'activity-' + shows.slice(9).replace(/_result$/, '');
                 return s === ({results_hidden: 'hidden'}[shows] || shows);
               }""", arg=[shows])
        screen, visible = drawn(projector)
        assert agrees(shows, screen, visible), (step, shows, screen, visible)
        assert words.startswith("Het scherm toont: ") and "{" not in words, (step, words)
        expect(preview.locator("body")).to_have_attribute("data-screen", screen)  # the live copy draws it too
        seen.add(shows)
    assert {"lobby", "question", "blank", "join", "results_hidden", "disciplines", "rounds", "consensus",
            "progress", "results", "activity_ideas", "activity_vote", "activity_vote_result", "ended"} <= seen


def test_an_activity_holding_the_projector_is_what_the_console_states_when_a_view_is_chosen(server, pages):
    session = create_session(server.url)
    fac = console(pages, session["facilitator_url"])
    accept_dialogs(fac)
    projector = pages.projector(session["projector_url"])
    fac.locator("[data-action='start']").click()
    fac.locator("[data-action='results']").click()
    in_panel(fac, "button[data-focus-key='ideas-open']").click()
    in_panel(fac, "button[data-focus-key='vote-open']").click()
    in_panel(fac, "button[data-focus-key='vote-reveal']").click()
    expect(projector.locator("body")).to_have_attribute("data-screen", "activity-vote")
    in_panel(fac, ".view-btn[data-view='consensus']").click()  # the case: "Afgesproken fase"
    expect(in_panel(fac, ".view-btn[data-view='consensus']")).to_have_attribute("aria-pressed", "true")
    expect(fac.locator("#on-screen")).to_have_attribute("data-shows", "activity_vote_result")
    expect(fac.locator("#on-screen")).to_contain_text("de uitslag van de stemming")
    expect(projector.locator("body")).to_have_attribute("data-screen", "activity-vote")
    in_panel(fac, "button[data-focus-key='act-back']").click()
    expect(fac.locator("#on-screen")).to_have_attribute("data-shows", "consensus")
    expect(projector.locator("body")).to_have_attribute("data-screen", "consensus")


def test_two_laptops_typing_one_note_at_once_both_keep_their_text_and_see_the_conflict(server, pages):
    session = create_session(server.url)
    one = console(pages, session["facilitator_url"])
    two = console(pages, session["facilitator_url"])
    note = "#note-general"
    two.evaluate("window.__held = []")  # laptop two's saves are slow to arrive (a busy wifi)
    in_panel(two, note).fill("Laptop twee: het budget is krap")
    two.wait_for_function("() => window.__held.length === 1")  # saved on version 0, not yet arrived
    in_panel(one, note).fill("Laptop een: de visie ontbreekt")
    expect(one.locator("#note-general-status")).to_have_text("Opgeslagen")
    assert two.evaluate("window.__release()") == 1  # arrives now, typed on the version before laptop one's
    for page in (one, two):
        expect(page.locator(note)).to_have_value(re.compile("Laptop een: de visie ontbreekt"))
        expect(page.locator(note)).to_have_value(re.compile("Laptop twee: het budget is krap"))
        expect(page.locator("#note-general-status")).to_contain_text("Tegelijk getypt op een ander apparaat")
    merged = one.locator(note).input_value()
    assert merged == two.locator(note).input_value() and "⚠" in merged
    # Tidying it up on either laptop is an ordinary save on the newest version.
    two.locator(note).fill("Visie en budget")
    expect(two.locator("#note-general-status")).to_have_text("Opgeslagen")
    expect(one.locator(note)).to_have_value("Visie en budget")
    one.reload()
    expect(in_panel(one, note)).to_have_value("Visie en budget")


def test_removing_a_person_then_undo_never_undoes_the_start(server, pages):
    session = create_session(server.url)
    fac = console(pages, session["facilitator_url"])
    asked = accept_dialogs(fac)
    projector = pages.projector(session["projector_url"])
    join(pages, session["join_url"], "Per ongeluk")
    fac.locator("[data-action='start']").click()
    toast = fac.locator("#undo-toast")
    expect(toast).to_be_visible()
    expect(fac.locator("#undo-btn")).to_contain_text("Ongedaan maken: de start")  # undo names what it undoes
    in_panel(fac, "button[data-focus-key^='remove:']").click()
    assert asked and asked[-1].startswith("Per ongeluk verwijderen?")
    expect(fac.locator("#roster")).not_to_contain_text("Per ongeluk")
    expect(toast).to_be_hidden()  # removing cannot be undone: no offer
    fac.keyboard.press("z")
    expect(fac.locator("#m-msg")).to_contain_text("de laatste actie kan niet ongedaan worden")
    expect(fac.locator("#stage-badge")).to_have_text("Bezig")
    expect(projector.locator("body")).to_have_attribute("data-screen", "question")


def test_results_with_people_still_answering_ask_first(server, pages):
    session = create_session(server.url)
    fac = console(pages, session["facilitator_url"])
    projector = pages.projector(session["projector_url"])
    phones = [join(pages, session["join_url"], name) for name in ("Anna", "Bram", "Cem")]
    fac.locator("[data-action='start']").click()
    for phone in phones[:2]:
        phone.locator("label.option").first.tap()
        expect(phone.locator(".q-status--ok")).to_be_visible()
    expect(in_panel(fac, f".qcard[data-key='{FIRST['id']}'] .qcard-answered")).to_contain_text("2 van 3")
    asked = []
    fac.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    fac.locator("[data-action='results']").click()
    assert asked == ["2 van 3 beantwoord: resultaten tonen?"]
    expect(fac.locator("#stage-badge")).to_have_text("Bezig")  # "no": nothing changed
    assert projector.locator("body").get_attribute("data-screen") == "question"
    fac.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    fac.keyboard.press("g")  # the results on the projector by shortcut ask the same
    assert asked[-1] == "2 van 3 beantwoord: resultaten tonen?"
    expect(projector.locator("body")).to_have_attribute("data-screen", "results")
    fac.keyboard.press("g")
    expect(projector.locator("body")).to_have_attribute("data-screen", "question")
    phones[2].locator("label.option").first.tap()
    expect(in_panel(fac, f".qcard[data-key='{FIRST['id']}'] .qcard-answered")).to_contain_text("3 van 3")
    fac.locator("[data-action='results']").click()  # everyone answered: no question
    expect(fac.locator("#stage-badge")).to_have_text("Resultaten")
    assert len(asked) == 2


def test_agreeing_the_last_question_leaves_the_projector_on_the_question(server, pages):
    session = create_session(server.url)
    fac = console(pages, session["facilitator_url"])
    projector = pages.projector(session["projector_url"])
    fac.locator("[data-action='start']").click()
    for i, question in enumerate(Q["questions"]):
        if i:  # the first one is in focus already: "show" is not offered for it
            in_panel(fac, f"button[data-focus-key='focus:{question['id']}']").click()
        in_panel(fac, f"button[data-focus-key='reveal:{question['id']}']").click()
        choice = in_panel(fac, f".qcard[data-key='{question['id']}'] .agree-btn").first
        choice.click()
        expect(choice).to_have_attribute("aria-pressed", "true")
    expect(fac.locator("#on-screen")).to_have_attribute("data-shows", "question")
    expect(projector.locator(".sc-question")).to_have_text(LAST["text"])


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_live_copy_works_at_whatever_address_the_page_was_opened(server, pages, host):
    session = create_session(server.url)
    url = session["facilitator_url"].replace("127.0.0.1", host)
    fac = pages.facilitator(url)
    fac.set_viewport_size(CONSOLE)
    assert fac.url.startswith(f"http://{host}:")
    src = fac.locator("#preview-frame").get_attribute("src")
    assert src.startswith(f"http://{host}:"), src  # the page's own origin
    expect(fac.frame_locator("#preview-frame").locator("body")).to_have_attribute("data-screen", "lobby")
    fac.locator("[data-action='start']").click()
    expect(fac.frame_locator("#preview-frame").locator("body")).to_have_attribute("data-screen", "question")
