"""Issue 20, finding 3: behind the shipped nginx with two workers, a crafted handshake URL must not make a
second worker load its own copy (a ghost) of a session that another worker holds.

nginx hashes `$arg_code`: the first query parameter whose name is `code` in any case, as written (not
URL-decoded). Flask reads the decoded, case-sensitive `code`. `?CODE=<decoy>&code=<real>` therefore went to the
decoy's worker while the app connected the real session there. Now nginx passes on the value it hashed and a
worker serves a session only when that value is its canonical code; every other route is refused
(`wrong_worker`) before the session is loaded.
"""
from __future__ import annotations

import json
import re

import pytest
import requests

from tests.integration.test_workers import facilitator, sessions_on_both_workers
from tests.support.cluster import Cluster, missing_tools

from .wire import RawSocket

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} (apt-get install redis-server nginx)"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """redis-server, two workers and nginx in front, as docs/deployment.md sets them up."""
    running = Cluster(tmp_path_factory.mktemp("ghost"), 2, env={"WORKSHOP_METRICS": "1"}).start()
    yield running
    running.stop()


def rooms_in_memory(port: int) -> int:
    """The sessions one worker holds in memory, from its own /metrics (served to 127.0.0.1 only)."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return int(float(re.search(r"^workshop_rooms_in_memory (\S+)$", text, re.MULTILINE).group(1)))


def raw(method: str, url: str, data: str | None = None, headers: dict | None = None, timeout: float = 5):
    """A request whose URL goes out byte for byte as written (requests would decode %63 into c)."""
    prepared = requests.Request(method, url, data=data, headers=headers).prepare()
    prepared.url = url
    with requests.Session() as session:
        return session.send(prepared, timeout=timeout)


def worker_of(cluster, sid: str) -> str:
    """Which worker holds an Engine.IO session: the one whose port accepts a packet (a pong) for its sid."""
    holders = [str(n) for n, port in enumerate(cluster.workers.ports(), 1)
               if requests.post(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling&sid={sid}", data="3",
                                headers={"Content-Type": "text/plain;charset=UTF-8"}, timeout=5).status_code == 200]
    assert len(holders) == 1, holders
    return holders[0]


def handshake_worker(cluster, query: str, headers: dict | None = None) -> str | None:
    """The worker nginx sends a handshake with this query to; None when nginx hashes an empty value (round robin)."""
    opened = raw("GET", f"{cluster.url}/socket.io/?EIO=4&transport=polling&{query}", headers=headers)
    assert opened.status_code == 200, opened.text
    worker = worker_of(cluster, json.loads(opened.text[1:])["sid"])
    again = raw("GET", f"{cluster.url}/socket.io/?EIO=4&transport=polling&{query}", headers=headers)
    return worker if worker_of(cluster, json.loads(again.text[1:])["sid"]) == worker else None


def connect_through_nginx(cluster, query: str, code: str, headers: dict | None = None) -> dict:
    """Connect /participant for `code` over a websocket opened through nginx with `query`; the ack or refusal."""
    sock = RawSocket(cluster.url, query="&" + query, header=headers)
    try:
        return sock.connect("/participant", {"code": code})
    finally:
        sock.close()


def encodings(code: str) -> list[str]:
    """The session code written in ways nginx hashes differently and Flask decodes to the same: %XX, lower case."""
    variants = [code.lower(), code[:3] + "-" + code[3:]]
    variants += [code[:i] + f"%{ord(code[i]):02X}" + code[i + 1:]
                 for i in range(len(code))]
    return variants


def test_no_handshake_url_makes_a_second_worker_load_a_session(cluster):
    proxy = cluster.url
    placed = sessions_on_both_workers(proxy)
    real, decoy = placed["1"][0], placed["2"][0]
    code = real["code"]
    owner = facilitator(proxy, real, ["websocket"])
    try:
        assert owner.call("command", {"action": "lock"})["ok"]
        before = {worker: rooms_in_memory(port) for worker, port in zip("12", cluster.workers.ports())}
        attacks = {
            "upper-case name first": f"CODE={decoy['code']}&code={code}",
            "mixed-case name first": f"cOdE={decoy['code']}&code={code}",
            "encoded name": f"%63ode={code}",
            "encoded name after the decoy": f"code={decoy['code']}&%63ode={code}",
            **{f"value {v}": f"code={v}" for v in encodings(code)},
        }
        reached = set()
        for name, query in attacks.items():
            reply = connect_through_nginx(cluster, query, code)
            assert not reply["ok"] and reply["data"]["data"]["code"] == "wrong_worker", (name, reply)
            reached.add(handshake_worker(cluster, query))
        # The client's own header is never believed: nginx replaces it by what it hashed (here: nothing).
        forged = {"X-Workshop-Code": code}
        for _ in range(2):  # round robin: both workers
            reply = connect_through_nginx(cluster, f"x={decoy['code']}", code, headers=forged)
            assert not reply["ok"] and reply["data"]["data"]["code"] == "wrong_worker", reply
        assert {"1", "2"} <= reached  # the variants did reach the worker that does not hold the session
        after = {worker: rooms_in_memory(port) for worker, port in zip("12", cluster.workers.ports())}
        assert after["2"] == before["2"]  # no ghost copy on worker 2
        # The honest route still works: the pages' own URL (?code=CODE) reaches the owner.
        assert handshake_worker(cluster, f"code={code}") == "1"
        assert connect_through_nginx(cluster, f"code={code}", code)["ok"]
    finally:
        owner.sio.disconnect()
