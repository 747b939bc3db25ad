"""Privacy: anonymous by default, a short paragraph on the join page (NL/EN), retention used by purge."""
from __future__ import annotations

import html
import sqlite3

import pytest

from workshop import cli


def join_page(client, code: str, lang: str) -> str:
    """The phone page's HTML in a language, entities decoded."""
    response = client.get(f"/j/{code}?lang={lang}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("lang,words", [
    ("en", ["We keep your answers", "The facilitator sees them", "projector", "deleted after 90 days"]),
    ("nl", ["We bewaren je antwoorden", "De facilitator ziet ze", "scherm", "na 90 dagen verwijderd"]),
])
def test_the_join_page_says_what_is_stored_who_sees_it_and_how_long(client, new_session, lang, words):
    page = join_page(client, new_session()["code"], lang)
    privacy = page.split('class="privacy"', 1)[1].split("</details>", 1)[0]
    for word in words:
        assert word in privacy, (lang, word)
    assert len(privacy) < 900  # one short paragraph


def test_the_paragraph_follows_the_retention_setting(make_app):
    app = make_app(RETENTION_DAYS=30)
    client = app.test_client()
    code = client.post("/api/sessions", json={"title": "x"}).get_json()["code"]
    assert "deleted after 30 days" in join_page(client, code, "en")


def test_participants_are_anonymous_by_default(app, new_session, data_dir):
    session = new_session()
    socketio = app.extensions["socketio"]
    phone = socketio.test_client(app, namespace="/participant", auth={"code": session["code"]},
                                 flask_test_client=app.test_client())
    me = phone.emit("join", namespace="/participant", callback=True)["me"]
    assert me["nickname"] is None and me["discipline"] is None
    with sqlite3.connect(f"file:{data_dir / 'workshop.sqlite3'}?mode=ro", uri=True) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(participants)")}
        row = db.execute("SELECT nickname, discipline FROM participants").fetchone()
    # nothing about the device or the network: no address, user agent, cookie or fingerprint
    # (joined_late only says whether the join came after the first question opened: issue 10, finding 5)
    assert columns == {"id", "session_id", "number", "token_hash", "nickname", "discipline", "joined_at", "removed_at",
                       "joined_late"}
    assert row == (None, None)
    fac = socketio.test_client(app, namespace="/facilitator",
                               auth={"code": session["code"], "token": session["facilitator_token"]},
                               flask_test_client=app.test_client())
    snapshot = [e["args"][0] for e in fac.get_received("/facilitator") if e["name"] == "snapshot"][-1]
    assert snapshot["roster"]["participants"][0]["nickname"] is None
    assert snapshot["live"]["names"] == []


def test_the_nickname_field_says_who_sees_it(client, new_session):
    # the projector's lobby shows nicknames (issue 1), so the field must not say only the facilitator sees it
    for lang, text in (("en", "The facilitator and the projector show it. Leave it empty to take part anonymously."),
                       ("nl", "De facilitator en het scherm tonen hem. Laat leeg om anoniem mee te doen.")):
        assert text in join_page(client, new_session()["code"], lang)


def make_old_and_new_sessions(make_app) -> tuple[str, str]:
    """One session last changed long ago and one changed now; return their codes."""
    app = make_app()
    live = app.extensions["workshop"].live
    real_clock = live.clock
    live.clock = lambda: "2000-01-01T00:00:00+00:00"
    old, _ = live.create("Old")
    live.clock = real_clock
    new, _ = live.create("New")
    live.store.close()
    return old.code, new.code


def run_purge(data_dir, *extra) -> set[str]:
    """Run `workshop sessions purge --yes`; return the codes left."""
    assert cli.main(["sessions", "--data-dir", str(data_dir), "purge", "--yes", *extra]) == 0
    with sqlite3.connect(f"file:{data_dir / 'workshop.sqlite3'}?mode=ro", uri=True) as db:
        return {row[0] for row in db.execute("SELECT code FROM sessions")}


def test_purge_uses_the_retention_setting_by_default(make_app, data_dir, capsys):
    old, new = make_old_and_new_sessions(make_app)
    assert run_purge(data_dir) == {new}
    assert old in capsys.readouterr().out


def test_purge_follows_a_configured_retention(make_app, data_dir, monkeypatch):
    old, new = make_old_and_new_sessions(make_app)
    monkeypatch.setenv("WORKSHOP_RETENTION_DAYS", "100000")
    assert run_purge(data_dir) == {old, new}  # 2000-01-01 is younger than 100000 days
    monkeypatch.setenv("WORKSHOP_RETENTION_DAYS", "1")
    assert run_purge(data_dir) == {new}


def test_purge_removes_every_row_of_a_session(make_app, data_dir):
    app = make_app()
    live = app.extensions["workshop"].live
    live.clock = lambda: "2000-01-01T00:00:00+00:00"
    room, _ = live.create("Old")
    member, _ = live.join(room, "Anna")
    live.save_note(room, "", "note")
    live.store.close()
    run_purge(data_dir)
    with sqlite3.connect(f"file:{data_dir / 'workshop.sqlite3'}?mode=ro", uri=True) as db:
        for table in ("sessions", "participants", "answers", "notes", "steps"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
