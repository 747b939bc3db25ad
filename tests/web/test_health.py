"""/healthz says when the database cannot be written, and a failure of the server's own is `internal` (issue 24)."""
from __future__ import annotations

import sqlite3

import pytest


def test_healthz_is_ok_while_the_database_takes_writes(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"ok": True}


def test_healthz_is_503_when_the_database_refuses_writes(app, client):
    store = app.extensions["workshop"].live.store
    store._conn.execute("PRAGMA query_only=ON")  # SQLite now refuses every write, as on a read-only file
    response = client.get("/healthz")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "unhealthy" and "cannot be written" in error["message"]
    store._conn.execute("PRAGMA query_only=OFF")
    assert client.get("/healthz").status_code == 200


def test_healthz_remembers_a_write_that_failed_until_one_succeeds(app, client, new_session):
    live = app.extensions["workshop"].live
    room = live.room(new_session()["code"])
    live.store._conn.execute("PRAGMA query_only=ON")
    with pytest.raises(sqlite3.OperationalError):
        live.store.save_note(room.id, "", "kwijt", live.clock())
    live.store._conn.execute("PRAGMA query_only=OFF")  # the probe would pass now: a write into reused log space
    response = client.get("/healthz")
    assert response.status_code == 503 and "a write failed" in response.get_json()["error"]["message"]
    live.store.save_note(room.id, "", "bewaard", live.clock())
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def failing(app, monkeypatch):
    """Make the session creation (API and form) and the join page fail with an unexpected exception."""
    def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(app.extensions["workshop"].live, "create", broken)
    monkeypatch.setattr(app.extensions["workshop"].live, "room", broken)
    return app


def test_an_api_500_is_json_with_the_code_internal(failing, client):
    response = client.post("/api/sessions", json={"title": "Vol"})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_page_500_is_the_error_page_without_a_traceback(failing, client):
    response = client.get("/j/ABC234", headers={"Accept-Language": "en"})
    assert response.status_code == 500 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Something went wrong on the server" in body or "Er ging iets mis op de server" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_other_api_errors_keep_their_codes(client):
    response = client.post("/api/sessions", data="{}" * 10_000, content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert client.post("/api/sessions", json=[1]).get_json()["error"]["code"] == "bad_request"
