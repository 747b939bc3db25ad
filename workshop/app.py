"""The app factory: wires settings, storage, live sessions, pages, API and sockets."""
from __future__ import annotations

import functools
import logging
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_compress import Compress
from flask_socketio import SocketIO

from workshop import settings
from workshop.core.programme import default as default_programme
from workshop.core.questionnaire import default as default_questionnaire
from workshop.web.activity_sender import ActivitySender
from workshop.web.broadcaster import Broadcaster
from workshop.live.checkpoints import Checkpointer
from workshop.live.deletions import DeletionWatcher
from workshop.live.service import Live
from workshop.store.secret import installation_secret
from workshop.store.backend import open_store
from workshop.web import api, errors, guard, i18n, metrics, pages, protocol, publication, sockets, transport, workers
from workshop.web import compare as compare_web
from workshop.web.queue import QueueManager, admin_listener
from workshop.web import downloads as exports_web
from workshop.web.limits import RateLimiter, RecentCodes
from workshop.web.links import Links
from workshop.web.origins import allowed_origin
from workshop.web.rooms import JsonPacket, RoomIndexManager, spread_heartbeats
from workshop.web.services import Services, report_info


def load_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults, then WORKSHOP_<NAME> environment variables, then the explicit override."""
    values = settings.defaults()
    for name, default in values.items():
        raw = os.environ.get(f"WORKSHOP_{name}")
        if raw is not None:
            values[name] = settings.parse(name, raw, default)
    values.update(config or {})
    return values


# Scripts and style sheets are never documents: a browser applies neither CSP nor framing rules to them (the page
# that loads them has its own), so they go without those ~250 bytes a file (issue 21's projector weight).
SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/javascript")


def security_headers(response):
    """Add CSP, referrer, framing and sniffing headers to every response (no CSP/framing on scripts and CSS)."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
        if response.mimetype in SUBRESOURCE_TYPES:
            return response
    connect = f"'self' ws://{request.host} wss://{request.host}"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def refuse_large_polls(wsgi_app, max_bytes: int, prefix: str = "/socket.io/"):
    """Answer 413 to a Socket.IO long-polling POST larger than a message may be.

    python-engineio refuses such a POST itself, but only after reading it and closing the session
    (a close that waited forever before `transport.close_now`); this answers it at once.
    """
    def middleware(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(prefix):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= max_bytes:
                start_response("413 Payload Too Large", [("Content-Type", "text/plain"), ("Connection", "close")])
                return [b"Message too large"]
        return wsgi_app(environ, start_response)
    return middleware


def listen_to_queue(socketio: SocketIO, on_admin) -> None:
    """Start hearing the message queue now (python-socketio would wait for the first client)."""
    server = socketio.server
    server.manager.on_admin = on_admin
    if not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


def socket_path():
    """Never reached (Socket.IO's middleware answers /socket.io/ first); see build_app."""
    return "", 404


def build_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, storage, live sessions, pages, API and sockets."""
    cfg = load_config(config)
    ZoneInfo(cfg["TIME_ZONE"])  # an unknown time zone stops the start with its name, not the first export
    app = Flask("workshop", template_folder=str(settings.ROOT / "templates"),
                static_folder=str(settings.ROOT / "static"), static_url_path="/static")
    app.config.update(cfg)
    app.session_interface = guard.GuardedSessionInterface()
    app.json = guard.BoundedJSONProvider(app)  # nesting bombs are malformed JSON, not a RecursionError
    data_dir = Path(cfg["DATA_DIR"])
    secret = installation_secret(data_dir)
    https = bool(cfg.get("PUBLIC_URL") and cfg["PUBLIC_URL"].startswith("https://"))
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,  # and per request over https (guard.GuardedSessionInterface)
        SESSION_COOKIE_NAME="workshop",
        PERMANENT_SESSION_LIFETIME=timedelta(days=cfg["RETENTION_DAYS"]),
        MAX_CONTENT_LENGTH=cfg["MAX_REQUEST_BYTES"],
    )
    app.config.update(COMPRESS_ALGORITHM=["gzip"], COMPRESS_ALGORITHM_STREAMING=["gzip"], COMPRESS_MIN_SIZE=500, COMPRESS_REGISTER=True,
                      COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript",
                                          "application/json", "image/svg+xml", "text/csv"])
    Compress(app)
    i18n.init_app(app)

    store = open_store(cfg)  # SQLite in the data directory, or PostgreSQL when DATABASE_URL is set
    socketio = SocketIO(
        app,
        async_mode=cfg["ASYNC_MODE"],
        cors_allowed_origins=allowed_origin(cfg.get("PUBLIC_URL")),
        max_http_buffer_size=cfg["MAX_MESSAGE_BYTES"],
        ping_interval=20,
        ping_timeout=20,
        http_compression=True,
        serializer=JsonPacket,  # JSON only: no walk through every payload looking for bytes
        client_manager=QueueManager(cfg["MESSAGE_QUEUE"]) if cfg["MESSAGE_QUEUE"] else RoomIndexManager(),
        namespaces=[protocol.PARTICIPANT, protocol.SCREEN, protocol.FACILITATOR],  # never `/` (issue 20)
    )
    spread_heartbeats(socketio.server.eio)
    transport.configure(socketio.server, transport.QuietRefusals(logging.getLogger("workshop.input")),
                        cfg["MAX_SESSIONS_PER_ADDRESS"])
    app.wsgi_app = refuse_large_polls(app.wsgi_app, cfg["MAX_MESSAGE_BYTES"])
    links = Links.create(app.url_map, cfg.get("PUBLIC_URL"), cfg.get("PUBLIC_URL_REACHABLE", True))
    # Each part is built with what it needs, in order; none is changed afterwards (decisions.md 20). With
    # METRICS, the broadcaster and the activity sender emit through the timed socket server and the live
    # service tells the counting notifier.
    meters = metrics.Meters() if cfg["METRICS"] else None
    emitter = meters.timed(socketio) if meters else socketio
    programme = default_programme()
    threads = cfg["ASYNC_MODE"] == "threading"  # tasks are OS threads: views are built under the room's lock
    broadcaster = Broadcaster(emitter, cfg["EMIT_INTERVAL"], links.join_url, not links.reachable,
                              cfg["MIN_GROUP_SIZE"], names_max=cfg["SCREEN_NAMES_MAX"],
                              report_info=functools.partial(report_info, secret, links),
                              notes=lambda room: store.notes(room.id), steps=lambda room: store.steps(room.id),
                              # phones' and projectors' steps name their ideas (the services, built below, know them)
                              shared_steps=lambda room: services.shared_steps(room),
                              activity=ActivitySender(emitter, cfg, programme, threads), threads=threads)
    # Live commits, then tells the broadcaster; timers close questions at zero in the server's background tasks.
    live = Live(store, default_questionnaire(), cfg, notifier=meters.counting(broadcaster) if meters else broadcaster,
                programme=programme, background=socketio)
    services = Services(
        live=live,
        broadcaster=broadcaster,
        secret=secret,
        join_limit=RateLimiter(*cfg["RATE_JOIN"]),
        answer_limit=RateLimiter(*cfg["RATE_ANSWER"]),
        lookup_limit=RateLimiter(*cfg["RATE_LOOKUP"]),
        found_codes=RecentCodes(),
        join_connection_limit=RateLimiter(*cfg["RATE_JOIN_CONNECTION"]),
        answer_address_limit=RateLimiter(*cfg["RATE_ANSWER_ADDRESS"]),
        create_limit=RateLimiter(*cfg["RATE_CREATE"]),
        activity_limit=RateLimiter(*cfg["RATE_ACTIVITY"]),
        facilitator_limit=RateLimiter(*cfg["RATE_FACILITATOR"]),
        facilitator_address_limit=RateLimiter(*cfg["RATE_FACILITATOR_ADDRESS"]),
        export_limit=RateLimiter(*cfg["RATE_EXPORT"]),
        reports=threading.BoundedSemaphore(max(1, cfg["REPORT_THREADS"])),
        config=cfg,
        links=links,
        deletions=DeletionWatcher(app, live, socketio, cfg["DELETION_CHECK_INTERVAL"]),
        # the offload is read at each checkpoint: `serve` swaps in its async server's pool after the build
        checkpoints=Checkpointer(store, socketio, lambda: services.offload, cfg["CHECKPOINT_INTERVAL"]),
    )
    if cfg["DELETION_CHECK_INTERVAL"] > 0:
        services.deletions.start()
    if cfg["CHECKPOINT_INTERVAL"] > 0:
        services.checkpoints.start()
    app.extensions["workshop"] = services
    if cfg["MESSAGE_QUEUE"]:
        listen_to_queue(socketio, admin_listener(app, live))
    workers.init_app(app)
    metrics.init_app(app, socketio, meters)
    errors.init_app(app)  # a 500 is `internal`, as JSON for the API (issue 24)

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports_web.bp)
    app.register_blueprint(publication.bp)
    app.register_blueprint(compare_web.bp)
    app.after_request(security_headers)
    # The JSON API is exempt: it acts on a bearer token, never on the cookie, and sets none; it needs
    # Content-Type: application/json, which a cross-site form cannot send (fetch would need a CORS preflight).
    guard.init_csrf(app, exempt=(api.bp, compare_web.api, socket_path))
    # Every Socket.IO event runs in a request context for the handshake's /socket.io/ path: with a route
    # there, Flask does not raise and keep a NotFound (with its traceback: ~50 objects of cyclic garbage) per
    # event, which made the collector pause the server for up to 0.2 s with 2,000 phones.
    app.add_url_rule("/socket.io/", "socket_io", socket_path, methods=["GET", "POST"])
    # The same for a websocket handshake: else its WebsocketMismatch keeps, through its traceback, the frames
    # of the connection's whole handler alive as cyclic garbage after it closes (bench/memory_churn.py).
    app.add_url_rule("/socket.io/", "socket_io_websocket", socket_path, websocket=True)
    socketio.on_namespace(sockets.ParticipantNamespace(protocol.PARTICIPANT))
    socketio.on_namespace(sockets.ScreenNamespace(protocol.SCREEN))
    socketio.on_namespace(sockets.FacilitatorNamespace(protocol.FACILITATOR))
    socketio.on_error_default(sockets.handler_failed)
    guard.trust_proxies(app, cfg["TRUSTED_PROXIES"])  # last: it must wrap Socket.IO's middleware too
    return app
