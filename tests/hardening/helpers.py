"""Helpers for the hardening tests: a fingerprint of the database, an error-log trap, run counters."""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import Counter
from pathlib import Path

TABLES = ("sessions", "participants", "answers", "notes", "steps")

# How many examples / cycles each hardening test ran, and notes (seeds); printed in the terminal summary.
RUNS: Counter = Counter()
NOTES: list[str] = []


def db_fingerprint(db_path: str | Path) -> str:
    """A hash of every row of every table, read through a separate read-only connection."""
    digest = hashlib.sha256()
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for table in TABLES:
            digest.update(table.encode())
            for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid" if table != "answers"
                                  else "SELECT * FROM answers ORDER BY participant_id, question_id, round"):
                digest.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
    finally:
        db.close()
    return digest.hexdigest()


class ErrorTrap(logging.Handler):
    """Collects ERROR records from the app and the Socket.IO stack (handler exceptions end up here)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "further occurrences of this error" in record.getMessage():
            return  # Engine.IO's once-only note about a client's bad request (origin, protocol version)
        self.records.append(record)

    def take(self) -> list[str]:
        """Return and forget the messages collected so far."""
        messages = [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
                    for r in self.records]
        self.records.clear()
        return messages


def script_sources(csp: str) -> list[str]:
    """The sources a Content-Security-Policy allows scripts from (script-src, else default-src)."""
    found: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            found.setdefault(words[0].lower(), words[1:])
    return found.get("script-src", found.get("default-src", ["*"]))
