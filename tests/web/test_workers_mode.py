"""One worker of several (config WORKER): sessions reach the worker their code hashes to, and only that one."""
from __future__ import annotations

import pytest
from flask_socketio import SocketIO

from workshop.web.workers import ROUTE_HEADER
from workshop.web.workers import ADMIN_NAMESPACE, SESSIONS_DELETED, QueueManager, admin_listener


@pytest.fixture
def worker(make_app):
    """An app running as worker 2."""
    return make_app(WORKER=2)


def rooms_in_memory(app) -> int:
    """How many sessions the app holds in memory."""
    return app.extensions["workshop"].live.rooms_in_memory()


def test_a_created_session_is_left_to_the_worker_its_code_hashes_to(worker):
    response = worker.test_client().post("/api/sessions", json={"title": "Elders"})
    assert response.status_code == 201 and response.headers["X-Workshop-Worker"] == "2"
    assert rooms_in_memory(worker) == 0
    code = response.get_json()["code"]
    assert worker.test_client().get(f"/j/{code}", headers={ROUTE_HEADER: code}).status_code == 200
    assert rooms_in_memory(worker) == 1


@pytest.mark.parametrize("route", [None, "", "AAAAAA", "{code}x", "{lower}", "%{code}"])
def test_a_page_the_proxy_routed_by_another_value_is_refused_without_loading_the_session(worker, route):
    code = worker.test_client().post("/api/sessions", json={"title": "Elders"}).get_json()["code"]
    headers = {} if route is None else {ROUTE_HEADER: route.format(code=code, lower=code.lower())}
    page = worker.test_client().get(f"/j/{code}", headers=headers)
    assert page.status_code == 421 and "text/html" in page.content_type
    api = worker.test_client().get(f"/api/sessions/{code}", headers=headers)
    assert api.status_code == 421 and api.get_json()["error"]["code"] == "wrong_worker"
    assert rooms_in_memory(worker) == 0


def test_one_process_keeps_a_created_session(app):
    app.test_client().post("/api/sessions", json={"title": "Hier"})
    assert rooms_in_memory(app) == 1


def test_a_code_not_written_canonically_is_redirected_before_any_lookup(worker):
    code = worker.test_client().post("/api/sessions", json={"title": "Hoofdletters"}).get_json()["code"]
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    page = worker.test_client().get(f"/j/{typed}?lang=en")
    assert page.status_code == 308 and page.headers["Location"].endswith(f"/j/{code}?lang=en")
    form = worker.test_client().get(f"/j?code={typed}")
    assert form.status_code == 303 and form.headers["Location"].endswith(f"/j/{code}")
    assert rooms_in_memory(worker) == 0


def test_a_socket_must_name_its_session_in_the_handshake_url(worker):
    code = worker.test_client().post("/api/sessions", json={"title": "Sockets"}).get_json()["code"]
    socketio = worker.extensions["socketio"]
    unrouted = socketio.test_client(worker, namespace="/participant", auth={"code": code})
    assert not unrouted.is_connected("/participant")
    wrong = socketio.test_client(worker, namespace="/participant", auth={"code": code}, headers={ROUTE_HEADER: "AAAAAA"},
                                 query_string=f"code={code}")  # the query names it, but the proxy hashed another value
    assert not wrong.is_connected("/participant")
    assert rooms_in_memory(worker) == 0
    routed = socketio.test_client(worker, namespace="/participant", auth={"code": code}, headers={ROUTE_HEADER: code})
    assert routed.is_connected("/participant")
    routed.disconnect(namespace="/participant")


class RecordingManager(QueueManager):
    """The queue manager with the publishing recorded instead of sent to Redis."""

    def __init__(self):
        super().__init__("redis://127.0.0.1:1/0")
        self.published: list[dict] = []

    def _publish(self, data):
        self.published.append(data)


def test_emits_to_local_rooms_skip_the_queue_and_others_are_published(make_app):
    app = make_app()
    manager = RecordingManager()
    socketio = SocketIO(app, async_mode="threading", client_manager=manager)
    manager.set_server(socketio.server)
    manager.basic_enter_room("sid1", "/participant", "phones:ABCDEF", eio_sid="eio1")
    socketio.emit("state", {}, to="phones:ABCDEF", namespace="/participant")
    assert manager.published == []
    socketio.emit("state", {}, to="phones:GHJKMN", namespace="/participant")
    assert [m["room"] for m in manager.published] == ["phones:GHJKMN"]
    manager.basic_enter_room("sid1", "/participant", "sid1", eio_sid="eio1")  # every socket has a room of its own
    manager.basic_enter_room("sid2", "/participant", "sid2", eio_sid="eio2")
    socketio.emit("wall", {}, to=["sid1", "sid2"], namespace="/participant")  # a slice of the idea list's phones
    assert len(manager.published) == 1
    socketio.emit("wall", {}, to=["sid2", "sid9"], namespace="/participant")  # sid9 lives elsewhere
    assert manager.published[-1]["room"] == ["sid2", "sid9"]


def test_a_deletion_notice_closes_the_sockets_of_the_worker_holding_it(room, app):
    r = room()
    phone, _ack = r.join("A")
    live = app.extensions["workshop"].live
    manager = RecordingManager()
    manager.on_admin = admin_listener(app, live)
    manager._handle_emit({"method": "emit", "event": SESSIONS_DELETED, "data": [["ZZZZZZ"]],
                          "namespace": ADMIN_NAMESPACE})
    assert rooms_in_memory(app) == 1  # a code this worker does not hold, or that still exists: nothing
    live.store.delete_session(r.code)  # as `workshop sessions delete` in another process
    manager._handle_emit({"method": "emit", "event": SESSIONS_DELETED, "data": [[r.code]],
                          "namespace": ADMIN_NAMESPACE})
    assert rooms_in_memory(app) == 0
    assert not phone.client.is_connected("/participant")
