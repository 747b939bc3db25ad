"""The app factory: wires settings, storage, live sessions, pages, API and sockets."""
from __future__ import annotations

import functools
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask import Flask
from flask_compress import Compress
from flask_socketio import SocketIO

from workshop import settings
from workshop.settings import Settings
from workshop.core.programme import default as default_programme
from workshop.core.questionnaire import default as default_questionnaire
from workshop.web.broadcaster import Broadcaster
from workshop.live.checkpoints import Checkpointer
from workshop.live.deletions import DeletionWatcher
from workshop.live.ownership import LeaseKeeper, Ownership, worker_identity
from workshop.live.service import Live
from workshop.store.secret import installation_secret
from workshop.store.backend import open_store
from workshop.web import api, i18n, metrics, middleware, pages, protocol, reports, sockets, transport
from workshop.web import workers
from workshop.web.workers import QueueManager, admin_listener, listen_to_queue
from workshop.web.limits import RecentCodes, limiter_factory
from workshop.web.links import Links
from workshop.web.middleware import allowed_origin, refuse_large_polls, security_headers
from workshop.web.transport import JsonPacket, RoomIndexManager, spread_heartbeats
from workshop.web.services import Services, report_info


# Flask's own keys (and its extensions') that an override may also carry, e.g. tests' TESTING: they go to app.config.
FLASK_PREFIXES = ("TESTING", "DEBUG", "SECRET_KEY", "SERVER_NAME", "SESSION_", "WTF_", "BABEL_", "COMPRESS_")


def split_overrides(config: Mapping[str, Any] | Settings | None) -> tuple[Settings, dict[str, Any]]:
    """The settings (defaults, environment, then the override's settings) and the override's Flask keys.

    A key that is neither a setting nor one of Flask's fails at once with its name.
    """
    if isinstance(config, Settings):
        return config, {}
    given = dict(config or {})
    flask_keys = {k: given.pop(k) for k in list(given) if k not in settings.NAMES and k.startswith(FLASK_PREFIXES)}
    return Settings.load(given), flask_keys


def dropped(socketio: SocketIO, broadcaster: Broadcaster, room) -> None:
    """A room this worker no longer holds: forget its broadcast state, close its connections (clients reconnect)."""
    broadcaster.release(room.code)
    transport.close_room(socketio.server, room)


def socket_path():
    """Never reached (Socket.IO's middleware answers /socket.io/ first); see build_app."""
    return "", 404


