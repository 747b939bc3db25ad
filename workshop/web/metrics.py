"""Prometheus metrics at /metrics (setting METRICS; answered to this machine only), one registry per app."""
from __future__ import annotations

import ipaddress
import time
from typing import Any

from flask import Flask, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from workshop.web import protocol as p

ROLES = {"participant": p.PARTICIPANT, "screen": p.SCREEN, "facilitator": p.FACILITATOR}
EMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class Meters:
    """The app's own Prometheus registry and the meters of events: answers stored, the duration of each emit.

    Built before the parts it measures, which get them at construction: the broadcaster and the activity
    sender emit through `timed(socketio)`, the live service tells `counting(notifier)`.
    """

    def __init__(self) -> None:
        """A fresh registry (one per app) with its counter and histogram."""
        self.registry = CollectorRegistry(auto_describe=True)
        self.answers = Counter("workshop_answers", "Answers stored", registry=self.registry)
        self.emits = Histogram("workshop_emit_seconds", "Time one emit to a room or socket takes",
                               buckets=EMIT_BUCKETS, registry=self.registry)

    def timed(self, socketio: Any) -> "TimedEmits":
        """The socket server with every emit timed."""
        return TimedEmits(socketio, self.emits)

    def counting(self, notifier: Any) -> "CountingNotifier":
        """The notifier with every stored answer counted."""
        return CountingNotifier(notifier, self.answers)


class CountingNotifier:
    """The live service's notifier with a count of stored answers; everything else passes through."""

    def __init__(self, notifier: Any, answers: Counter):
        """Wrap notifier; count answers on the counter."""
        self._notifier = notifier
        self._answers = answers

    def answered(self, room, participant_id: int, question_id: str) -> None:
        """Count the answer, then tell the wrapped notifier."""
        self._answers.inc()
        self._notifier.answered(room, participant_id, question_id)

    def __getattr__(self, name: str) -> Any:
        """Every other notice goes to the wrapped notifier unchanged."""
        return getattr(self._notifier, name)


class TimedEmits:
    """A SocketIO object whose emit() is timed on a histogram; everything else passes through."""

    def __init__(self, socketio: Any, seconds: Histogram):
        """Wrap socketio; observe each emit's duration on seconds."""
        self._socketio = socketio
        self._seconds = seconds

    def emit(self, *args: Any, **kwargs: Any) -> Any:
        """Emit and observe how long it took (encoding and handing the packet to every socket in the room)."""
        started = time.perf_counter()
        try:
            return self._socketio.emit(*args, **kwargs)
        finally:
            self._seconds.observe(time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        """Every other attribute is the wrapped object's."""
        return getattr(self._socketio, name)


class LiveCollector:
    """Reads the numbers that are state, not events, at scrape time."""

    def __init__(self, app: Flask, socketio: Any):
        """Read from the app's services and the Socket.IO server."""
        self.app = app
        self.socketio = socketio

    def collect(self):
        """Yield sockets per role, rooms in memory (and which), timer watchers, waiting flushes and refused connections."""
        services = self.app.extensions["workshop"]
        rooms = self.socketio.server.manager.rooms
        sockets = GaugeMetricFamily("workshop_sockets", "Socket.IO connections open, by role", labels=["role"])
        for role, namespace in ROLES.items():
            sockets.add_metric([role], len(rooms.get(namespace, {}).get(None, ())))
        yield sockets
        yield GaugeMetricFamily("workshop_rooms_in_memory", "Sessions held in memory by this process",
                                value=services.live.rooms_in_memory())
        held = GaugeMetricFamily("workshop_session_in_memory", "1 for each session this process holds in memory, by "
                                 "its database id (never a code); with several workers, at most one holds each",
                                 labels=["session"])
        for room in services.live.rooms.held():
            held.add_metric([str(room.id)], 1)
        yield held
        yield GaugeMetricFamily("workshop_timer_watchers", "Background tasks watching a question timer (one per room "
                                "with a running timer)", value=services.live.deadlines.watched())
        yield GaugeMetricFamily("workshop_queue_depth", "Sessions whose live aggregate waits to be sent",
                                value=services.broadcaster.waiting())
        refused = CounterMetricFamily("workshop_rejected_connections", "Connections the connection gate closed "
                                      "at once, by reason", labels=["reason"])
        for reason, count in (services.gate.refused if services.gate else {"full": 0, "address": 0}).items():
            refused.add_metric([reason], count)
        yield refused


def local(address: str | None) -> bool:
    """Tell whether a client address is this machine's loopback."""
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def init_app(app: Flask, socketio: Any, meters: Meters | None) -> None:
    """With meters (setting METRICS), read the live numbers at each scrape and serve /metrics to this machine."""
    if meters is None:
        return
    registry = meters.registry
    registry.register(LiveCollector(app, socketio))

    def metrics() -> Response:
        """The Prometheus text format; 404 for anyone but this machine."""
        if not local(request.remote_addr):
            abort(404)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "metrics", metrics)
