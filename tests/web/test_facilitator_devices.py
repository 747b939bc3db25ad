"""The facilitator on several devices (issue 11, points 1, 3, 4): the link shown once, new links, devices in
step, the projector's presence, undo over the socket, and the framed projector copy."""
from __future__ import annotations

import re
from urllib.parse import unquote

from workshop import cli
from workshop.web import links

from .helpers import connect, projector_key
from .test_pages import create_by_form


def link_token(url: str) -> str:
    """The token in a facilitator link."""
    return re.search(r"[?&]t=([\w-]+)$", url).group(1)


def test_the_manage_page_shows_the_new_sessions_link_once(client, app):
    manage = create_by_form(client).headers["Location"]
    code = re.search(r"/s/(\w+)/manage$", manage).group(1)
    html = client.get(manage).get_data(as_text=True)
    url = re.search(r'id="fac-link-url" type="text" readonly value="([^"]+)"', html).group(1)
    assert re.fullmatch(rf"http://localhost/s/{code}/manage\?t=[\w-]{{30,}}", url)
    assert "Wie deze link heeft, bestuurt de sessie." in html
    mailto = re.search(r'id="fac-link-mail" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert mailto.startswith("mailto:?subject=") and url in unquote(mailto)
    svc = app.extensions["workshop"]
    assert svc.live.is_facilitator(svc.live.room(code), link_token(url))
    again = client.get(manage).get_data(as_text=True)
    assert 'id="fac-link-url" type="text" readonly value=""' in again  # once only
    assert link_token(url) not in again
    fresh = app.test_client()  # the link signs in another browser
    assert fresh.get(url).status_code == 303
    assert fresh.get(manage).status_code == 200


def test_the_link_is_only_for_the_session_it_was_made_with(client, app, new_session):
    create_by_form(client)
    other = new_session()
    svc = app.extensions["workshop"]
    with app.test_request_context():
        from flask import session

        from workshop.web import links as remote
        session[remote.NEW_LINK_KEY] = {"code": "ABCDEF", "token": "x"}
        assert remote.take_once(svc.live.room(other["code"])) is None


def test_a_second_device_gets_every_change_the_first_makes(app, socketio, room):
    r = room()
    ack = r.facilitator.emit("facilitator_link", {})
    assert ack["ok"] and ack["qr"].startswith("<svg") and ack["url"] in unquote(ack["mailto"])
    with r.app.test_request_context("/?lang=nl"):  # the session's language labels the image
        assert ack["qr"] == links.qr_svg(ack["url"])  # the browser test decodes it from a screenshot
    second = connect(socketio, app, "facilitator", {"code": r.code, "token": link_token(ack["url"])})
    assert second.client.is_connected("/facilitator")
    still = connect(socketio, app, "facilitator", {"code": r.code, "token": r.session["facilitator_token"]})
    assert still.client.is_connected("/facilitator")  # the first link keeps working

    assert r.command("start")["ok"]
    assert second.wait("state", lambda s: s["stage"] == "running")["shows"] == "question"
    assert r.facilitator.emit("note", {"question": "", "text": "Goed gesprek"})["ok"]
    assert second.wait("note") == {"question": "", "text": "Goed gesprek", "version": 1, "conflict": False}
    assert r.facilitator.emit("steps", {"items": [{"what": "Meten", "who": "Eva", "due": "mei"}]})["ok"]
    assert second.wait("steps") == {"items": [{"what": "Meten", "who": "Eva", "due": "mei", "idea": None}]}
    report = r.facilitator.emit("report_link", {"enabled": True})["report"]
    assert second.wait("report") == report and report["enabled"]
    assert r.screen.names().count("note") == 0  # the projector hears none of it


def test_the_facilitators_hear_whether_a_projector_is_connected_and_a_preview_does_not_count(app, socketio, room):
    r = room()
    assert r.facilitator.wait("snapshot")["projector"]["connected"] == 0  # connected before the projector
    assert r.facilitator.wait("projector", lambda d: d["connected"] == 1)  # the room fixture's projector
    key = projector_key(r.session)
    preview = connect(socketio, app, "screen", {"code": r.code, "key": key, "preview": True})
    assert preview.client.is_connected("/screen")
    extra = connect(socketio, app, "screen", {"code": r.code, "key": key})
    assert r.facilitator.wait("projector", lambda d: d["connected"] == 2)["changed_at"]
    extra.client.disconnect(namespace="/screen")
    r.screen.client.disconnect(namespace="/screen")
    gone = r.facilitator.wait("projector", lambda d: d["connected"] == 0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", gone["changed_at"])
    preview.client.disconnect(namespace="/screen")
    assert [d["connected"] for n, d in r.facilitator.pull() if n == "projector"][-1] == 0


def test_undo_over_the_socket_restores_the_state_and_says_what_changed(room):
    r = room()
    r.command("start")
    ack = r.command("next")
    assert ack["undo"] > 9 and ack["changes"] == [
        {"question": ack["state"]["questions"][0]["id"], "before": "open", "after": "closed"},
        {"question": ack["state"]["questions"][1]["id"], "before": "hidden", "after": "open"}]
    back = r.command("undo")
    assert back["ok"] and back["state"]["focus"] == ack["state"]["questions"][0]["id"] and back["undo"] == 0
    again = r.command("undo")
    assert not again["ok"] and again["error"]["code"] == "nothing_to_undo"
    assert r.screen.wait("state", lambda s: s["focus"] == back["state"]["focus"])


def test_only_the_preview_of_the_projector_may_be_framed_and_only_by_this_site(client, new_session):
    session = new_session()
    url = f"/s/{session['code']}/screen?k={projector_key(session)}"
    plain = client.get(url).headers
    assert "frame-ancestors 'none'" in plain["Content-Security-Policy"] and plain["X-Frame-Options"] == "DENY"
    framed = client.get(url + "&preview=1")
    assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]
    assert "script-src 'self'" in framed.headers["Content-Security-Policy"]
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '"preview": true' in framed.get_data(as_text=True)
    assert client.get(f"/s/{session['code']}/screen?k=wrong&preview=1").status_code == 403


def test_the_command_line_prints_a_new_link_and_rotate_stops_the_old_ones(app, socketio, client, data_dir,
                                                                          new_session, capsys):
    session = new_session()
    code, first = session["code"], session["facilitator_token"]
    signed_in = app.test_client()  # a browser that opened the first link before the rotation
    assert signed_in.get(f"/s/{code}/manage?t={first}").status_code == 303
    assert signed_in.get(f"/s/{code}/manage").status_code == 200
    open_socket = connect(socketio, app, "facilitator", {"code": code, "token": first})
    assert open_socket.emit("command", {"action": "lock"})["ok"]
    assert cli.main(["sessions", "--data-dir", str(data_dir), "link", code, "--public-url", "http://10.0.0.5:5000"]) == 0
    printed = capsys.readouterr().out.strip()
    assert re.fullmatch(rf"http://10\.0\.0\.5:5000/s/{code}/manage\?t=[\w-]{{30,}}", printed)
    path = printed.removeprefix("http://10.0.0.5:5000")
    assert app.test_client().get(path).status_code == 303  # the app accepts the CLI's link
    assert app.test_client().get(f"/s/{code}/manage?t={first}").status_code == 303  # the first still works

    assert cli.main(["sessions", "--data-dir", str(data_dir), "link", code, "--rotate"]) == 1  # asks first
    assert "Refusing without confirmation" in capsys.readouterr().err
    assert cli.main(["sessions", "--data-dir", str(data_dir), "link", code, "--rotate", "--yes"]) == 0
    rotated = capsys.readouterr().out.strip()
    assert rotated.startswith(f"/s/{code}/manage?t=")
    assert app.test_client().get(rotated).status_code == 303
    for old in (path, f"/s/{code}/manage?t={first}"):
        assert app.test_client().get(old).status_code == 403
    assert signed_in.get(f"/s/{code}/manage").status_code == 403  # its sign-in ended too
    assert code not in signed_in.get("/").get_data(as_text=True)  # and "my sessions" no longer lists it
    refused = open_socket.emit("command", {"action": "unlock"})
    assert refused is None or refused["error"]["code"] == "bad_token"  # the open socket lost control
    assert not open_socket.client.is_connected("/facilitator")
    assert app.extensions["workshop"].live.room(code).state.locked
    assert cli.main(["sessions", "--data-dir", str(data_dir), "link", "ZZZZZZ"]) == 1


def test_a_database_from_before_extra_links_is_migrated_and_its_link_still_works(make_app, data_dir):
    import sqlite3

    from workshop.store.sqlite import DB_NAME, SCHEMA_VERSION

    app = make_app()
    session = app.test_client().post("/api/sessions", json={"title": "Oud"}).get_json()
    app.extensions["workshop"].live.store.close()
    with sqlite3.connect(data_dir / DB_NAME) as db:  # what version 2 wrote: no tokens table, no epoch column
        db.execute("DROP TABLE facilitator_tokens")
        db.execute("ALTER TABLE sessions DROP COLUMN facilitator_epoch")
        db.execute("PRAGMA user_version=2")
    again = make_app()
    code, token = session["code"], session["facilitator_token"]
    assert again.test_client().get(f"/s/{code}/manage?t={token}").status_code == 303
    with again.test_request_context():
        live = again.extensions["workshop"].live
        extra = live.facilitator_link(live.room(code))
    assert again.test_client().get(f"/s/{code}/manage?t={extra}").status_code == 303
    with sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert db.execute("SELECT facilitator_epoch FROM sessions").fetchall() == [(0,)]


def test_a_session_keeps_at_most_the_newest_extra_links(make_app):
    app = make_app(FACILITATOR_LINKS_MAX=2)
    session = app.test_client().post("/api/sessions", json={"title": "Veel apparaten"}).get_json()
    live = app.extensions["workshop"].live
    room = live.room(session["code"])
    extra = [live.facilitator_link(room) for _ in range(3)]
    assert [live.is_facilitator(room, t) for t in extra] == [False, True, True]
    assert live.is_facilitator(room, session["facilitator_token"])  # the first link is not an extra one
