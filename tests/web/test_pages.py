"""HTML pages: creating a session, friendly errors in both languages, escaping, the QR code, language."""
from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from .helpers import csrf_token, projector_key


def create_by_form(client, **fields):
    """Open the start page and send its form; return the redirect response."""
    form = {"title": "Werksessie", "pacing": "paced", "disciplines": "Directie\nMarketing", "language": "nl",
            "csrf_token": csrf_token(client), **fields}
    return client.post("/sessions", data=form)


def test_start_page_offers_the_form_with_seed_disciplines(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/sessions"' in html
    for discipline in ("Directie/management", "Bedrijfsvoering", "Artistiek/inhoud", "Publiek &amp; marketing",
                       "Collectie &amp; ICT", "Anders"):
        assert discipline in html


def test_creating_from_the_form_opens_the_facilitator_page(client, app):
    response = create_by_form(client)
    assert response.status_code == 303
    manage = response.headers["Location"]
    code = re.search(r"/s/([A-Z0-9]{6})/manage$", manage).group(1)
    page = client.get(manage)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = app.extensions["workshop"].projector_key(code)
    assert f"/s/{code}/screen?k={key}" in html  # the projector link is on the page
    assert f"/j/{code}" in html
    assert "Werksessie" in html
    # and the start page now lists it among "my sessions"
    assert code in client.get("/").get_data(as_text=True)


def test_form_errors_are_shown_and_nothing_is_created(client, app):
    response = create_by_form(client, title="   ")
    assert response.status_code == 400
    assert app.extensions["workshop"].live.sessions() == []


def test_api_creates_with_the_fields_the_issue_names(client):
    response = client.post("/api/sessions", json={"title": "API", "pacing": "self", "disciplines": ["A", "B"],
                                                  "language": "en"})
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) >= {"code", "join_url", "projector_url", "facilitator_url", "facilitator_token"}
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}", data["code"])
    assert data["facilitator_url"].endswith(f"/s/{data['code']}/manage?t={data['facilitator_token']}")


@pytest.mark.parametrize("body,status,field", [
    ({}, 400, "title"),
    ({"title": ""}, 400, "title"),
    ({"title": "x" * 121}, 400, "title"),
    ({"title": 5}, 400, "title"),
    ({"title": "ok", "pacing": "fast"}, 400, "pacing"),
    ({"title": "ok", "language": "de"}, 400, "language"),
    ({"title": "ok", "disciplines": "A"}, 400, "disciplines"),
    ({"title": "ok", "disciplines": ["x" * 41]}, 400, "disciplines"),
    ({"title": "ok", "disciplines": [str(i) for i in range(13)]}, 400, "disciplines"),
    ({"title": "ok", "extra": 1}, 400, "extra"),
    ([1, 2], 400, None),
])
def test_api_rejects_bad_bodies_clearly(client, body, status, field):
    response = client.post("/api/sessions", json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"]
    if field:
        assert error.get("field") == field


def test_api_wants_json_and_limits_size(client):
    assert client.post("/api/sessions", data="title=x").status_code == 415
    big = client.post("/api/sessions", json={"title": "x" * 20000})
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "too_large"


def test_api_state_needs_the_bearer_token(client, new_session):
    session = new_session()
    url = f"/api/sessions/{session['code']}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = client.get(url, headers={"Authorization": f"Bearer {session['facilitator_token']}"})
    assert ok.status_code == 200 and ok.get_json()["state"]["stage"] == "lobby"


@pytest.mark.parametrize("lang,text", [("nl", "Sessie niet gevonden"), ("en", "Session not found")])
def test_unknown_code_gives_a_friendly_page_in_the_visitors_language(client, lang, text):
    response = client.get(f"/j/ZZZZZZ?lang={lang}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert text in html
    assert 'href="/j"' in html  # says what to do next: enter the code again


def test_join_by_code_accepts_how_people_type_it(client, new_session):
    code = new_session()["code"]
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    response = client.get("/j", query_string={"code": typed})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/j/{code}")
    assert client.get("/j", query_string={"code": "IIIIII"}).status_code == 404


def test_user_text_is_escaped_in_pages(client, new_session):
    evil = '<img src=x onerror="alert(1)">'
    response = create_by_form(client, title=evil, disciplines="<b>Directie</b>")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert evil not in page and "&lt;img src=x" in page
    code = response.headers["Location"].split("/")[2]
    phone_page = client.get(f"/j/{code}").get_data(as_text=True)
    assert evil not in phone_page and "<b>Directie</b>" not in phone_page


def test_projector_page_needs_its_key(client, new_session):
    session = new_session()
    assert client.get(f"/s/{session['code']}/screen?k=nope").status_code == 403
    page = client.get(f"/s/{session['code']}/screen?k={projector_key(session)}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and session["join_url"] in html


def svg_to_image(svg: str, scale: int = 8) -> Image.Image:
    """Rasterise the qrcode package's path SVG (unit squares) for decoding."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    for x, y in re.findall(r"M(\d+),(\d+)H", path):
        x, y = int(x), int(y)
        draw.rectangle([x * scale, y * scale, (x + 1) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_qr_code_encodes_the_join_url(client, new_session):
    session = new_session()
    svg = client.get(f"/s/{session['code']}/qr.svg").get_data(as_text=True)
    results = zxingcpp.read_barcodes(svg_to_image(svg))
    assert [r.text for r in results] == [session["join_url"]]


def test_language_switch_sets_a_cookie_and_returns(client):
    response = client.get("/lang/en?next=/j")
    assert response.status_code == 303 and response.headers["Location"] == "/j"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert 'lang="en"' in client.get("/j").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/nl", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_every_page_carries_the_security_headers(client, new_session):
    session = new_session()
    for url in ("/", "/j", f"/j/{session['code']}", f"/s/{session['code']}/screen?k={projector_key(session)}"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in csp
