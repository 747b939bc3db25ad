"""workshop.web.auth: each decorator binds the right room to g.room or refuses in its audience's way."""
from __future__ import annotations

import pytest
from flask import Blueprint, g
from flask_socketio import ConnectionRefusedError

from workshop.web import auth

probe = Blueprint("probe", __name__)


def bound_code(**_kwargs) -> str:
    """Answer with the code of the room the decorator bound."""
    return g.room.code


probe.add_url_rule("/probe/room/<code>", "room", auth.room_required(bound_code))
probe.add_url_rule("/probe/facilitator/<code>", "facilitator", auth.facilitator_required(bound_code))
probe.add_url_rule("/probe/sign-in/<code>", "sign_in", auth.facilitator_required(sign_in=True)(bound_code))
probe.add_url_rule("/probe/download/<code>", "download",
                   auth.facilitator_required(denied=auth.DOWNLOAD_DENIED)(bound_code))
probe.add_url_rule("/probe/bearer/<code>", "bearer", auth.bearer_required(bound_code))
probe.add_url_rule("/probe/screen/<code>", "screen", auth.projector_key_required(bound_code))
probe.add_url_rule("/probe/report/<code>/<key>", "report", auth.report_key_required(bound_code))


@pytest.fixture
def probed(make_app):
    """An app with the probe routes, two sessions (A and B) and their facilitator tokens."""
    def build(**overrides):
        app = make_app(DEFAULT_LANGUAGE="en", **overrides)
        app.register_blueprint(probe)
        live = app.extensions["workshop"].live
        rooms = {name: live.create(f"Session {name}", "paced", None, "en") for name in ("A", "B")}
        return app, {name: (room.code, token) for name, (room, token) in rooms.items()}
    return build


def html_refusal(response, status: int, text: str) -> bool:
    """Whether a response is the friendly HTML error page with this status and text."""
    return (response.status_code == status and response.mimetype == "text/html"
            and text in response.get_data(as_text=True))


def json_error(response) -> tuple[int, str]:
    """The status and error code of a JSON refusal."""
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()["error"]["code"]


def test_room_required_binds_the_room_of_the_code_or_answers_not_found(probed):
    app, rooms = probed()
    client = app.test_client()
    code = rooms["B"][0]
    assert client.get(f"/probe/room/{code}").get_data(as_text=True) == code
    assert client.get(f"/probe/room/{code.lower()}").get_data(as_text=True) == code
    assert html_refusal(client.get("/probe/room/ZZZZZZ"), 404, "Session not found")


