"""The `serve` entry point: the only module with async-server (eventlet/gevent) specifics."""
from __future__ import annotations

import errno
import gc
import logging
import os
import socket
import warnings
from pathlib import Path

from workshop.settings import Settings, version
from workshop.web.limits import ConnectionGate

BACKLOG = 4096        # eventlet's default listen backlog is 50: a join rush would stall
MAX_CONNECTIONS = 20_000  # eventlet.wsgi's default max_size is 1024 connections
# A full collection walks every object (~200 per connected phone) and paused the server ~0.25 s every few
# seconds at 2,000 phones; with 1,000 (default 10) they come once per ~10,000 young collections instead.
GC_THRESHOLDS = (700, 10, 1000)
# accept() errors that mean "no descriptor or buffer for one more connection": pause and retry, never exit
OUT_OF_DESCRIPTORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
# accept() errors about one connection that went away before it was accepted: skip it
GONE_BEFORE_ACCEPT = frozenset({errno.ECONNABORTED, errno.ECONNRESET, errno.EPROTO, errno.EPERM, errno.EINTR})
ACCEPT_PAUSE = 0.1    # seconds between accept retries while descriptors are exhausted
LOCK_NAME = "server.lock"
log = logging.getLogger("workshop.server")


def listen(host: str, port: int) -> socket.socket:
    """Open the listening socket with a large backlog and TCP_NODELAY (inherited by accepted sockets)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def tell_ready(fd: int | None) -> None:
    """Tell the supervisor (through its pipe) that this worker listens and its app is built."""
    if fd is not None:
        try:
            os.write(fd, b"1")
            os.close(fd)
        except OSError:
            pass  # the supervisor is gone; the worker gets SIGTERM with it


def open_listener(host: str, port: int) -> socket.socket:
    """listen(), or CannotStart with one line that says why not (a busy port, an address not of this machine)."""
    try:
        return listen(host, port)
    except OSError as error:
        raise CannotStart(cannot_listen(host, port, error)) from None


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """The one-line message for an address the server cannot listen on."""
    from workshop.exports.cli_words import _

    if error.errno == errno.EADDRINUSE:
        return _("Cannot listen on {host}:{port}: another program already uses that port. Stop it (another "
                 "workshop server?), or start with --port and a free port.", host=host, port=port)
    if error.errno == errno.EACCES:
        return _("Cannot listen on {host}:{port}: only root may use ports below 1024. Use a port from 1024 up "
                 "(behind a proxy that listens on 80 and 443).", host=host, port=port)
    if isinstance(error, socket.gaierror) or error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return _("Cannot listen on {host}:{port}: {host} is not an address of this machine. Give --host one of "
                 "its addresses, 127.0.0.1 or 0.0.0.0 (every interface).", host=host, port=port)
    return _("Cannot listen on {host}:{port}: {reason}.", host=host, port=port,
             reason=error.strerror or str(error))


def serve(args) -> int:
    """Start the server in the chosen async mode and print the address to open."""
    files = raise_open_file_limit()
    mode = args.async_mode or os.environ.get("WORKSHOP_ASYNC_MODE") or "eventlet"
    monkey_patch(mode)
    from workshop.web import logs
    from workshop.settings import Settings
    from workshop.web.logs import session_of

    # After monkey_patch: the handler's lock is then a green one.
    logs.configure(args.worker, session_of, window=Settings.load().log_repeat_seconds)
    from workshop.web.netinfo import join_base

    config = Settings.load({"ASYNC_MODE": mode})
    if args.data_dir:
        config = config.replace(data_dir=args.data_dir)
    if args.worker:
        config = config.replace(worker=args.worker, message_queue=args.message_queue)
    data_dir = Path(config.data_dir)
    try:
        lock = worker_of_supervisor(data_dir) if args.worker else claim_data_dir(data_dir)
        sock = open_listener(args.host, args.port)
        port = sock.getsockname()[1]
        base = join_base(args.host, port, args.public_url)
        config = config.replace(public_url=base.url, public_url_reachable=base.reachable)
        app = open_app(config, data_dir, purge=not args.worker)  # the supervisor purged already
    except CannotStart as error:
        log.error("%s", error)
        return 1
    app.extensions["workshop"].offload = thread_pool(mode)
    app.extensions["workshop"].start_sweeping()  # idle rooms leave memory (ROOM_IDLE_SECONDS)
    app.extensions["workshop"].live.deadlines.restore()  # timers that ran when the server stopped
    release_leases_on_stop(app.extensions["workshop"])
    tune_gc()
    tell_ready(getattr(args, "ready_fd", None))
    local = f"http://127.0.0.1:{port}" if args.host in ("0.0.0.0", "::", "") else f"http://{args.host}:{port}"
    log.info("Workshop %s is running (%s). Open %s/ on this computer.", version(), mode, local)
    log.info("Phones join at %s/j/<code>%s", base.url, "" if base.reachable else
             "  (WARNING: phones cannot reach this address; set WORKSHOP_PUBLIC_URL or start with --public-url)")
    log.info("Data: %s   Stop with Ctrl+C.", config.data_dir)
    log.info("%s", capacity_line(files, config))
    try:
        run(app, sock, mode)
    except KeyboardInterrupt:
        pass
    if lock is not None:
        lock.close()
    return 0


def release_leases_on_stop(services) -> None:
    """A worker stopped by SIGTERM (the supervisor stopping) gives up its session leases, then exits.

    Another worker may then take its sessions at once instead of after LEASE_SECONDS. The leases are given up
    in a background task of the event loop (never inside the signal handler, which may interrupt a write).
    """
    leases = services.leases
    if leases is None:
        return
    import signal

    def shutdown() -> None:
        """Give up every lease and end the process (every answer is committed already)."""
        try:
            released = leases.stop()
            if released:
                log.info("Stopping: gave up %d session lease(s).", len(released))
        finally:
            logging.shutdown()
            os._exit(0)

    signal.signal(signal.SIGTERM, lambda _signum, _frame: services.broadcaster.socketio.start_background_task(shutdown))


def monkey_patch(mode: str) -> None:
    """Make the standard library cooperative for the async mode (before anything imports it)."""
    if mode == "eventlet":
        with warnings.catch_warnings():  # the deprecation is known: see docs/decisions.md
            warnings.simplefilter("ignore")
            import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


class CannotStart(Exception):
    """The server cannot start; the message (one line) says why and what to do."""


def claim_data_dir(data_dir: Path):
    """Take the data directory's lock, or say in one line why not."""
    try:
        return lock_data_dir(data_dir)
    except OSError as error:
        raise CannotStart(unusable(data_dir, error.strerror or str(error))) from None


