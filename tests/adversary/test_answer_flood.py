"""Finding 13: the answer limit holds per participant, however many sockets carry its token."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.support.server import ServerProcess

from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration

LIMIT = 30  # answers per participant per window; the window is long so the count, not the clock, decides


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server whose per-participant answer limit is LIMIT per ten minutes."""
    env = {"WORKSHOP_RATE_ANSWER": f"{LIMIT},600"}
    with ServerProcess(tmp_path_factory.mktemp("flood") / "data", env=env) as running:
        yield running


def started_self_paced(server):
    """A started self-paced session."""
    session = create_session(server.url, pacing="self")
    boss = RawSocket(server.url)
    try:
        assert boss.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert boss.emit("/facilitator", "command", {"action": "start"})["ok"]
    finally:
        boss.close()
    return session


def test_one_token_on_twenty_sockets_gets_the_limit_of_one_participant(server):
    session = started_self_paced(server)
    first = RawSocket(server.url)
    assert first.connect("/participant", {"code": session["code"]})["ok"]
    token = first.emit("/participant", "join", {"nickname": "Vloed"})["token"]
    sockets = [first]
    for _ in range(19):
        extra = RawSocket(server.url)
        assert extra.connect("/participant", {"code": session["code"], "token": token})["ok"]
        sockets.append(extra)
    outcomes: Counter = Counter()
    try:
        for i in range(600):
            option = ("nooit", "zelden")[i % 2]
            ack = sockets[i % 20].emit("/participant", "answer", {"question": "begrippen", "option": option, "round": 1})
            outcomes["ok" if ack["ok"] else ack["error"]["code"]] += 1
    finally:
        for s in sockets:
            s.close()
    assert outcomes == {"ok": LIMIT, "rate_limited": 600 - LIMIT}


def test_another_participant_on_the_same_address_still_answers(server):
    session = started_self_paced(server)
    greedy, modest = RawSocket(server.url), RawSocket(server.url)
    try:
        for phone in (greedy, modest):
            assert phone.connect("/participant", {"code": session["code"]})["ok"]
            assert phone.emit("/participant", "join", {})["ok"]
        answer = {"question": "begrippen", "option": "nooit", "round": 1}
        spent = [greedy.emit("/participant", "answer", answer)["ok"] for _ in range(LIMIT + 5)]
        assert spent.count(True) == LIMIT
        assert modest.emit("/participant", "answer", answer)["ok"]
    finally:
        greedy.close()
        modest.close()
