"""Finding 4: an auto-submitting form on another site must neither create a session nor lock the facilitator out."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests

from tests.support.server import ROOT, ServerProcess
from workshop.web.auth import FACILITATED_MAX

from .http_browser import Browser

EVIL_FORM = {"title": "Gekaapt", "pacing": "paced", "disciplines": "", "language": "nl"}


def stored_titles(data_dir) -> list[str]:
    """The titles of every stored session, as `workshop sessions list` prints them."""
    out = subprocess.run([sys.executable, "-m", "workshop", "sessions", "--data-dir", str(data_dir), "list"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout
    header, *rows, _count = out.splitlines()
    return [row[header.index("TITLE"):] for row in rows]


@pytest.mark.integration
def test_a_cross_site_form_post_creates_nothing_and_keeps_the_facilitator_signed_in(tmp_path):
    data_dir = tmp_path / "data"
    with ServerProcess(data_dir) as server:
        real = requests.post(server.url + "/api/sessions", json={"title": "Echte sessie"}, timeout=10).json()
        browser = Browser(server.url)
        manage = f"/s/{real['code']}/manage"
        assert browser.get(f"{manage}?t={real['facilitator_token']}").status_code == 303  # the facilitator link
        assert browser.get(manage).status_code == 200

        # the attacker's page auto-submits a form to /sessions: the browser sends no cookie (SameSite=Lax)
        # and no token, but keeps whatever Set-Cookie the answer carries
        attack = browser.cross_site_post("/sessions", EVIL_FORM)
        assert attack.status_code == 400
        assert "Location" not in attack.headers
        assert not attack.headers.get("Set-Cookie")

        # the real facilitator, with the same cookie jar, still runs the real session
        assert browser.get(manage).status_code == 200
        start = browser.get("/").text
        assert "Echte sessie" in start and "Gekaapt" not in start
    assert stored_titles(data_dir) == ["Echte sessie"]


@pytest.mark.integration
def test_the_start_page_form_with_its_token_creates_a_session(tmp_path):
    with ServerProcess(tmp_path / "data") as server:
        browser = Browser(server.url)
        token = browser.csrf_token()
        form = {"title": "Met token", "pacing": "self", "disciplines": "Directie\nMarketing", "language": "en",
                "csrf_token": token}
        created = browser.request("POST", "/sessions", data=form)
        assert created.status_code == 303
        manage = created.headers["Location"].replace(server.url, "")
        assert re.fullmatch(r"/s/[A-Z0-9]{6}/manage", manage)
        page = browser.get(manage)
        assert page.status_code == 200 and "Met token" in page.text
        # the same form without the token (a stale page, or another site's copy) is refused
        del form["csrf_token"]
        assert browser.request("POST", "/sessions", data=form).status_code == 400
        # a token from another browser's page does not fit this browser's cookie
        other = Browser(server.url).csrf_token()
        assert browser.request("POST", "/sessions", data={**form, "csrf_token": other}).status_code == 400


@pytest.mark.integration
def test_a_browser_keeps_every_session_it_facilitates(tmp_path):
    with ServerProcess(tmp_path / "data") as server:
        browser = Browser(server.url)
        pages = [browser.create_by_form(f"Sessie {n}") for n in (1, 2, 3)]
        browser.cross_site_post("/sessions", EVIL_FORM)  # must not replace the list either
        pages.append(browser.create_by_form("Sessie 4"))
        for page in pages:
            assert browser.get(page).status_code == 200, page
        start = browser.get("/").text
        for n in (1, 2, 3, 4):
            assert f"Sessie {n}" in start


def test_the_list_is_bounded_and_keeps_the_most_recent(client):
    html = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    pages = []
    for n in range(FACILITATED_MAX + 2):
        created = client.post("/sessions", data={"title": f"S{n}", "pacing": "paced", "language": "nl",
                                                 "csrf_token": token})
        assert created.status_code == 303
        pages.append(created.headers["Location"])
    assert [client.get(p).status_code for p in pages[:2]] == [403, 403]  # the two oldest fell off
    assert all(client.get(p).status_code == 200 for p in pages[2:])


def test_a_refused_form_post_says_what_to_do_in_the_page_language(client):
    dutch = client.post("/sessions", data=EVIL_FORM)
    assert dutch.status_code == 400
    assert "Laad de startpagina opnieuw" in dutch.get_data(as_text=True)
    client.get("/lang/en?next=/")
    english = client.post("/sessions", data={**EVIL_FORM, "csrf_token": "stale-or-forged"})
    assert english.status_code == 400
    html = english.get_data(as_text=True)
    assert "Reload the start page and try again" in html and 'href="/"' in html


@pytest.mark.integration
def test_the_json_api_needs_no_csrf_token_sets_no_cookie_and_ignores_the_cookie(tmp_path):
    with ServerProcess(tmp_path / "data") as server:
        created = requests.post(server.url + "/api/sessions", json={"title": "API"}, timeout=10)
        assert created.status_code == 201
        assert "Set-Cookie" not in created.headers
        session = created.json()
        # what a cross-site form can send (text/plain, urlencoded) is refused before anything is created
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            refused = requests.post(server.url + "/api/sessions", data='{"title": "Form"}', timeout=10,
                                    headers={"Content-Type": content_type, "Origin": "https://evil.example"})
            assert refused.status_code == 415, content_type
            assert "Set-Cookie" not in refused.headers
        # a browser that facilitates the session by cookie gets nothing from the API without the bearer token
        browser = Browser(server.url)
        assert browser.get(f"/s/{session['code']}/manage?t={session['facilitator_token']}").status_code == 303
        assert browser.get(f"/s/{session['code']}/manage").status_code == 200
        assert browser.get(f"/api/sessions/{session['code']}").status_code == 401
    assert stored_titles(tmp_path / "data") == ["API"]


def test_no_answer_to_a_cookieless_unsafe_request_writes_the_session_cookie(make_app):
    # even a form that would pass (CSRF switched off here, as for a future exempt form) cannot replace
    # the cookie of a browser that did not send it
    app = make_app(WTF_CSRF_ENABLED=False)
    unsafe = [(rule, method) for rule in app.url_map.iter_rules()
              for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})]
    assert {rule.rule for rule, _method in unsafe} >= {"/sessions", "/api/sessions"}
    for rule, method in unsafe:
        path = rule.rule.replace("<code>", "ABCDEF").replace("<fmt>", "csv").replace("<key>", "x")
        response = app.test_client().open(path, method=method, data={**EVIL_FORM, "title": "Zonder cookie"})
        assert not any(c.startswith("workshop=") for c in response.headers.getlist("Set-Cookie")), (path, method)
    created = app.test_client().post("/sessions", data=EVIL_FORM)
    assert created.status_code == 303 and "Set-Cookie" not in created.headers
