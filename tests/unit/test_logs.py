"""The log line (workshop/web/logs.py): one line per record, time, level, worker, session, no secret, repeats counted."""
from __future__ import annotations

import io
import logging
import re

import pytest

from workshop.web import logs
from workshop.core import security

LINE = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>[A-Z]+) worker=(?P<worker>\S+)"
                  r"(?: session=(?P<session>[A-Z0-9]{6}))? (?P<logger>[\w.]+): (?P<message>.*)$")


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self) -> float:
        """The time now."""
        return self.now


@pytest.fixture
def logged():
    """A logger whose records go through a LineHandler for worker 2 into a string; (logger, lines(), clock, session)."""
    out, clock, session = io.StringIO(), Clock(), {"code": None}
    handler = logs.LineHandler(2, lambda: session["code"], out, window=60.0, clock=clock)
    logger = logging.getLogger("workshop.test_logs")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, lambda: out.getvalue().splitlines(), clock, session
    logger.removeHandler(handler)
    logger.propagate = True


def test_a_record_is_one_line_with_time_level_worker_and_session(logged):
    logger, lines, _clock, session = logged
    logger.info("started")
    session["code"] = "K7QX2M"
    try:
        raise OSError(28, "No space left on device")
    except OSError:
        logger.exception("answer failed\nwith a second line")
    first, second = lines()
    assert LINE.match(first).group("level", "worker", "session", "logger", "message") == (
        "INFO", "2", None, "workshop.test_logs", "started")
    match = LINE.match(second)
    assert match and match.group("level", "worker", "session") == ("ERROR", "2", "K7QX2M")
    assert "answer failed | with a second line | Traceback (most recent call last): |" in match.group("message")
    assert match.group("message").endswith("OSError: [Errno 28] No space left on device")


def test_no_token_or_key_ever_reaches_the_log(logged):
    logger, lines, _clock, _session = logged
    token, key, report = security.new_token(), "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
    logger.info("GET /s/K7QX2M/manage?t=%s HTTP/1.1", token)
    logger.info("GET /s/K7QX2M/screen?k=%s&lang=nl", key)
    logger.info("GET /r/K7QX2M/%s", report)
    logger.warning("auth %s", {"code": "K7QX2M", "token": token, "key": key})
    logger.warning("bare %s and %s", token, key)
    logger.error("facilitator_token=%s", token[:12])  # even part of one
    text = "\n".join(lines())
    for secret in (token, key, report, token[:12]):
        assert secret not in text
    assert text.count(logs.MASK) >= 8
    assert "/s/K7QX2M/manage?t=***" in text and "/r/K7QX2M/***" in text and "K7QX2M" in text  # codes stay


def test_a_repeated_error_is_one_line_then_one_line_with_the_count(logged):
    logger, lines, clock, _session = logged
    for n in range(1113):  # what a full disk wrote in 15 s (issue 24)
        try:
            raise OSError(28, "No space left on device")
        except OSError:
            logger.exception("handler failed for answer %d", n)
        clock.now += 15 / 1113
    logger.warning("something else")  # another problem is not held back by the first
    assert len(lines()) == 2
    clock.now += 60
    logger.info("later")
    written = lines()
    assert len(written) == 4
    assert re.search(r"handler failed for answer 0 \[repeated 1112 more times in \d+ s\]", written[2]), written[2]
    assert LINE.match(written[2]).group("level") == "ERROR"


def test_info_lines_are_never_held_back(logged):
    logger, lines, _clock, _session = logged
    for _ in range(5):
        logger.info("Worker 1 (pid 1) on 127.0.0.1:8001")
    assert len(lines()) == 5


def test_repeats_left_at_exit_are_counted(logged):
    logger, lines, _clock, _session = logged
    for _ in range(3):
        logger.error("disk full")
    for handler in logger.handlers:
        handler.close()
    assert [LINE.match(line).group("message") for line in lines()] == [
        "disk full", "disk full [repeated 2 more times in inf s]"]


def test_the_session_comes_from_the_request_or_the_socket_event(app, client):
    from workshop.web.logs import session_of

    with app.test_request_context("/s/k7q-x2m/screen"):
        assert session_of() == "K7QX2M"  # the route's code, in canonical form
    with app.test_request_context("/socket.io/?code=K7QX2M&EIO=4"):
        assert session_of() == "K7QX2M"
    with app.test_request_context("/socket.io/?code=<script>&EIO=4"):
        assert session_of() is None  # never a typed text, only a valid code
    assert session_of() is None  # outside a request


@pytest.mark.parametrize("text", [
    "Cannot use the data directory /mnt: Read-only file system. Make it writable",
    "Worker 2 (pid 4242) exited with 1; starting it again.",
    'File "/work/workshop/tests/adversary/test_purge_keeps_a_session_with_fresh_activity.py", line 3',
    "Deleted 3 session(s) unchanged for more than 90 days.",
])
def test_ordinary_words_are_not_masked(text):
    assert logs.mask(text) == text
