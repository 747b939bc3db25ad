"""Issue 20, finding 7: building summaries blocked the event loop. One comparison of 12 big sessions held every
socket for seconds; four at once stalled /healthz for 7.5 s. The same for summaries and exports.

Reports are now built in OS threads on read connections of their own (Services.built), REPORT_THREADS at
once, and limited per address (RATE_EXPORT). bench/report_loop.py measures how long /healthz waits meanwhile.
"""
from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.support.big_sessions import seed
from tests.support.server import ServerProcess
from workshop import settings

pytestmark = pytest.mark.integration

SESSIONS, PEOPLE = 12, 2000  # one comparison: ~1.3 s of CPU here; the 12 x 5,000 took 2.7 s
EXPORTS, WINDOW = settings.defaults()["RATE_EXPORT"]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Twelve finished sessions of PEOPLE participants each, stored before the server starts."""
    data = tmp_path_factory.mktemp("reports") / "data"
    return data, seed(data, SESSIONS, PEOPLE)


@pytest.fixture(scope="module")
def server(big):
    """A real server on the big sessions with the shipped report limit (the other limits relaxed)."""
    with ServerProcess(big[0], env={"WORKSHOP_RATE_EXPORT": f"{EXPORTS},{WINDOW}"}) as running:
        yield running


def test_healthz_keeps_answering_during_four_concurrent_comparisons(server, big):
    body = {"sessions": [{"code": code, "token": token} for code, token in big[1]]}
    answered: list[float] = []  # when each /healthz answer came
    compares: list[tuple[float, float, int]] = []
    done = threading.Event()

    def poll() -> None:
        """Ask /healthz one after another until the comparisons are done."""
        while not done.is_set():
            assert requests.get(server.url + "/healthz", timeout=60).status_code == 200
            answered.append(time.monotonic())

    def compare() -> None:
        """One comparison of all twelve sessions."""
        began = time.monotonic()
        status = requests.post(server.url + "/api/compare", json=body, timeout=120).status_code
        compares.append((began, time.monotonic(), status))

    poller = threading.Thread(target=poll)
    poller.start()
    workers = [threading.Thread(target=compare) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=150)
    done.set()
    poller.join(timeout=70)
    assert [status for _, _, status in compares] == [200] * 4
    first, last = min(c[0] for c in compares), max(c[1] for c in compares)
    during = [t for t in answered if first <= t <= last]
    # On the event loop, /healthz got an answer only between two comparisons (about five in all);
    # off it, the loop answers one after another while the comparisons are built.
    assert len(during) >= 20, f"{len(during)} answers in {last - first:.1f} s of comparisons"


def test_reports_are_limited_per_address_counted_before_anything_is_looked_up(server, big):
    code, token = big[1][0]
    for _ in range(EXPORTS):  # wrong tokens: each one spends the address's budget like a report would
        requests.get(f"{server.url}/api/sessions/{code}/summary", timeout=60, headers={"Authorization": "Bearer wrong"})
    reply = requests.get(f"{server.url}/api/sessions/{code}/summary", timeout=60,
                         headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 429 and reply.json()["error"]["code"] == "rate_limited"
    page = requests.get(f"{server.url}/compare?c={code}", timeout=10)  # another report route: the same budget
    assert page.status_code == 429 and "text/html" in page.headers["Content-Type"]
    refused = requests.post(server.url + "/api/compare", json={"sessions": [{"code": code, "token": token}]},
                            timeout=10)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    other = requests.get(server.url + "/healthz", timeout=10)
    assert other.status_code == 200  # only reports are refused