def worker_of_supervisor(data_dir: Path):
    """Check that a supervisor holds the data directory's lock (a worker never runs on its own); None."""
    try:
        lock = lock_data_dir(data_dir)
    except DataDirBusy:
        return None
    except OSError as error:
        raise CannotStart(unusable(data_dir, error.strerror or str(error))) from None
    lock.close()
    raise CannotStart("--worker is for the processes `workshop serve --workers N` starts itself.")


def open_app(config: Settings, data_dir: Path, purge: bool = True):
    """Build the app on the data directory and purge expired sessions, or say in one line why not."""
    from workshop import create_app
    from workshop.store.sqlite import StoreUnavailable

    try:
        app = create_app(config)
        if purge:
            purge_expired(app)
    except OSError as error:
        raise CannotStart(unusable(data_dir, error.strerror or str(error))) from None
    except StoreUnavailable as error:
        raise CannotStart(store_unusable(config, data_dir, error)) from None
    return app


def store_unusable(config: Settings, data_dir: Path, error) -> str:
    """The one-line message for a store that cannot be opened: the PostgreSQL database, else the data directory."""
    if config.database_url:
        return (f"Cannot use the database {error.path}: {error.reason}. Check DATABASE_URL and that PostgreSQL "
                f"runs and takes connections from this machine.")
    return unusable(data_dir, error.reason)


