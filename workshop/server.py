"""The `serve` entry point: the only module with async-server (eventlet/gevent) specifics."""
from __future__ import annotations

import gc
import os
import socket
import warnings

BACKLOG = 4096        # eventlet's default listen backlog is 50: a join rush would stall
MAX_CONNECTIONS = 20_000  # eventlet.wsgi's default max_size is 1024 connections
# A full collection walks every object (~200 per connected phone) and paused the server ~0.25 s every few
# seconds at 2,000 phones; with 1,000 (default 10) they come once per ~10,000 young collections instead.
GC_THRESHOLDS = (700, 10, 1000)


def listen(host: str, port: int) -> socket.socket:
    """Open the listening socket with a large backlog and TCP_NODELAY (inherited by accepted sockets)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def serve(args) -> int:
    """Start the server in the chosen async mode and print the address to open."""
    mode = args.async_mode or os.environ.get("WORKSHOP_ASYNC_MODE") or "eventlet"
    if mode == "eventlet":
        with warnings.catch_warnings():  # the deprecation is known: see docs/decisions.md
            warnings.simplefilter("ignore")
            import eventlet
        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey
        monkey.patch_all()

    from . import create_app
    from .netinfo import join_base

    sock = listen(args.host, args.port)
    port = sock.getsockname()[1]
    base = join_base(args.host, port, args.public_url)
    config = {"ASYNC_MODE": mode, "PUBLIC_URL": base.url, "PUBLIC_URL_REACHABLE": base.reachable}
    if args.data_dir:
        config["DATA_DIR"] = args.data_dir
    app = create_app(config)
    app.extensions["workshop"].offload = thread_pool(mode)
    app.extensions["workshop"].start_sweeping()  # idle rooms leave memory (ROOM_IDLE_SECONDS)
    days = app.config["RETENTION_DAYS"]
    if days > 0:  # keep the join page's promise: sessions are deleted after RETENTION_DAYS
        purged = app.extensions["workshop"].live.purge(days)
        if purged:
            print(f"Deleted {len(purged)} session(s) unchanged for more than {days} days.", flush=True)
    tune_gc()
    local = f"http://127.0.0.1:{port}" if args.host in ("0.0.0.0", "::", "") else f"http://{args.host}:{port}"
    print(f"Workshop is running ({mode}). Open {local}/ on this computer.", flush=True)
    print(f"Phones join at {base.url}/j/<code>" + ("" if base.reachable else
          "  (WARNING: phones cannot reach this address; start with --public-url)"), flush=True)
    print(f"Data: {app.config['DATA_DIR']}   Stop with Ctrl+C.", flush=True)
    try:
        run(app, sock, mode)
    except KeyboardInterrupt:
        pass
    return 0


def thread_pool(mode: str):
    """A function that runs CPU-heavy work in an OS thread and lets the event loop serve meanwhile."""
    if mode == "eventlet":
        from eventlet import tpool
        return tpool.execute
    if mode == "gevent":
        import gevent
        return lambda work: gevent.get_hub().threadpool.apply(work)
    from .services import run_here
    return run_here  # threading: every request has its own thread already


def without_websocket_compression(app):
    """Refuse permessage-deflate: its zlib state costs ~100 KB per phone for messages of a few hundred bytes."""
    def application(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return app(environ, start_response)
    return application


def without_eventlet_cycle(app):
    """Drop eventlet.wsgi's `set_idle` closure once a request is done, so a closed connection is freed at once.

    The closure refers to the connection's protocol object, which holds the environ that holds the closure:
    without this every connection (~30 objects, its socket buffers included) waited for a full garbage
    collection, which the tuned collector makes rare (bench/memory_churn.py, docs/performance.md).
    """
    def drop_set_idle(environ):
        """Break the cycle (eventlet runs this after the response, when the closure is no longer needed)."""
        environ.pop("eventlet.set_idle", None)

    def application(environ, start_response):
        """Register the clean-up, then run the app."""
        hooks = environ.get("eventlet.posthooks")
        if hooks is not None:
            hooks.append((drop_set_idle, (), {}))
        return app(environ, start_response)
    return application


def tune_gc() -> None:
    """Make full garbage collections rare, and leave what startup built (it lives forever) out of them."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run(app, sock: socket.socket, mode: str) -> None:
    """Serve the app on the socket with the async mode's own server."""
    app = without_websocket_compression(app)
    if mode == "eventlet":
        app = without_eventlet_cycle(app)
        import eventlet
        import eventlet.wsgi
        eventlet.wsgi.server(eventlet.greenio.GreenSocket(sock), app, log_output=False,
                             max_size=MAX_CONNECTIONS, keepalive=True)
    elif mode == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler
        pywsgi.WSGIServer(sock, app, handler_class=WebSocketHandler, log=None).serve_forever()
    else:
        from werkzeug.serving import make_server
        host, port = sock.getsockname()[:2]
        make_server(host, port, app, threaded=True, fd=sock.fileno()).serve_forever()