def test_lookups_are_rate_limited_per_address_on_every_decorator(probed):
    app, rooms = probed(RATE_LOOKUP=(1, 60.0))
    client = app.test_client()
    assert client.get("/probe/room/ZZZZZZ").status_code == 404
    assert html_refusal(client.get("/probe/room/YYYYYY"), 429, "Too many attempts")
    assert json_error(client.get("/probe/bearer/XXXXXX", headers={"Authorization": "Bearer x"})) == (429, "rate_limited")
    # a secret of the session still finds it once the budget is spent
    code, token = rooms["A"]
    bearer = client.get(f"/probe/bearer/{code}", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200 and bearer.get_data(as_text=True) == code


def test_facilitator_required_needs_the_signed_cookie_to_list_the_session(probed):
    app, rooms = probed()
    client = app.test_client()
    (code_a, token_a), (code_b, _token_b) = rooms["A"], rooms["B"]
    assert html_refusal(client.get(f"/probe/facilitator/{code_a}"), 403, "Only the facilitator can open this page")
    assert html_refusal(client.get(f"/probe/download/{code_a}"), 403, "Only the facilitator can download")
    assert html_refusal(client.get("/probe/facilitator/ZZZZZZ"), 404, "Session not found")
    # ?t= is no sign-in on a route without sign_in
    assert client.get(f"/probe/facilitator/{code_a}?t={token_a}").status_code == 403
    signed_in = client.get(f"/probe/sign-in/{code_a}?t={token_a}")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == f"/probe/sign-in/{code_a}"
    assert client.get(f"/probe/facilitator/{code_a}").get_data(as_text=True) == code_a
    assert client.get(f"/probe/download/{code_a}").get_data(as_text=True) == code_a
    assert client.get(f"/probe/facilitator/{code_b}").status_code == 403  # only the session it signed in to


def test_sign_in_refuses_another_sessions_token(probed):
    app, rooms = probed()
    client = app.test_client()
    code_a, token_b = rooms["A"][0], rooms["B"][1]
    assert html_refusal(client.get(f"/probe/sign-in/{code_a}?t={token_b}"), 403, "facilitator link is not valid")
    assert client.get(f"/probe/facilitator/{code_a}").status_code == 403
    with client.session_transaction() as cookie:
        assert "fac" not in cookie


def test_bearer_required_answers_json_errors_and_binds_the_tokens_room(probed):
    app, rooms = probed()
    client = app.test_client()
    (code_a, token_a), token_b = rooms["A"], rooms["B"][1]
    assert json_error(client.get(f"/probe/bearer/{code_a}")) == (401, "bad_token")
    assert json_error(client.get(f"/probe/bearer/{code_a}", headers={"Authorization": f"Bearer {token_b}"})) == \
        (403, "bad_token")
    assert json_error(client.get("/probe/bearer/ZZZZZZ", headers={"Authorization": f"Bearer {token_a}"})) == \
        (404, "unknown_session")
    ok = client.get(f"/probe/bearer/{code_a}", headers={"Authorization": f"Bearer {token_a}"})
    assert ok.status_code == 200 and ok.get_data(as_text=True) == code_a


def test_projector_key_required_needs_this_sessions_key(probed):
    app, rooms = probed()
    client = app.test_client()
    svc = app.extensions["workshop"]
    code_a, code_b = rooms["A"][0], rooms["B"][0]
    assert html_refusal(client.get(f"/probe/screen/{code_a}"), 403, "screen link is not valid")
    assert client.get(f"/probe/screen/{code_a}?k={svc.projector_key(code_b)}").status_code == 403
    ok = client.get(f"/probe/screen/{code_a}?k={svc.projector_key(code_a)}")
    assert ok.status_code == 200 and ok.get_data(as_text=True) == code_a


def test_report_key_required_needs_the_current_unrevoked_key(probed):
    app, rooms = probed()
    client = app.test_client()
    svc = app.extensions["workshop"]
    room = svc.live.room(rooms["A"][0])
    assert html_refusal(client.get(f"/probe/report/{room.code}/{'0' * 32}"), 404, "report link does not work")
    svc.live.set_report_link(room, True)
    key = svc.report_key(room)
    assert client.get(f"/probe/report/{room.code}/{key}").get_data(as_text=True) == room.code
    assert client.get(f"/probe/report/{rooms['B'][0]}/{key}").status_code == 404  # not another session's
    svc.live.set_report_link(room, True)  # a new link withdraws the old one
    assert client.get(f"/probe/report/{room.code}/{key}").status_code == 404
    assert client.get(f"/probe/report/{room.code}/{svc.report_key(room)}").status_code == 200


def test_the_cookie_list_is_sanitised_and_bounded(probed):
    app, rooms = probed()
    client = app.test_client()
    code = rooms["A"][0]
    with client.session_transaction() as cookie:
        cookie["fac"] = [7, None, code]
    assert client.get(f"/probe/facilitator/{code}").status_code == 200
    with client.session_transaction() as cookie:
        cookie["fac"] = ["X"] * auth.FACILITATED_MAX + [code]  # beyond the bound: not believed
    assert client.get(f"/probe/facilitator/{code}").status_code == 403
    with client.session_transaction() as cookie:
        cookie["fac"] = code  # not a list
    assert client.get(f"/probe/facilitator/{code}").status_code == 403


@pytest.mark.parametrize("namespace,auth_data,refusal", [
    ("/screen", {"key": "x"}, "bad_key"),
    ("/facilitator", {"token": "x"}, "bad_token"),
    ("/participant", "not an object", "unknown_session"),
])
def test_socket_connects_are_admitted_by_auth(probed, namespace, auth_data, refusal):
    app, rooms = probed()
    socketio = app.extensions["socketio"]
    data = {"code": rooms["A"][0], **auth_data} if isinstance(auth_data, dict) else auth_data
    client = socketio.test_client(app, namespace=namespace, auth=data)
    assert not client.is_connected(namespace)
    with app.test_request_context():
        with pytest.raises(ConnectionRefusedError) as refused:
            {"/screen": auth.admit_projector, "/facilitator": auth.admit_facilitator,
             "/participant": auth.admit_participant}[namespace](data)
    assert refused.value.args[1]["code"] == refusal