def build_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the app: settings, storage, live sessions, pages, API and sockets.

    `config` is a Settings object, or overrides by NAME (`{"MAX_PARTICIPANTS": 3}`) on top of the defaults and
    the WORKSHOP_<NAME> environment variables.
    """
    cfg, flask_keys = split_overrides(config)
    ZoneInfo(cfg.time_zone)  # an unknown time zone stops the start with its name, not the first export
    app = Flask("workshop", template_folder=str(settings.ROOT / "templates"),
                static_folder=str(settings.ROOT / "static"), static_url_path="/static")
    app.session_interface = middleware.GuardedSessionInterface()
    app.json = middleware.BoundedJSONProvider(app)  # nesting bombs are malformed JSON, not a RecursionError
    data_dir = Path(cfg.data_dir)
    secret = installation_secret(data_dir)
    https = bool(cfg.public_url and cfg.public_url.startswith("https://"))
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,  # and per request over https (middleware.GuardedSessionInterface)
        SESSION_COOKIE_NAME="workshop",
        PERMANENT_SESSION_LIFETIME=timedelta(days=cfg.retention_days),
        MAX_CONTENT_LENGTH=cfg.max_request_bytes,
    )
    app.config.update(flask_keys)
    app.jinja_env.globals["settings"] = cfg  # templates read `settings.title_max`, as the code does
    app.config.update(COMPRESS_ALGORITHM=["gzip"], COMPRESS_ALGORITHM_STREAMING=["gzip"], COMPRESS_MIN_SIZE=500, COMPRESS_REGISTER=True,
                      COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript",
                                          "application/json", "image/svg+xml", "text/csv"])
    Compress(app)
    i18n.init_app(app, cfg.default_language)

    store = open_store(cfg)  # SQLite in the data directory, or PostgreSQL when DATABASE_URL is set
    socketio = SocketIO(
        app,
        async_mode=cfg.async_mode,
        cors_allowed_origins=allowed_origin(cfg.public_url),
        max_http_buffer_size=cfg.max_message_bytes,
        ping_interval=20,
        ping_timeout=20,
        http_compression=True,
        serializer=JsonPacket,  # JSON only: no walk through every payload looking for bytes
        client_manager=QueueManager(cfg.message_queue) if cfg.message_queue else RoomIndexManager(),
        namespaces=[protocol.PARTICIPANT, protocol.SCREEN, protocol.FACILITATOR],  # never `/` (issue 20)
    )
    spread_heartbeats(socketio.server.eio)
    transport.configure(socketio.server, transport.QuietRefusals(logging.getLogger("workshop.input")),
                        cfg.max_sessions_per_address)
    app.wsgi_app = refuse_large_polls(app.wsgi_app, cfg.max_message_bytes)
    links = Links.create(app.url_map, cfg.public_url, cfg.public_url_reachable)
    # Each part is built with what it needs, in order; none is changed afterwards (decisions.md 20). With
    # METRICS, the broadcaster (the one notifier, quiz and activities) emits through the timed socket server
    # and the live service tells the counting notifier.
    meters = metrics.Meters() if cfg.metrics else None
    emitter = meters.timed(socketio) if meters else socketio
    programme = default_programme()
    threads = cfg.async_mode == "threading"  # tasks are OS threads: views are built under the room's lock
    broadcaster = Broadcaster(emitter, cfg.emit_interval, links.join_url, not links.reachable,
                              cfg.min_group_size, names_max=cfg.screen_names_max,
                              report_info=functools.partial(report_info, secret, links),
                              notes=lambda room: store.notes(room.id), steps=lambda room: store.steps(room.id),
                              # phones' and projectors' steps name their ideas (the services, built below, know them)
                              shared_steps=lambda room: services.shared_steps(room),
                              programme=programme, config=cfg, threads=threads)
    # Live commits, then tells the broadcaster; timers close questions at zero in the server's background tasks.
    # One of several workers on one database: a session is held in memory only under its lease (live/ownership.py).
    ownership = Ownership(store, worker_identity(cfg.worker), cfg.lease_seconds) if cfg.worker else None
    live = Live(store, default_questionnaire(), cfg, notifier=meters.counting(broadcaster) if meters else broadcaster,
                programme=programme, background=socketio, ownership=ownership)
    limiter = limiter_factory(cfg)  # by address: shared through Redis with a message queue (web/limits.py)
    services = Services(
        live=live,
        broadcaster=broadcaster,
        secret=secret,
        join_limit=limiter("RATE_JOIN"),
        answer_limit=limiter("RATE_ANSWER"),
        lookup_limit=limiter("RATE_LOOKUP"),
        found_codes=RecentCodes(),
        join_connection_limit=limiter("RATE_JOIN_CONNECTION"),
        answer_address_limit=limiter("RATE_ANSWER_ADDRESS"),
        create_limit=limiter("RATE_CREATE"),
        activity_limit=limiter("RATE_ACTIVITY"),
        facilitator_limit=limiter("RATE_FACILITATOR"),
        facilitator_address_limit=limiter("RATE_FACILITATOR_ADDRESS"),
        export_limit=limiter("RATE_EXPORT"),
        reports=threading.BoundedSemaphore(max(1, cfg.report_threads)),
        config=cfg,
        links=links,
        deletions=DeletionWatcher(app, live, socketio, cfg.deletion_check_interval),
        # the offload is read at each checkpoint: `serve` swaps in its async server's pool after the build
        checkpoints=Checkpointer(store, socketio, lambda: services.offload, cfg.checkpoint_interval),
        leases=LeaseKeeper(ownership, live, socketio, functools.partial(dropped, socketio, broadcaster))
        if ownership else None,
    )
    if cfg.deletion_check_interval > 0:
        services.deletions.start()
    if cfg.checkpoint_interval > 0:
        services.checkpoints.start()
    if services.leases is not None:
        services.leases.start()
    app.extensions["workshop"] = services
    if cfg.message_queue:
        listen_to_queue(socketio, admin_listener(app, live))
    workers.init_app(app, cfg.worker)
    metrics.init_app(app, socketio, meters)
    middleware.init_errors(app)  # a 500 is `internal`, as JSON for the API (issue 24)

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(pages.publication_bp)
    app.register_blueprint(reports.compare_bp)
    app.after_request(security_headers)
    # The JSON API is exempt: it acts on a bearer token, never on the cookie, and sets none; it needs
    # Content-Type: application/json, which a cross-site form cannot send (fetch would need a CORS preflight).
    middleware.init_csrf(app, exempt=(api.bp, reports.compare_api, socket_path))
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
    middleware.trust_proxies(app, cfg.trusted_proxies)  # last: it must wrap Socket.IO's middleware too
    return app
