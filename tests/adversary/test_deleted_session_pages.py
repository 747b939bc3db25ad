"""Finding 8: the phone, projector and facilitator pages explain a deleted session in words and stop
reconnecting; the words come from the catalog in Dutch and English."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from workshop.web import protocol

JS = Path(__file__).resolve().parents[2] / "static" / "js"
# Each page script and the strings its session_deleted handler shows.
PAGES = {
    "participant.js": ("deleted_title", "deleted_text", "other_code"),
    "screen.js": ("deleted_title", "screen_unknown_text"),
    "manage.js": ("manage_deleted",),
}
KEYS = sorted({key for keys in PAGES.values() for key in keys})


def deleted_handler(script: str) -> str:
    """The body of a page's session_deleted handler (empty when it has none)."""
    source = (JS / script).read_text(encoding="utf-8")
    match = re.search(r"^( *)socket\.on\('session_deleted', function \(\) \{\n(.*?)\n\1\}\);", source, re.S | re.M)
    return match.group(2) if match else ""


def page_strings(client, path: str) -> dict[str, str]:
    """The UI strings a page embeds for its script."""
    page = client.get(path)
    assert page.status_code == 200
    raw = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page.get_data(as_text=True), re.S)
    return json.loads(html.unescape(raw.group(1)))["strings"]


@pytest.mark.parametrize("script", PAGES)
def test_each_page_stops_and_explains_a_deleted_session(script):
    handler = deleted_handler(script)
    assert "socket.stop()" in handler, f"{script} keeps reconnecting to a deleted session"
    for key in PAGES[script]:
        assert f"t('{key}')" in handler or f"'{key}'" in (JS / script).read_text(encoding="utf-8"), (script, key)


def test_the_deleted_session_texts_render_in_dutch_and_english(client, new_session):
    sessions = {lang: new_session(language=lang) for lang in ("nl", "en")}
    # each page carries its own script's strings only (issue 21): read each text from the page that shows it;
    # the projector speaks its session's language, the other pages the browser's (?lang=)
    texts: dict[str, dict[str, dict[str, str]]] = {}
    for lang, session in sessions.items():
        code, key = session["code"], session["projector_url"].split("k=", 1)[1]
        client.get(f"/s/{code}/manage?t={session['facilitator_token']}")  # signs this client in
        texts[lang] = {"participant.js": page_strings(client, f"/j/{code}?lang={lang}"),
                       "screen.js": page_strings(client, f"/s/{code}/screen?k={key}"),
                       "manage.js": page_strings(client, f"/s/{code}/manage?lang={lang}")}
    for script, keys in PAGES.items():
        for name in keys:
            nl, en = texts["nl"][script][name], texts["en"][script][name]
            assert nl and en, (script, name)
            assert nl != en, f"{name} has no Dutch translation on the page of {script}"
    assert "verwijderd" in texts["nl"]["participant.js"]["deleted_title"]
    assert "deleted" in texts["en"]["participant.js"]["deleted_title"]


def test_the_session_deleted_error_has_its_own_text_in_both_languages(app):
    messages = {}
    for lang in ("nl", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            messages[lang] = protocol.error("session_deleted")
    assert messages["en"]["code"] == messages["nl"]["code"] == "session_deleted"
    assert messages["en"]["message"] != messages["nl"]["message"]
    with_fallback = {lang: m["message"] for lang, m in messages.items()}
    with app.test_request_context("/?lang=en"):
        assert with_fallback["en"] != protocol.error("bad_request")["message"]
