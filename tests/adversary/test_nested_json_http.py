"""Issue 20, finding 9: nested JSON over HTTP gave 500 and a RecursionError traceback per request.

2 KB of `[` to `POST /api/sessions` or `POST /api/compare` now get 400 with the documented JSON error, the log
stays quiet, and a creation attempt counts against RATE_CREATE before its body is parsed.
"""
from __future__ import annotations

import pytest
import requests

from tests.support.server import RELAXED_LIMITS, ServerProcess

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}
BODIES = {
    "2 KB of [": "[" * 2000,
    "nested 1,000 deep": "[" * 1000 + "]" * 1000,
    "nested 900 deep in a field": '{"title": ' + "[" * 900 + "]" * 900 + "}",
    "a code nested 900 deep": '{"sessions": [{"code": ' + "[" * 900 + "]" * 900 + ', "token": "x"}]}',
}
CREATE = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server that lets one address create CREATE sessions a window."""
    env = {**RELAXED_LIMITS, "WORKSHOP_RATE_CREATE": f"{CREATE},600"}
    with ServerProcess(tmp_path_factory.mktemp("nested") / "data", env=env, relaxed_limits=False) as running:
        yield running


def error_of(reply: requests.Response) -> dict:
    """The documented error object of a JSON error reply."""
    assert reply.headers["Content-Type"].startswith("application/json"), reply.text[:200]
    return reply.json()["error"]


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_nested_json_to_compare_is_a_json_400(server, body):
    reply = requests.post(server.url + "/api/compare", data=body, headers=JSON, timeout=10)
    assert reply.status_code == 400
    assert error_of(reply)["code"] == "bad_request"


def test_nested_json_to_create_is_a_json_400_and_counts_as_a_creation(server):
    for body in list(BODIES.values())[:CREATE]:
        reply = requests.post(server.url + "/api/sessions", data=body, headers=JSON, timeout=10)
        assert reply.status_code == 400
        assert error_of(reply)["code"] == "bad_request"
    valid = requests.post(server.url + "/api/sessions", json={"title": "Na de rommel"}, timeout=10)
    assert valid.status_code == 429
    assert error_of(valid)["code"] == "rate_limited"
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "ERROR" not in log and "RecursionError" not in log
