"""`--public-url` and WORKSHOP_PUBLIC_URL are one setting, and behind TLS on 443 a browser's Origin without :443 is
accepted (issue 24, point 1). A real `workshop serve` process; the proxy's headers are sent by the test."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from tests.support.server import RELAXED_LIMITS, ROOT, ServerProcess, wait_for_line

pytestmark = pytest.mark.integration


def phones_line(server: ServerProcess) -> str:
    """The server's `Phones join at ...` log line (logged right after the `Open ...` line start() read), from there on."""
    match, _ = wait_for_line(server.log_path, server.log_offset, r"(Phones join at \S+)", time.monotonic() + 30,
                             server.proc)
    return match.group(1)


def test_the_environment_variable_alone_sets_every_link(tmp_path):
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_PUBLIC_URL": "https://workshop.example.org/"}) as server:
        assert phones_line(server) == "Phones join at https://workshop.example.org/j/<code>"
        session = requests.post(server.url + "/api/sessions", json={"title": "Env"}, timeout=10).json()
    code = session["code"]
    assert session["join_url"] == f"https://workshop.example.org/j/{code}"
    assert session["projector_url"].startswith(f"https://workshop.example.org/s/{code}/screen?k=")
    assert session["facilitator_url"].startswith(f"https://workshop.example.org/s/{code}/manage?t=")


def test_the_option_wins_over_the_environment_variable(tmp_path):
    env = {**os.environ, **RELAXED_LIMITS, "WORKSHOP_PUBLIC_URL": "https://workshop.example.org"}
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "workshop", "serve", "--host", "127.0.0.1", "--port", "0",
                                 "--data-dir", str(tmp_path / "data"), "--public-url", "http://192.0.2.7:5000/"],
                                cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        match, _ = wait_for_line(log_path, 0, r"(Phones join at \S+)", time.monotonic() + 30, proc)
    finally:
        proc.terminate()
        proc.wait(10)
    assert match.group(1) == "Phones join at http://192.0.2.7:5000/j/<code>"


@pytest.mark.parametrize("value", ["workshop.example.org", "ftp://workshop.example.org", "https://", "https://x/?a=1"])
def test_a_public_url_browsers_cannot_open_stops_the_start_in_one_line(tmp_path, value):
    done = subprocess.run([sys.executable, "-m", "workshop", "serve", "--host", "127.0.0.1", "--port", "0",
                           "--data-dir", str(tmp_path / "data")], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "WORKSHOP_PUBLIC_URL": value, "WORKSHOP_CLI_LANGUAGE": "en"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"The public URL {value} is not an address browsers can open: give http:// or https://, a host, at most a "
        "port and a path, e.g. https://workshop.example.org (--public-url or WORKSHOP_PUBLIC_URL)."]
    assert not (tmp_path / "data").exists()


BEHIND_TLS_ON_443 = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                     "X-Forwarded-Host": "workshop.example.org", "X-Forwarded-Port": "443"}


@pytest.mark.parametrize("origin,status", [
    ("https://workshop.example.org", 200),        # what a browser sends: no :443
    ("https://workshop.example.org:443", 200),
    ("https://workshop.example.org:8443", 400),
    ("http://workshop.example.org", 400),
    ("https://evil.example", 400),
])
def test_behind_tls_on_443_the_origin_without_its_port_is_the_pages_own(tmp_path, origin, status):
    """nginx's X-Forwarded-Port 443 makes the app's host workshop.example.org:443 (ProxyFix); the public URL here
    names another host, so only the page's own origin can match."""
    env = {"WORKSHOP_TRUSTED_PROXIES": "1", "WORKSHOP_PUBLIC_URL": "https://other.example"}
    with ServerProcess(tmp_path / "data", env=env) as server:
        reply = requests.get(server.url + "/socket.io/?EIO=4&transport=polling",
                             headers={**BEHIND_TLS_ON_443, "Origin": origin}, timeout=10)
    assert reply.status_code == status
    assert (reply.headers.get("Access-Control-Allow-Origin") == origin) is (status == 200)
