"""The storage interface covers what Live and the exports use, and both stores (SQLite, PostgreSQL) satisfy it."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from workshop.store.interface import SessionStore
from workshop.store.postgres import PostgresStore
from workshop.store.sqlite import Store

PACKAGE = Path(__file__).resolve().parents[2] / "workshop"
USERS = ("live/service.py", "live/deletions.py", "live/ownership.py", "exports/load.py", "cli.py", "web/services.py", "web/pages.py",
         "web/api.py", "web/reports.py", "web/auth.py")
MEMBERS = [name for name, _ in inspect.getmembers(SessionStore, inspect.isfunction) if not name.startswith("_")]


def used_store_methods() -> set[str]:
    """Every `store.NAME(` the live service, the exports and the web layer call."""
    found: set[str] = set()
    for path in USERS:
        found |= set(re.findall(r"\bstore\.([a-z_]+)\(", (PACKAGE / path).read_text(encoding="utf-8")))
    return found


def test_every_store_method_in_use_is_in_the_interface():
    missing = used_store_methods() - set(MEMBERS)
    assert not missing, f"add to workshop/store/interface.py: {sorted(missing)}"


@pytest.mark.parametrize("implementation", [Store, PostgresStore], ids=["sqlite", "postgres"])
@pytest.mark.parametrize("name", MEMBERS)
def test_each_store_has_each_method_with_the_same_parameters(name, implementation):
    ours = inspect.signature(getattr(implementation, name))
    wanted = inspect.signature(getattr(SessionStore, name))
    assert list(ours.parameters) == list(wanted.parameters)
    assert [p.kind for p in ours.parameters.values()] == [p.kind for p in wanted.parameters.values()]


def test_an_open_sqlite_store_is_a_session_store(tmp_path):
    store = Store(tmp_path / "w.sqlite3")
    try:
        assert isinstance(store, SessionStore)
    finally:
        store.close()