def unusable(data_dir: Path, reason: str) -> str:
    """The one-line message for a data directory the server cannot write."""
    if data_dir.exists() and not data_dir.is_dir():
        reason = "it is a file, not a folder"
    return (f"Cannot use the data directory {data_dir}: {reason}. Make it writable and free some space on its "
            f"disk, or start with --data-dir pointing to another folder.")


def purge_expired(app) -> None:
    """Keep the join page's promise: delete sessions unchanged for more than RETENTION_DAYS."""
    days = app.extensions["workshop"].config.retention_days
    if days > 0:
        purged = app.extensions["workshop"].live.purge(days)
        if purged:
            log.info("Deleted %d session(s) unchanged for more than %s days.", len(purged), days)


class DataDirBusy(CannotStart):
    """Another server holds the data directory's lock."""


def lock_data_dir(data_dir: Path):
    """Create the data directory (0700) and take its exclusive lock; the open file holds it until exit."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    lock = os.fdopen(fd, "r+b")
    try:
        import fcntl

    except ImportError:  # Windows: no flock; one server per folder is then the operator's care
        return lock
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise DataDirBusy(f"Another workshop server is already using the data directory {data_dir}; stop it "
                          f"first, or start this one with --data-dir pointing to another folder.") from None
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n".encode())
    lock.flush()
    return lock


def open_file_limit() -> int:
    """The soft open-file limit (0 where there is none to read, or it is unlimited)."""
    try:
        import resource

    except ImportError:  # Windows
        return 0
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 0 if soft == resource.RLIM_INFINITY else soft


def raise_open_file_limit() -> tuple[int, int]:
    """Raise the soft open-file limit to the hard one; return the soft limit before and after."""
    before = open_file_limit()
    if before:
        import resource

        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        target = hard if hard != resource.RLIM_INFINITY else max(before, 65536)
        if before < target:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            except (ValueError, OSError):
                pass  # e.g. macOS refuses more than kern.maxfilesperproc: keep what we have
    return before, open_file_limit()


def connection_room(open_files: int, reserve: int) -> int:
    """How many connections may be open at once: the open-file limit minus the reserve, within the pool."""
    if open_files <= 0:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, open_files - reserve))


def connection_gate(config) -> "ConnectionGate":
    """The gate for this process's open-file limit and the app's settings."""
    return ConnectionGate(connection_room(open_file_limit(), config.fd_reserve), config.max_connections_per_address)


def capacity_line(files: tuple[int, int], config) -> str:
    """The console line that says how many connections the server can hold."""
    before, after = files
    gate = connection_gate(config)
    raised = f", raised from {before}" if after > before else ""
    per = f"at most {gate.per_address} from one address" if gate.per_address else "no cap per address"
    line = f"Connections: room for {gate.total} at a time, {per} (open-file limit {after or 'none'}{raised})."
    if gate.total < 4000:  # the README promises 2,000 phones at up to two sockets each
        line += "  WARNING: too few for 2,000 phones; raise the hard limit (ulimit -Hn, LimitNOFILE=)."
    if gate.per_address and config.trusted_proxies > 0:  # every connection then comes from the proxy's address
        line += ("  WARNING: behind a proxy the cap per address caps the proxy; set "
                 "WORKSHOP_MAX_CONNECTIONS_PER_ADDRESS=0 and let the proxy cap per client (docs/settings.md).")
    return line


def client_host(address) -> str:
    """The host part of an accepted connection's address."""
    return str(address[0]) if isinstance(address, tuple) else str(address)


