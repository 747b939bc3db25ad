"""The pages put their session's code in Socket.IO's handshake URL, so nginx in front of two workers routes them."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.support.cluster import Cluster, missing_tools

from .helpers import SMALL_PHONE, create_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} "
                       "(apt-get install redis-server nginx; .ci/run installs them)"),
]


@pytest.fixture
def cluster(tmp_path, chromium_path):
    """Two workers behind nginx with Redis between them."""
    running = Cluster(tmp_path).start()
    yield running
    running.stop()


def test_every_page_reaches_its_sessions_worker_through_nginx(cluster, pages):
    session = create_session(cluster.url, pacing="paced")
    code = session["code"]
    worker = requests.get(f"{cluster.url}/j/{code}", timeout=5).headers["X-Workshop-Worker"]
    sockets: dict[str, list[str]] = {}

    def watch(page, name):
        """Record the URL of every WebSocket a page opens."""
        page.on("websocket", lambda ws: sockets.setdefault(name, []).append(ws.url))
        return page

    fac = watch(pages.facilitator(), "facilitator")
    fac.goto(session["facilitator_url"])
    assert re.search(r"/s/\w+/manage$", fac.url)
    projector = watch(pages.projector(), "projector")
    projector.goto(session["projector_url"])
    phone = watch(pages.phone("Eva", SMALL_PHONE), "phone")
    phone.goto(session["join_url"])
    phone.locator("#nickname").fill("Eva")
    phone.locator("#join-submit").tap()
    expect(phone.locator("#v-wait")).to_be_visible()  # joined: its socket reached the worker holding the session
    expect(fac.locator("body")).to_contain_text("Eva")  # the facilitator's roster, live from the same worker
    assert set(sockets) == {"facilitator", "projector", "phone"}
    for name, urls in sockets.items():
        assert urls and all(f"/socket.io/?code={code}&" in url for url in urls), (name, urls)
    for path in (f"/s/{code}/manage", f"/j/{code}"):
        assert requests.get(cluster.url + path, timeout=5, allow_redirects=False).headers["X-Workshop-Worker"] == worker
