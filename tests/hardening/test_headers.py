"""Security headers and cookies on the real responses: CSP without inline scripts, no referrer, no framing."""
from __future__ import annotations

import re

import pytest
import requests

from tests.support.server import ServerProcess

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(csp: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out.setdefault(words[0].lower(), words[1:])
    return out


def page_urls(client, session) -> dict[str, str]:
    """Every page, the API and a few error pages of one session, by name."""
    code = session["code"]
    key = session["projector_url"].split("k=", 1)[1]
    client.get(f"/s/{code}/manage?t={session['facilitator_token']}")  # signs this client in
    return {
        "start": "/", "enter code": "/j", "join": f"/j/{code}", "projector": f"/s/{code}/screen?k={key}",
        "manage": f"/s/{code}/manage", "qr": f"/s/{code}/qr.svg", "api": f"/api/sessions/{code}",
        "unknown session": "/j/ZZZZZZ", "bad key": f"/s/{code}/screen?k=wrong", "healthz": "/healthz",
        "missing static file": "/static/js/no-such-file.js",
    }


STATIC_FILES = ("/static/js/common.js", "/static/css/screen.css", "/static/vendor/socket.io.min.js")


def check_subresource_headers(name: str, headers) -> None:
    """A script or style sheet: no sniffing and no referrer; CSP and framing rules are the loading page's own (a
    browser applies neither to a script or CSS response), so they are left off to keep every page light."""
    assert headers.get("Content-Type", "").split(";")[0] in ("text/javascript", "application/javascript",
                                                             "text/css"), name
    assert headers.get("X-Content-Type-Options") == "nosniff", name  # never run as something it is not
    assert headers.get("Referrer-Policy") == "no-referrer", name
    assert "Content-Security-Policy" not in headers and "X-Frame-Options" not in headers, name


def check_headers(name: str, headers) -> None:
    """The headers every response carries."""
    csp = directives(headers.get("Content-Security-Policy", ""))
    assert csp.get("script-src") == ["'self'"], (name, csp)
    assert "'unsafe-inline'" not in csp.get("default-src", []) and "'unsafe-eval'" not in csp["script-src"]
    assert csp.get("frame-ancestors") == ["'none'"], name
    assert csp.get("base-uri") == ["'none'"] and csp.get("object-src", ["'none'"]) == ["'none'"]
    assert headers.get("Referrer-Policy") == "no-referrer", name
    assert headers.get("X-Frame-Options") == "DENY", name
    assert headers.get("X-Content-Type-Options") == "nosniff", name


def test_every_response_has_the_security_headers(client, new_session):
    session = new_session()
    for name, url in page_urls(client, session).items():
        headers = {"Authorization": f"Bearer {session['facilitator_token']}"} if name == "api" else {}
        response = client.get(url, headers=headers)
        response.close()
        assert response.status_code < 500, name
        check_headers(name, response.headers)
    check_headers("create", client.post("/api/sessions", json={"title": "x"}).headers)
    check_headers("404", client.get("/no/such/page").headers)
    for path in STATIC_FILES:
        response = client.get(path)
        response.close()
        assert response.status_code == 200, path
        check_subresource_headers(path, response.headers)


def test_pages_have_no_inline_scripts_or_event_handlers(client, new_session):
    session = new_session()
    for name, url in page_urls(client, session).items():
        response = client.get(url)
        html = response.get_data(as_text=True)
        response.close()
        if response.mimetype != "text/html":
            continue
        assert not INLINE_SCRIPT.search(html), (name, INLINE_SCRIPT.search(html).group(0))
        assert not EVENT_ATTRIBUTE.search(html), (name, EVENT_ATTRIBUTE.search(html).group(0))
        meta = re.search(r'<meta name="referrer" content="([^"]+)"', html)
        # A page may relax the header to same-origin (browsers then send a real Origin on the
        # socket's polling POSTs); it must never send the URL to other sites.
        assert meta is None or meta.group(1) in ("no-referrer", "same-origin"), (name, meta.group(1))


def cookie_flags(set_cookie: str) -> set[str]:
    """The attribute names of a Set-Cookie header, lower case."""
    return {part.split("=", 1)[0].strip().lower() for part in set_cookie.split(";")[1:]}


@pytest.mark.parametrize("public_url,secure", [(None, False), ("http://192.168.1.20:5000", False),
                                                ("https://workshop.example", True)])
def test_cookies_are_httponly_lax_and_secure_over_https(make_app, public_url, secure):
    app = make_app(PUBLIC_URL=public_url)
    client = app.test_client()
    session = client.post("/api/sessions", json={"title": "Cookies"}).get_json()
    signed_in = client.get(f"/s/{session['code']}/manage?t={session['facilitator_token']}")
    language = client.get("/lang/en?next=/")
    browser = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/").get_data(as_text=True)).group(1)
    form = browser.post("/sessions", data={"title": "Form", "pacing": "paced", "language": "nl", "csrf_token": token})
    for response in (signed_in, language, form):
        assert response.status_code == 303
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies
        for cookie in cookies:
            flags = cookie_flags(cookie)
            assert "httponly" in flags and "samesite=lax" in {f.lower() for f in cookie.replace(" ", "").split(";")}
            assert ("secure" in flags) is secure, cookie
    assert app.config["SESSION_COOKIE_SECURE"] is secure


def test_the_facilitator_token_leaves_the_address_bar_at_once(client, new_session):
    session = new_session()
    response = client.get(f"/s/{session['code']}/manage?t={session['facilitator_token']}")
    assert response.status_code == 303
    assert session["facilitator_token"] not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.integration
def test_the_real_server_sends_the_same_headers(tmp_path):
    with ServerProcess(tmp_path / "data") as server, requests.Session() as http:
        session = http.post(server.url + "/api/sessions", json={"title": "Real"}, timeout=5).json()
        code, key = session["code"], session["projector_url"].split("k=", 1)[1]
        for path in ("/", f"/j/{code}", f"/s/{code}/screen?k={key}", f"/s/{code}/manage", "/j/ZZZZZZ",
                     "/static/js/no-such-file.js"):
            response = http.get(server.url + path, timeout=5)
            check_headers(path, response.headers)
        for path in STATIC_FILES:
            check_subresource_headers(path, http.get(server.url + path, timeout=5).headers)
        signed_in = http.get(f"{server.url}/s/{code}/manage?t={session['facilitator_token']}",
                             allow_redirects=False, timeout=5)
        flags = cookie_flags(signed_in.headers["Set-Cookie"])
        assert "httponly" in flags and "secure" not in flags  # served over plain http on 127.0.0.1
        assert "samesite=lax" in signed_in.headers["Set-Cookie"].lower().replace(" ", "")


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "/\t/evil.example",
                                    "javascript:alert(1)", "\\\\evil.example"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location.split("?")[0]


def test_text_people_typed_is_escaped_in_pages(client, socketio):
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    session = client.post("/api/sessions", json={"title": evil[:120], "disciplines": [evil[:40]]}).get_json()
    code = session["code"]
    client.get(f"/s/{code}/manage?t={session['facilitator_token']}")
    key = session["projector_url"].split("k=", 1)[1]
    for url in (f"/j/{code}", f"/s/{code}/manage", f"/s/{code}/screen?k={key}", "/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert not INLINE_SCRIPT.search(page), url
