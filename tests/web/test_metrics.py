"""/metrics: Prometheus text format, off by default, answered to this machine only."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from workshop.web.limits import ConnectionGate


def scrape(app, address="127.0.0.1") -> dict[tuple[str, tuple], float]:
    """GET /metrics from an address; {(sample name, sorted labels): value}."""
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def test_metrics_are_off_by_default(app):
    assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_metrics_are_refused_to_other_machines(make_app):
    app = make_app(METRICS=True)
    assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404
    assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_metrics_count_sockets_rooms_answers_and_emits(make_app, new_session):
    from tests.web.conftest import Room
    from tests.web.helpers import connect, projector_key

    app = make_app(METRICS=True)
    socketio = app.extensions["socketio"]
    before = scrape(app)
    assert before[("workshop_sockets", (("role", "participant"),))] == 0
    assert before[("workshop_answers_total", ())] == 0
    session = app.test_client().post("/api/sessions", json={"title": "Meten"}).get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)})
    r = Room(app, socketio, session, facilitator, screen)
    phones = [r.join(name)[0] for name in ("A", "B", "C")]
    r.command("start")
    for phone, option in zip(phones[:2], ("nooit", "zelden")):
        assert phone.emit("answer", {"question": "begrippen", "option": option, "round": 1})["ok"]
    after = scrape(app)
    assert after[("workshop_sockets", (("role", "participant"),))] == 3
    assert after[("workshop_sockets", (("role", "screen"),))] == 1
    assert after[("workshop_sockets", (("role", "facilitator"),))] == 1
    assert after[("workshop_rooms_in_memory", ())] == 1
    session_id = app.extensions["workshop"].live.store.session(session["code"])["id"]
    assert after[("workshop_session_in_memory", (("session", str(session_id)),))] == 1
    assert not [key for key in before if key[0] == "workshop_session_in_memory"]
    assert after[("workshop_answers_total", ())] == 2
    assert after[("workshop_emit_seconds_count", ())] > before[("workshop_emit_seconds_count", ())]
    assert ("workshop_queue_depth", ()) in after


def test_queue_depth_counts_sessions_whose_aggregate_waits(make_app):
    from tests.web.conftest import Room
    from tests.web.helpers import connect, projector_key

    app = make_app(METRICS=True, EMIT_INTERVAL=30.0)  # a second change within 30 s waits for its flush
    socketio = app.extensions["socketio"]
    assert scrape(app)[("workshop_queue_depth", ())] == 0
    session = app.test_client().post("/api/sessions", json={"title": "Wachtrij"}).get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)})
    r = Room(app, socketio, session, facilitator, screen)
    for name in ("A", "B", "C"):
        r.join(name)
    assert scrape(app)[("workshop_queue_depth", ())] == 1


def test_metrics_show_the_connection_gates_refusals(make_app):
    app = make_app(METRICS=True)
    gate = app.extensions["workshop"].gate = ConnectionGate(total=2, per_address=1)
    assert gate.admit("10.0.0.1") and not gate.admit("10.0.0.1")   # over the cap per address
    assert gate.admit("10.0.0.2") and not gate.admit("10.0.0.3")   # full
    assert not gate.admit("10.0.0.4")
    values = scrape(app)
    assert values[("workshop_rejected_connections_total", (("reason", "address"),))] == 1
    assert values[("workshop_rejected_connections_total", (("reason", "full"),))] == 2


def test_every_activity_emit_is_timed(make_app):
    """Opening an activity is heard by phones, the projector and the facilitator: five emits, each on the histogram."""
    from tests.web.conftest import Room
    from tests.web.helpers import connect, projector_key

    app = make_app(METRICS=True)
    socketio = app.extensions["socketio"]
    session = app.test_client().post("/api/sessions", json={"title": "Proeftuin"}).get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)})
    phone = Room(app, socketio, session, facilitator, screen).phone()  # a visitor: no join, so no quiz flush runs
    before = scrape(app)[("workshop_emit_seconds_count", ())]
    assert facilitator.emit("activity", {"action": "open", "activity": "ideas"})["ok"]
    # the activities to phones, projector and facilitator, and the state to both screens (the projector now shows them)
    assert scrape(app)[("workshop_emit_seconds_count", ())] == before + 5
    assert phone.last("activities")["status"]["ideas"] == "open"


def test_an_ideas_emits_are_timed_and_a_pending_one_is_told_to_the_facilitator_only(make_app):
    """A pending idea: one emit (the facilitator's list); approved: the projector's wall, the phones' diff, the list, `mine`."""
    from tests.web.conftest import Room
    from tests.web.helpers import connect, projector_key

    app = make_app(METRICS=True, IDEAS_PHONE_INTERVAL=0.0)  # every activities part at once, in the handler
    socketio = app.extensions["socketio"]
    session = app.test_client().post("/api/sessions", json={"title": "Proeftuin"}).get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    screen = connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)})
    phone, _ = Room(app, socketio, session, facilitator, screen).join("A")
    screen.wait("live", lambda d: d["joined"] == 1)  # the join's flush, a task of its own, sent its last part
    assert facilitator.emit("activity", {"action": "open", "activity": "ideas"})["ok"]
    broadcaster = app.extensions["workshop"].broadcaster
    for _ in range(2000):  # the flushes of the joins and connects have all gone out (their tasks may lag under load)
        if broadcaster.settled(session["code"]):
            break
        socketio.sleep(0.005)
    assert broadcaster.settled(session["code"])

    def emits():
        return scrape(app)[("workshop_emit_seconds_count", ())]
    before = emits()
    idea = phone.emit("idea", {"text": "Een podcast", "prompt": "project"})["idea"]
    assert idea["status"] == "pending" and emits() == before + 1
    assert facilitator.emit("moderate", {"action": "approve", "idea": idea["id"]})["ok"]
    assert emits() == before + 5


def test_the_parts_are_built_with_the_timed_server_and_the_counting_notifier(make_app):
    svc = make_app(METRICS=True).extensions["workshop"]
    assert type(svc.broadcaster.socketio).__name__ == "TimedEmits"
    assert type(svc.live.notifier).__name__ == "CountingNotifier"
