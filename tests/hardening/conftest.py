"""Fixtures for the hardening tests; the terminal summary says how many examples and cycles ran."""
from __future__ import annotations

import logging

import pytest

from .helpers import NOTES, RUNS, ErrorTrap


@pytest.fixture
def error_trap():
    """Trap ERROR log records of workshop, socketio, engineio, flask and werkzeug for one test."""
    trap = ErrorTrap()
    loggers = [logging.getLogger(n) for n in ("workshop", "socketio", "engineio", "flask.app", "werkzeug")]
    for lg in loggers:
        lg.addHandler(trap)
    yield trap
    for lg in loggers:
        lg.removeHandler(trap)


def pytest_terminal_summary(terminalreporter):
    """Say how many fuzz and stateful examples and crash cycles ran."""
    if RUNS or NOTES:
        terminalreporter.write_sep("-", "hardening runs")
        for name, count in sorted(RUNS.items()):
            terminalreporter.write_line(f"{name}: {count}")
        for note in NOTES:
            terminalreporter.write_line(note)
