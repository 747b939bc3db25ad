"""Mixed languages: each reader's page in the browser's language, the projector in the session's (issue 11, point 8)."""
from __future__ import annotations

import html
import json
import re

import pytest

from workshop.live.disciplines import shown_name, shown_names
from workshop.live.service import DEFAULT_DISCIPLINES

from .helpers import projector_key


def page(client, path: str, accept: str | None = None, cookie: str | None = None) -> str:
    """A page's HTML (entities decoded) as a browser asking for `accept` with an optional lang cookie sees it."""
    if cookie:
        client.set_cookie("lang", cookie)
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def lang_of(text: str) -> str:
    """The lang attribute of a page's <html>."""
    return re.search(r'<html lang="(\w+)"', text).group(1)


def page_data(text: str) -> dict:
    """The JSON a page embeds for its script."""
    return json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', text, re.S).group(1))


@pytest.mark.parametrize("accept,lang", [
    ("en-GB,en;q=0.9", "en"), ("en-US", "en"), ("en", "en"), ("nl-NL,nl;q=0.9", "nl"), ("nl-BE", "nl"),
    ("de-DE,de;q=0.9", "nl"), (None, "nl"), ("de,en;q=0.5,nl;q=0.4", "en"),
])
def test_a_phone_reads_its_browsers_language_in_a_dutch_session(client, new_session, accept, lang):
    code = new_session(language="nl")["code"]
    assert lang_of(page(client, f"/j/{code}", accept)) == lang


def test_an_explicit_choice_beats_the_browser(client, new_session):
    code = new_session(language="nl")["code"]
    assert lang_of(page(client, f"/j/{code}?lang=nl", "en-GB")) == "nl"
    assert lang_of(page(client, f"/j/{code}", "en-GB", cookie="nl")) == "nl"


def test_a_german_browser_gets_the_sessions_language(client, new_session):
    code = new_session(language="en")["code"]
    assert lang_of(page(client, f"/j/{code}", "de-DE")) == "en"


def test_the_projector_follows_the_session_not_the_browser(client, new_session):
    session = new_session(language="nl")
    path = f"/s/{session['code']}/screen?k={projector_key(session)}"
    assert lang_of(page(client, path, "en-GB,en;q=0.9")) == "nl"
    english = new_session(language="en")
    assert lang_of(page(client, f"/s/{english['code']}/screen?k={projector_key(english)}", "nl-NL")) == "en"
    assert lang_of(page(client, path + "&lang=en", "nl-NL")) == "en"  # a choice made on that browser still wins


def test_the_facilitator_page_says_which_language_the_projector_shows(client, new_session):
    session = new_session(language="nl")
    path = "/" + session["facilitator_url"].split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, headers={"Accept-Language": "en-GB"}, follow_redirects=True)
    text = html.unescape(response.get_data(as_text=True))
    assert lang_of(text) == "en"
    assert "Language on the projector: Nederlands" in text


def test_an_english_phone_sees_english_names_for_the_default_disciplines_and_sends_the_stored_name(client, new_session):
    code = new_session(language="nl")["code"]  # the default disciplines, stored in Dutch
    text = page(client, f"/j/{code}", "en-GB")
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', text)
    assert options == list(zip(DEFAULT_DISCIPLINES["nl"], DEFAULT_DISCIPLINES["en"]))
    assert page_data(text)["discipline_names"]["Bedrijfsvoering"] == "Operations"
    dutch = re.findall(r'<option value="([^"]*)">([^<]*)</option>', page(client, f"/j/{code}", "nl-NL"))
    assert dutch == [(name, name) for name in DEFAULT_DISCIPLINES["nl"]]


def test_custom_disciplines_are_shown_as_typed(client, new_session):
    code = new_session(language="nl", disciplines=["Educatie", "Anders"])["code"]
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', page(client, f"/j/{code}", "en"))
    assert options == [("Educatie", "Educatie"), ("Anders", "Other")]


def test_discipline_names_translate_both_ways_and_never_merge_two_disciplines():
    assert shown_name("Operations", "nl") == "Bedrijfsvoering"
    assert shown_name("Bedrijfsvoering", "en") == "Operations"
    assert shown_name("Educatie", "en") == "Educatie"
    # A session that lists both names keeps them apart: translating would show one name twice.
    assert shown_names(["Operations", "Bedrijfsvoering"], "en") == {"Operations": "Operations",
                                                                   "Bedrijfsvoering": "Bedrijfsvoering"}


def test_a_socket_error_reads_in_the_phones_language(app, socketio, new_session):
    code = new_session(language="nl")["code"]
    client = socketio.test_client(app, namespace="/participant", auth={"code": code},
                                  headers={"Accept-Language": "en-GB"})
    client.emit("join", {}, namespace="/participant", callback=True)
    ack = client.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1},
                      namespace="/participant", callback=True)
    assert ack["error"]["code"] == "question_closed"
    assert ack["error"]["message"] == "This question is closed. Wait for the next one."
    dutch = socketio.test_client(app, namespace="/participant", auth={"code": code},
                                 headers={"Accept-Language": "nl-NL"})
    dutch.emit("join", {}, namespace="/participant", callback=True)
    ack = dutch.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1},
                     namespace="/participant", callback=True)
    assert ack["error"]["message"] == "Deze vraag is gesloten. Wacht op de volgende."
