"""workshop.web.links: absolute links come from the routes, on the public URL fixed at start."""
from __future__ import annotations

from workshop.web.links import FALLBACK, Links

LAN = "http://192.168.1.20:5000"


def links_of(app) -> Links:
    """The app's links."""
    return app.extensions["workshop"].links


def test_with_a_public_url_every_link_is_on_it_in_a_request_or_not(make_app):
    app = make_app(PUBLIC_URL=LAN + "/")
    links = links_of(app)
    assert links.join_url("K7QX2M") == f"{LAN}/j/K7QX2M"  # no request, no app context
    assert links.url("pages.screen", code="K7QX2M", k="abc") == f"{LAN}/s/K7QX2M/screen?k=abc"
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert links.join_url("K7QX2M") == f"{LAN}/j/K7QX2M"
        assert links.reachable


def test_requests_to_the_loopback_address_still_work_when_the_public_url_names_the_lan(make_app):
    client = make_app(PUBLIC_URL=LAN).test_client()
    assert client.get("/", base_url="http://127.0.0.1:5000").status_code == 200
    created = client.post("/api/sessions", json={"title": "Laptop"}, base_url="http://127.0.0.1:5000").get_json()
    code, token = created["code"], created["facilitator_token"]
    assert created["join_url"] == f"{LAN}/j/{code}"
    assert created["facilitator_url"] == f"{LAN}/s/{code}/manage?t={token}"
    assert created["projector_url"].startswith(f"{LAN}/s/{code}/screen?k=")
    assert client.get(f"/j/{code}", base_url="http://127.0.0.1:5000").status_code == 200


def test_a_public_url_with_a_path_keeps_it(make_app):
    links = links_of(make_app(PUBLIC_URL="https://example.org/workshop/"))
    assert links.join_url("K7QX2M") == "https://example.org/workshop/j/K7QX2M"
    assert links.url("exports.report", code="K7QX2M", key="f00") == "https://example.org/workshop/r/K7QX2M/f00"


def test_an_unreachable_public_url_is_flagged(make_app):
    links = links_of(make_app(PUBLIC_URL="http://127.0.0.1:5000", PUBLIC_URL_REACHABLE=False))
    assert not links.reachable and links.join_url("K7QX2M") == "http://127.0.0.1:5000/j/K7QX2M"


def test_without_a_public_url_links_follow_the_request_else_the_fallback(make_app):
    app = make_app()
    links = links_of(app)
    assert links.base() == FALLBACK and not links.reachable
    assert links.join_url("K7QX2M") == "http://localhost/j/K7QX2M"
    with app.test_request_context("/", base_url="https://workshop.example"):
        assert links.join_url("K7QX2M") == "https://workshop.example/j/K7QX2M"
        assert links.reachable
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert links.join_url("K7QX2M") == "http://127.0.0.1:5000/j/K7QX2M"
        assert not links.reachable
