"""Issue 20, finding 4: a facilitator link rotated away or evicted ends the control of the sockets signed in with it.

The attacker holds an old facilitator link and keeps its socket open and silent. Before the fix the socket
was checked only at its next event, so a silent one kept receiving the roster with names, notes, counts and
the owner's new report link, and an evicted link kept full control. Now the server disconnects it at once:
the command line runs in another process, the server notices its write (DeletionWatcher, every 0.5 s).
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.cluster import Cluster, missing_tools
from tests.support.server import ROOT, ServerProcess

from .http_browser import Browser
from .wire import RawSocket, create_session

pytestmark = pytest.mark.integration
LINKS_MAX = 2
SETTINGS = {"WORKSHOP_FACILITATOR_LINKS_MAX": str(LINKS_MAX)}  # the server's and the command line's


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `workshop serve` process that keeps at most LINKS_MAX extra facilitator links per session."""
    with ServerProcess(tmp_path_factory.mktemp("revoked") / "data",
                       env=SETTINGS) as running:
        yield running


def cli_link(server, code: str, *extra: str, env: dict | None = None) -> str:
    """`workshop sessions link CODE` in another process, as the operator runs it; the new link's token."""
    done = subprocess.run([sys.executable, "-m", "workshop", "sessions", "--data-dir", str(server.data_dir), "link",
                           code, *extra], cwd=ROOT, env={**os.environ, **SETTINGS, **(env or {})}, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split("?t=", 1)[1]


def silent_facilitator(server, code: str, token: str | None = None, cookie: str | None = None) -> RawSocket:
    """A facilitator socket that connects with a token (or a browser's cookie), reads its snapshot, then says nothing."""
    sock = RawSocket(server.url, cookie=cookie)
    auth = {"code": code, **({"token": token} if token else {})}
    assert sock.connect("/facilitator", auth)["ok"]
    sock.wait_for('42/facilitator,["snapshot"')
    return sock


def assert_signed_out_and_deaf(sock: RawSocket, server, session) -> None:
    """The socket is told why and disconnected, and what the room does next never reaches it."""
    sock.wait_for('42/facilitator,["failed",{"code":"bad_token"', timeout=10)
    sock.wait_for("41/facilitator", timeout=5)
    phone = RawSocket(server.url)
    try:
        assert phone.connect("/participant", {"code": session["code"]})["ok"]
        assert phone.emit("/participant", "join", {"nickname": "Na de rotatie"})["ok"]
        owner = RawSocket(server.url)
        assert owner.connect("/facilitator", {"code": session["code"], "token": session["facilitator_token"]})["ok"]
        assert owner.emit("/facilitator", "report_link", {"enabled": True})["ok"]
        owner.close()
    finally:
        phone.close()
    leaked = [f for f in sock.frames_within(1.5) if f.startswith("42/facilitator")]
    assert leaked == []
    refused = sock.connect("/facilitator", {"code": session["code"]})  # nor can it come back
    assert not refused["ok"]


def test_rotating_from_the_command_line_disconnects_a_silent_facilitator_socket(server):
    session = create_session(server.url, title="Gedeelde link")
    leaked = cli_link(server, session["code"])  # a link that was shared by mistake
    attacker = silent_facilitator(server, session["code"], leaked)
    try:
        session["facilitator_token"] = cli_link(server, session["code"], "--rotate", "--yes")
        assert_signed_out_and_deaf(attacker, server, session)
    finally:
        attacker.close()


def test_a_link_evicted_as_the_oldest_loses_its_socket_and_its_browser(server):
    session = create_session(server.url, title="Te veel links")
    oldest = cli_link(server, session["code"])
    browser = Browser(server.url)
    assert browser.get(f"/s/{session['code']}/manage?t={oldest}").status_code == 303
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    by_token = silent_facilitator(server, session["code"], oldest)
    by_cookie = silent_facilitator(server, session["code"], cookie=cookie)
    kept = silent_facilitator(server, session["code"], session["facilitator_token"])  # the first link is not extra
    try:
        for _ in range(LINKS_MAX):  # FACILITATOR_LINKS_MAX more: the oldest extra link goes
            cli_link(server, session["code"])
        for sock in (by_token, by_cookie):
            assert_signed_out_and_deaf(sock, server, session)
        assert browser.get(f"/s/{session['code']}/manage").status_code == 403
        assert kept.emit("/facilitator", "command", {"action": "lock"})["ok"]  # the first link still controls
    finally:
        for sock in (by_token, by_cookie, kept):
            sock.close()


def test_a_link_evicted_from_the_page_loses_its_socket_at_once(server):
    session = create_session(server.url, title="Links van de pagina")
    owner = silent_facilitator(server, session["code"], session["facilitator_token"])
    made = owner.emit("/facilitator", "facilitator_link", {})
    attacker = silent_facilitator(server, session["code"], made["url"].split("?t=", 1)[1])
    try:
        for _ in range(LINKS_MAX):
            assert owner.emit("/facilitator", "facilitator_link", {})["ok"]
        assert_signed_out_and_deaf(attacker, server, session)
    finally:
        attacker.close()
        owner.close()


@pytest.mark.skipif(bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} (apt-get install redis-server nginx)")
def test_with_two_workers_the_rotation_reaches_the_worker_holding_the_socket_through_the_queue(tmp_path):
    cluster = Cluster(tmp_path, 2, env={"WORKSHOP_DELETION_CHECK_INTERVAL": "0"}).start()  # the queue alone
    try:
        session = create_session(cluster.url, title="Twee workers")
        code = session["code"]
        leaked = cli_link(cluster.workers, code)
        attacker = RawSocket(cluster.url, query=f"&code={code}")
        try:
            assert attacker.connect("/facilitator", {"code": code, "token": leaked})["ok"]
            attacker.wait_for('42/facilitator,["snapshot"')
            env = {"WORKSHOP_MESSAGE_QUEUE": cluster.redis.url}
            session["facilitator_token"] = cli_link(cluster.workers, code, "--rotate", "--yes", env=env)
            attacker.wait_for('42/facilitator,["failed",{"code":"bad_token"', timeout=10)
            attacker.wait_for("41/facilitator", timeout=5)
        finally:
            attacker.close()
    finally:
        cluster.stop()
