"""The pages follow a session to another worker by themselves when its worker is killed (issue 25).

Two workers behind nginx with Redis (tests/support/cluster.py). The supervisor is paused while the worker holding
the session is killed, so the session has to move to the other worker: the phone, the projector and the
facilitator's console reconnect without a reload, through `not_owner` refusals until the dead worker's lease
expired, and an answer tapped meanwhile waits in the phone's outbox and arrives.
"""
from __future__ import annotations

import os
import signal

import pytest
import requests
from playwright.sync_api import expect

from tests.integration.test_workers import WORKER
from tests.support.cluster import Cluster, missing_tools

from .helpers import create_session, questionnaire
from .test_resilience import answer, join

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())}"),
]

Q = questionnaire("nl")
FIRST, SECOND = Q["questions"][0], Q["questions"][1]


@pytest.fixture
def cluster(tmp_path, chromium_path):
    """redis-server, two workers and nginx."""
    running = Cluster(tmp_path, 2).start()
    yield running
    running.stop()


def test_phone_projector_and_console_follow_a_session_to_the_other_worker(cluster, pages):
    session = create_session(cluster.url)
    code = session["code"]
    fac = pages.facilitator(session["facilitator_url"])
    projector = pages.projector(session["projector_url"])
    phone = join(pages, session["join_url"])
    expect(projector.locator("#lobby-count-n")).to_have_text("1")
    fac.locator("[data-action='start']").click()
    answer(phone, FIRST, 3)
    home = int(requests.get(f"{cluster.url}/j/{code}", timeout=5).headers[WORKER])
    supervisor = cluster.workers.proc.pid
    os.kill(supervisor, signal.SIGSTOP)  # the dead worker stays away: the session must move
    try:
        os.kill(cluster.workers.pids[home], signal.SIGKILL)
        for page in (phone, projector, fac):
            expect(page.locator("#conn-banner")).to_be_visible()
        # A new tap while the session moves: it waits in the outbox and is sent after the reconnect.
        changed = FIRST["options"][1]["id"]
        phone.locator("label.option").filter(has=phone.locator(f"input[value='{changed}']")).tap()
        for page in (phone, projector, fac):
            expect(page.locator("#conn-banner")).to_be_hidden(timeout=40_000)
        expect(phone.locator(".q-status--ok")).to_be_visible(timeout=20_000)
        expect(phone.locator(f"input[value='{changed}']")).to_be_checked()
        expect(projector.locator(".sc-answered-text strong")).to_have_text("1")
        # The session goes on, on the other worker: the console drives it, the phone answers.
        fac.locator("body").press("r")
        expect(projector.locator(".sc-reveal .sc-row")).to_have_count(len(FIRST["options"]))
        fac.locator("body").press("n")
        answer(phone, SECOND, 1)
        expect(projector.locator(".sc-answered-text strong")).to_have_text("1")
    finally:
        os.kill(supervisor, signal.SIGCONT)
    summary = requests.get(f"{cluster.url}/api/sessions/{code}/summary", timeout=30,
                           headers={"Authorization": f"Bearer {session['facilitator_token']}"}).json()
    answers = summary["participants"][0]["answers"]
    assert answers[FIRST["id"]]["1"] == changed and answers[SECOND["id"]]["1"] == SECOND["options"][1]["id"]
