"""Log lines an operator can read: one line per record with time, level, worker and session, never a secret.

`configure(worker)` (called by `workshop serve` and the supervisor before anything logs) sends every
logger's records (Flask's, Socket.IO's, the app's) through one handler on standard error:

    2026-12-06T18:20:01.123Z ERROR worker=2 session=K7QX2M workshop.web.sockets: socket handler failed | Traceback ...

- one line per record: a traceback is folded onto it with ` | ` between its lines, and written with one
  write() (whole lines of two workers never interleave within a line in the journal or a pipe);
- the time in UTC with milliseconds, the level, the worker (0: a single server or the supervisor), the
  session code when the record comes from a request or socket event that names one;
- tokens, projector and report keys are masked (`mask`), in URLs, in dicts and as bare long random strings;
- the same warning or error repeated within REPEAT_WINDOW seconds is written once; when the window is
  over, one line says how many more there were (a full disk wrote 1,113 tracebacks in 15 s: issue 24)."""
from __future__ import annotations

import logging
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable, TextIO

from flask import has_request_context, request

from workshop.core import security

REPEAT_WINDOW = 60.0  # seconds within which a repeated warning or error is counted instead of written
FORMAT = "%(asctime)s %(levelname)s worker=%(worker)s%(session_field)s %(name)s: %(message)s"
MASK = "***"
SECRETS = (
    # ?t=TOKEN (facilitator), ?k=KEY (projector), also key= and token=
    (re.compile(r"([?&;](?:t|k|key|token)=)[^&\s\"'#]+", re.IGNORECASE), r"\1" + MASK),
    # /r/CODE/KEY (shared report), /publication/PHASE/KEY.svg
    (re.compile(r"(/r/[A-Za-z0-9-]+/)[^/\s\"'?#]+"), r"\1" + MASK),
    (re.compile(r"(/publication/[^/\s\"']+/)[A-Za-z0-9_-]+"), r"\1" + MASK),
    # 'token': '...', "facilitator_token": "...", key=..., secret='...'
    (re.compile(r"""(\b(?:token|facilitator_token|key|secret)(?:["']?\s*[:=]\s*["']|=))[A-Za-z0-9_-]{8,}""",
                re.IGNORECASE), r"\1" + MASK),
    # any bare run of 32+ URL-safe characters holding letters and digits: tokens (32), keys (32 hex), hashes
    (re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}"
                r"(?![A-Za-z0-9_-])"), MASK),
)


def mask(text: str) -> str:
    """The text with every token and key replaced by ***."""
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text


class LineFormatter(logging.Formatter):
    """Formats a record on one line, UTC time with milliseconds, secrets masked."""

    converter = time.gmtime

    def __init__(self) -> None:
        """Use FORMAT."""
        super().__init__(FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        """ISO 8601 in UTC with milliseconds."""
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        """The whole record, traceback included, as one masked line."""
        record.worker = getattr(record, "worker", "-")
        session_code = getattr(record, "session", None)
        record.session_field = f" session={session_code}" if session_code else ""
        return mask(" | ".join(line for line in super().format(record).splitlines() if line.strip()))


@dataclass
class Repeats:
    """A warning or error seen in the current window, and how many more like it came since."""

    since: float
    record: logging.LogRecord
    more: int = 0


class LineHandler(logging.StreamHandler):
    """Writes one line per record to a stream, adds worker and session, and counts repeated problems."""

    def __init__(self, worker: int | str, session_of: Callable[[], str | None] | None = None,
                 stream: TextIO | None = None, window: float = REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic):
        """Write to stream (standard error); session_of() names the session of the current request, if any."""
        super().__init__(stream if stream is not None else sys.stderr)
        self.setFormatter(LineFormatter())
        self.worker = worker
        self.session_of = session_of
        self.window = window
        self.clock = clock
        self.repeats: dict[tuple, Repeats] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record unless it repeats one written within the window (then count it)."""
        record.worker = self.worker
        if getattr(record, "session", None) is None and self.session_of is not None:
            try:
                record.session = self.session_of()
            except Exception:  # noqa: BLE001 (naming the session must never stop a log line)
                record.session = None
        now = self.clock()
        self.flush_repeats(now)
        if record.levelno >= logging.WARNING and self.window > 0:
            key = (record.name, record.levelno, str(record.msg), record.exc_info and record.exc_info[0])
            seen = self.repeats.get(key)
            if seen is not None:
                seen.more += 1
                return
            self.repeats[key] = Repeats(now, record)
        self.write(record)

    def write(self, record: logging.LogRecord) -> None:
        """Format and write one record as one write() of one line."""
        try:
            line = self.format(record) + self.terminator
            with self.lock if self.lock is not None else _nothing():
                self.stream.write(line)
                self.stream.flush()
        except Exception:  # noqa: BLE001 (logging's own rule: a failing handler reports, never raises)
            self.handleError(record)

    def flush_repeats(self, now: float | None = None) -> None:
        """End the windows that are over: one line each for those that repeated, with the count."""
        now = self.clock() if now is None else now
        for key, seen in list(self.repeats.items()):
            if now - seen.since < self.window:
                continue
            del self.repeats[key]
            if seen.more:
                first = seen.record
                summary = logging.LogRecord(first.name, first.levelno, first.pathname, first.lineno,
                                            "%s [repeated %d more times in %.0f s]",
                                            (first.getMessage(), seen.more, now - seen.since), None)
                summary.session = getattr(first, "session", None)
                summary.worker = self.worker
                self.write(summary)

    def close(self) -> None:
        """Say what repeated before closing (at exit)."""
        self.flush_repeats(float("inf"))
        super().close()


class _nothing:
    """A context manager that does nothing (a handler without a lock)."""

    def __enter__(self) -> None:
        """Enter."""

    def __exit__(self, *_exc: object) -> None:
        """Leave."""


def configure(worker: int | str = 0, session_of: Callable[[], str | None] | None = None,
              stream: TextIO | None = None, level: int = logging.INFO, window: float = REPEAT_WINDOW) -> LineHandler:
    """Send every logger's records through one LineHandler on the root logger; return it."""
    handler = LineHandler(worker, session_of, stream, window)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return handler


# What a log line says about the request or socket event it comes from (workshop/web/logs.py).
BINDINGS = "workshop.bindings"  # the environ key of sockets.bindings(): each namespace connection's session


def session_of() -> str | None:
    """The session code of the current socket event (its binding), or the one the request names (path, ?code=)."""
    if not has_request_context():
        return None
    sid, namespace = getattr(request, "sid", None), getattr(request, "namespace", None)
    binding = request.environ.get(BINDINGS, {}).get((namespace, sid)) if sid else None
    if binding is not None:
        return binding.code
    raw = (request.view_args or {}).get("code") or request.args.get("code")
    return security.normalise_code(raw) if raw else None
