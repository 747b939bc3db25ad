"""Issue 20, finding 12: a page that carries a secret is never kept in a browser's disk cache or a proxy's.

The manage page holds the facilitator's projector key (and, once, a new facilitator link: the "remote"
offer), the projector page its key, the shared report its key in the path. A shared or lost computer's
cache would hand them to the next user.
"""
from __future__ import annotations

import pytest
import requests

from tests.support.server import ServerProcess

from .http_browser import Browser
from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `workshop serve` process."""
    with ServerProcess(tmp_path_factory.mktemp("cache") / "data") as running:
        yield running


def report_path(server, session) -> str:
    """Turn on the shared report link through the facilitator's socket; its path."""
    fac = RawSocket(server.url)
    try:
        assert fac.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        reply = fac.emit("/facilitator", "report_link", {"enabled": True})
        assert reply["ok"], reply
        return "/" + reply["report"]["url"].split("/", 3)[3]
    finally:
        fac.close()


def test_every_page_with_a_secret_says_no_store(server):
    browser = Browser(server.url)
    manage_path = browser.create_by_form("Geheimen")  # the manage page then shows the new link once ("remote")
    code = manage_path.split("/")[2]
    first = browser.get(manage_path)
    assert first.status_code == 200 and "?t=" in first.text  # the one-time offer of the facilitator link
    session = create_session(server.url, title="Met sleutels")
    key = session["projector_url"].split("k=", 1)[1]
    sign_in = Browser(server.url)
    pages = {
        "manage with the new link": first,
        "manage again": browser.get(manage_path),
        "sign-in redirect (?t=)": sign_in.get(f"/s/{session['code']}/manage?t={session['facilitator_token']}"),
        "manage after sign-in": sign_in.get(f"/s/{session['code']}/manage"),
        "projector": browser.get(f"/s/{session['code']}/screen?k={key}"),
        "projector preview": browser.get(f"/s/{session['code']}/screen?k={key}&preview=1"),
        "shared report": browser.get(report_path(server, session)),
        "download": sign_in.get(f"/s/{session['code']}/export.html"),
        "other session's manage": browser.get(f"/s/{code}/manage"),
        "API: a new session's token": requests.post(f"{server.url}/api/sessions", json={"title": "API"}, timeout=5),
        "API: the facilitator's state": requests.get(f"{server.url}/api/sessions/{session['code']}", timeout=5,
                                                     headers={"Authorization": f"Bearer {session['facilitator_token']}"}),
    }
    assert pages["sign-in redirect (?t=)"].status_code == 303
    for name, response in pages.items():
        assert response.status_code in (200, 201, 303), (name, response.status_code)
        assert response.headers.get("Cache-Control") == "no-store", (name, response.headers.get("Cache-Control"))
