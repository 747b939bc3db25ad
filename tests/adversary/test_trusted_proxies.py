"""TRUSTED_PROXIES: behind a proxy, limits key on the forwarded client and cookies follow https; without it,
X-Forwarded-* headers are ignored, so nobody dodges a rate limit by sending them."""
from __future__ import annotations

import pytest
import requests

from tests.support.server import RELAXED_LIMITS, ServerProcess

from .http_browser import PhoneSocket

LOOKUP = (3, 60.0)
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "workshop.example"}


def guess(client, code: str, forwarded_for: str | None = None) -> int:
    """Look a code up on the join page, as from the given forwarded address; return the status."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.get(f"/j/{code}", headers=headers).status_code


def cookie_flags(response) -> set[str]:
    """The attribute names of the session cookie a response sets."""
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("workshop="))
    return {part.split("=", 1)[0].strip().lower() for part in cookie.split(";")[1:]}


def test_without_the_setting_forwarded_headers_are_ignored(make_app):
    client = make_app(RATE_LOOKUP=LOOKUP).test_client()
    statuses = [guess(client, code, f"198.51.100.{n}") for n, code in enumerate(("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"))]
    assert statuses == [404, 404, 404, 429]  # a new X-Forwarded-For on every guess did not help
    assert guess(client, "EEEEEE", "203.0.113.99") == 429
    page = client.get("/", headers=PROXY, base_url="http://127.0.0.1:5000")
    assert "secure" not in cookie_flags(page)
    assert "workshop.example" not in page.headers["Content-Security-Policy"]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(make_app):
    client = make_app(RATE_LOOKUP=LOOKUP, TRUSTED_PROXIES=1).test_client()
    assert [guess(client, c, "203.0.113.5") for c in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD")] == [404, 404, 404, 429]
    assert guess(client, "EEEEEE", "203.0.113.6") == 404
    # what the client itself put before the proxy's entry is not believed
    assert guess(client, "FFFFFF", "203.0.113.6, 203.0.113.5") == 429
    assert guess(client, "GGGGGG", "203.0.113.5, 203.0.113.7") == 404


def test_behind_a_trusted_https_proxy_the_cookie_is_secure_and_the_csp_names_the_forwarded_host(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    page = client.get("/", headers=PROXY, base_url="http://127.0.0.1:5000")
    assert page.status_code == 200
    assert "secure" in cookie_flags(page)
    assert "wss://workshop.example" in page.headers["Content-Security-Policy"]
    session = client.post("/api/sessions", json={"title": "Proxy"}, headers=PROXY).get_json()
    assert session["join_url"].startswith("https://workshop.example/j/")
    plain = make_app(TRUSTED_PROXIES=1).test_client().get("/", headers={"X-Forwarded-Proto": "http"})
    assert "secure" not in cookie_flags(plain)  # http to the proxy: no Secure, or the browser drops the cookie


@pytest.mark.integration
@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_the_real_server_keys_socket_limits_on_the_forwarded_client(tmp_path, transport):
    env = {**RELAXED_LIMITS, "WORKSHOP_RATE_LOOKUP": "3,60", "WORKSHOP_TRUSTED_PROXIES": "1"}
    with ServerProcess(tmp_path / "data", env=env, relaxed_limits=False) as server:
        def refusal(code, client):
            phone = PhoneSocket(server.url, {"code": code}, {"X-Forwarded-For": client}, transport)
            assert not phone.connected
            return phone.refusal.get("code")

        assert [refusal(c, "203.0.113.5") for c in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD")] == \
            ["unknown_session"] * 3 + ["rate_limited"]
        assert refusal("EEEEEE", "203.0.113.6") == "unknown_session"
        assert requests.get(f"{server.url}/j/FFFFFF", headers={"X-Forwarded-For": "203.0.113.5"},
                            timeout=10).status_code == 429  # HTTP and Socket.IO share the forwarded address
        code = requests.post(f"{server.url}/api/sessions", json={"title": "Proxy"}, timeout=10).json()["code"]
        # the origin check sees the host and scheme the browser used at the proxy
        phone = PhoneSocket(server.url, {"code": code},
                            {**PROXY, "Origin": "https://workshop.example", "X-Forwarded-For": "203.0.113.9"}, transport)
        assert phone.connected
        phone.close()
        page = requests.get(server.url + "/", headers=PROXY, timeout=10)
        assert "; Secure" in page.headers["Set-Cookie"] and "wss://workshop.example" in page.headers["Content-Security-Policy"]


@pytest.mark.integration
def test_the_real_server_ignores_forwarded_headers_without_the_setting(tmp_path):
    env = {**RELAXED_LIMITS, "WORKSHOP_RATE_LOOKUP": "3,60"}
    with ServerProcess(tmp_path / "data", env=env, relaxed_limits=False) as server:
        refusals = []
        for n, code in enumerate(("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD")):
            phone = PhoneSocket(server.url, {"code": code}, {"X-Forwarded-For": f"198.51.100.{n}"})
            refusals.append(phone.refusal.get("code"))
        assert refusals == ["unknown_session"] * 3 + ["rate_limited"]
        code = requests.post(f"{server.url}/api/sessions", json={"title": "Direct"}, timeout=10).json()["code"]
        forged = PhoneSocket(server.url, {"code": code}, {**PROXY, "Origin": "https://workshop.example"}, "polling")
        assert not forged.connected  # a claimed host does not widen the origin check
        page = requests.get(server.url + "/", headers=PROXY, timeout=10)
        assert "Secure" not in page.headers["Set-Cookie"]