def thread_pool(mode: str):
    """A function that runs CPU-heavy work in an OS thread and lets the event loop serve meanwhile."""
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    if mode == "gevent":
        import gevent

        return lambda work: gevent.get_hub().threadpool.apply(work)
    from workshop.web.services import run_here

    return run_here  # threading: every request has its own thread already


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
    from workshop.web import transport  # after monkey_patch: it imports python-socketio

    config = app.extensions["workshop"].config
    gate = app.extensions["workshop"].gate = connection_gate(config)  # /metrics reads its refusals
    app = transport.websocket_compression(app, config.websocket_deflate)
    if mode == "eventlet":
        run_eventlet(without_eventlet_cycle(app), sock, gate, config)
    elif mode == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        pywsgi.WSGIServer(sock, app, handler_class=WebSocketHandler, log=None).serve_forever()
    else:
        from werkzeug.serving import make_server

        host, port = sock.getsockname()[:2]
        make_server(host, port, app, threaded=True, fd=sock.fileno()).serve_forever()


def run_eventlet(app, sock: socket.socket, gate: ConnectionGate, config) -> None:
    """Serve with eventlet.wsgi: guarded accept, connection gate, header and idle timeouts.

    socket_timeout bounds every later read and write of a request too; WebSockets are not cut by it,
    since Engine.IO sets their socket's timeout to ping_interval + ping_timeout once upgraded.
    """
    import eventlet.wsgi

    from workshop.web import transport

    header, idle = float(config.header_timeout), float(config.idle_timeout)
    if config.websocket_deflate:
        transport.share_compression(transport.DeflateCache())
    eventlet.wsgi.server(guarded_listener(sock, gate), app, log_output=False,
                         max_size=MAX_CONNECTIONS, keepalive=idle, socket_timeout=header,
                         protocol=timed_protocol(header, idle), custom_pool=gated_pool(gate))


def guarded_listener(sock: socket.socket, gate: ConnectionGate):
    """The listening socket, whose accept() waits out a full descriptor table and closes what the gate refuses.

    eventlet.wsgi.server re-raises (and so exits on) every accept error but four, and stops serving on those.
    """
    import eventlet
    from eventlet.greenio import GreenSocket

    class GuardedListener(GreenSocket):
        """A green listening socket with a patient, gated accept()."""

        def accept(self):
            """Return the next connection the gate admits; never raise for a lack of descriptors."""
            while True:
                try:
                    client, address = super().accept()
                except OSError as error:
                    if error.errno in OUT_OF_DESCRIPTORS:
                        gate.out_of_descriptors(error)
                        eventlet.sleep(ACCEPT_PAUSE)
                        continue
                    if error.errno in GONE_BEFORE_ACCEPT:
                        continue
                    raise
                if gate.admit(client_host(address)):
                    return client, address
                client.close()

    return GuardedListener(sock)


def gated_pool(gate: ConnectionGate):
    """A green pool that tells the gate when a connection's handler has ended."""
    import eventlet

    class GatedPool(eventlet.GreenPool):
        """GreenPool whose spawned connection handlers release their gate slot when they end."""

        def spawn(self, function, connection, *args, **kwargs):
            """Spawn the handler of connection [address, socket, state] and release its slot at its end."""
            thread = super().spawn(function, connection, *args, **kwargs)
            thread.link(lambda _thread: gate.release(client_host(connection[0])))
            return thread

    return GatedPool(MAX_CONNECTIONS + 1)


def timed_protocol(header_timeout: float, idle_timeout: float):
    """eventlet's HTTP protocol with a total (not per-read) deadline for the request line and the headers."""
    import eventlet
    import eventlet.wsgi

    def within(seconds: float, read, protocol, expired_value):
        """Run read() with a deadline; on expiry mark the connection for closing and return expired_value."""
        timer = eventlet.Timeout(seconds)
        try:
            return read()
        except eventlet.Timeout as expired:
            if expired is not timer:
                raise
            protocol.close_connection = 1
            return expired_value
        finally:
            timer.cancel()

    class TimedProtocol(eventlet.wsgi.HttpProtocol):
        """HttpProtocol that drops idle connections and slow headers."""

        def _read_request_line(self):
            """Wait at most IDLE_TIMEOUT in all for a (new or kept-alive) request line."""
            return within(idle_timeout, super()._read_request_line, self, "")

        def parse_request(self):
            """Read the headers within HEADER_TIMEOUT in all."""
            return within(header_timeout, super().parse_request, self, False)

    return TimedProtocol

