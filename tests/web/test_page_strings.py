"""Each page carries only the strings its own scripts use, and every one of them (issue 21: page weight).

Read from the outside: the rendered page's <script src> tags say which scripts run, with the modules they
import (issue 22: one entry module per page); those files are scanned for the keys they ask W.t/W.tn for; the
page's JSON block must hold each of them, in both languages.
"""
from __future__ import annotations

import json
import re

import pytest

from workshop import settings
from workshop.web import jsstrings

SCRIPT_SRC = re.compile(r'<script[^>]*\bsrc="/static/([^"?]+)')
IMPORT = re.compile(r"""^import\s[^'"]*['"]\./([\w.-]+\.js)['"];""", re.M)
PAGE_DATA = re.compile(r'<script type="application/json" id="page-data">(.*?)</script>', re.S)
QUOTED = r"""['"]([a-z][a-z0-9_]*)['"]"""
# t('key'), W.t('key', …), t(cond ? 'a' : 'b'), W.tn(n, 'one', 'other'): the quoted keys inside the call's
# first line of arguments.
CALL = re.compile(r"\b(?:W\.)?tn?\(([^;\n]*)")
# A key built at run time from a quoted prefix: t('status_' + status).
PREFIX = re.compile(r"""['"]([a-z][a-z0-9_]*_)['"]\s*\+""")


def page_urls(client, session) -> dict[str, str]:
    """Every page that embeds page data, by name (the client signs in as the facilitator)."""
    code = session["code"]
    key = session["projector_url"].split("k=", 1)[1]
    client.get(f"/s/{code}/manage?t={session['facilitator_token']}")
    return {"start": "/", "enter code": "/j", "phone": f"/j/{code}", "projector": f"/s/{code}/screen?k={key}",
            "facilitator": f"/s/{code}/manage"}


def every_key(app) -> set[str]:
    """Every JavaScript string key of the catalog."""
    with app.test_request_context("/"):
        return set(jsstrings.strings())


def asked_for(script: str, catalog: set[str]) -> set[str]:
    """The keys a script asks for: quoted in a t/tn call, named in one of its key tables, or built from a prefix."""
    text = (settings.ROOT / "static" / script).read_text(encoding="utf-8")
    keys = {key for call in CALL.findall(text) for key in re.findall(QUOTED, call)} & catalog
    keys |= set(re.findall(QUOTED, text)) & catalog  # tables such as {bad_key: ['screen_bad_key_title', …]}
    for prefix in PREFIX.findall(text):
        keys |= {key for key in catalog if key.startswith(prefix)}
    return keys


def page(client, url: str) -> tuple[list[str], dict]:
    """A page's scripts (paths under static/) and its page data."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    data = PAGE_DATA.search(html)
    return with_imports(SCRIPT_SRC.findall(html)), json.loads(data.group(1)) if data else {}


def with_imports(scripts: list[str]) -> list[str]:
    """The scripts (paths under static/) and every module they import, directly or not."""
    found: list[str] = []
    todo = list(scripts)
    while todo:
        script = todo.pop(0)
        if script in found:
            continue
        found.append(script)
        folder = script.rsplit("/", 1)[0]
        text = (settings.ROOT / "static" / script).read_text(encoding="utf-8")
        todo.extend(f"{folder}/{name}" for name in IMPORT.findall(text))
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_script_finds_every_string_it_asks_for(app, client, new_session, lang):
    catalog = every_key(app)
    for name, url in page_urls(client, new_session(language=lang)).items():
        scripts, data = page(client, url + ("&" if "?" in url else "?") + f"lang={lang}")
        given = set(data.get("strings", {}))
        for script in scripts:
            missing = asked_for(script, catalog) - given
            assert not missing, f"the {name} page loads {script}, which asks for strings the page lacks: {missing}"
        assert all(text.strip() for text in data.get("strings", {}).values()), name


def test_every_quoted_t_call_names_a_key_of_the_catalog(app):
    """A key no catalog holds shows on screen as the bare key ("act_dots_one"): every literal t('…') exists."""
    catalog = every_key(app)
    unknown = {}
    for path in sorted((settings.ROOT / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        direct = set(re.findall(r"\b(?:W\.)?t\(\s*" + QUOTED + r"(?!\s*\+)", text))  # not a prefix: 'status_' + s
        plural = {key for pair in re.findall(r"\b(?:W\.)?tn\([^,()]+(?:\([^()]*\))?[^,()]*,\s*" + QUOTED + r",\s*" + QUOTED, text)
                  for key in pair}
        if (direct | plural) - catalog:
            unknown[path.name] = (direct | plural) - catalog
    assert not unknown, unknown


def test_the_projector_carries_only_its_own_strings(app, client, new_session):
    urls = page_urls(client, new_session())
    _, projector = page(client, urls["projector"])
    _, phone = page(client, urls["phone"])
    _, facilitator = page(client, urls["facilitator"])
    catalog = every_key(app)
    # the facilitator's own words (its lock button's feedback, undo, the notes) never travel to the projector
    for key in ("done_lock", "done_unlock", "pacing_self"):
        assert key in catalog and key in facilitator["strings"], key
        assert key not in projector["strings"] and key not in phone["strings"], key
    assert len(projector["strings"]) < len(catalog) / 2, (len(projector["strings"]), len(catalog))
    _, start = page(client, urls["start"])
    assert start.get("strings") == {}  # start.js reads no strings


def test_a_script_the_page_loads_brings_its_strings(app):
    """The scan behind the page data: a quoted key, a key in a table and a key built from a prefix all count."""
    catalog = frozenset(every_key(app))
    used = jsstrings.keys_used(("js/screen.js",), catalog)
    assert {"ask_open", "screen_bad_key_title", "status_open"} <= used  # a call, a table, 'status_' + status
    assert "done_lock" not in used
    assert jsstrings.keys_used((), catalog) == frozenset()
