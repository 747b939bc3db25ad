"""Running as one of several workers behind a proxy that hashes on the session code (docs/deployment.md).

The proxy sends every request naming a code to the same worker: pages and the API carry it in the path,
Socket.IO connections in the `code` query parameter (static/js/common.js). The proxy hashes the value as it
reads it (nginx: `$arg_code` is the first parameter named code in any case, not URL-decoded), and passes that
very value on in the ROUTE_HEADER (deploy/nginx/workshop-locations.conf, which also drops a client's own).
A worker serves a session only when the proxy hashed exactly its canonical code, so every request of a
session reaches one worker and no other ever loads it (docs/decisions.md, "Which worker owns a session").
A page whose code is not written canonically (upper case, no dashes) is redirected to the canonical URL
first; a request or socket the proxy routed by another value is refused with `wrong_worker` (421).

What crosses worker processes (admin notices such as deletions) travels on Flask-SocketIO's message queue
(Redis): see QueueManager below.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, TYPE_CHECKING

import socketio
from flask import Flask, redirect, request, url_for
from flask_babel import gettext as _

from workshop.core import security
from workshop.web import protocol
from workshop.web.middleware import api_error, error_page
from workshop.web.services import services
from workshop.web.transport import RoomIndex

if TYPE_CHECKING:
    from flask_socketio import SocketIO

WORKER_HEADER = "X-Workshop-Worker"
ROUTE_HEADER = "X-Workshop-Code"  # the value the proxy hashed to pick this worker
MISDIRECTED = 421  # HTTP's "Misdirected Request": sent to a server that cannot answer for it


def init_app(app: Flask, worker: int | None) -> None:
    """In a worker (setting WORKER), canonicalise codes in page URLs and name the worker in responses."""
    if not worker:
        return
    app.before_request(canonical_code)
    app.before_request(owned_here)
    app.after_request(name_worker)


def canonical_code():
    """Redirect a URL whose session code is not written canonically to the one that is.

    `/j?code=` (the typed code) goes to `/j/CODE` without a lookup here: the worker the proxy hashes
    CODE to answers it, rate limits included, and this one never loads a session it does not hold.
    """
    if request.endpoint == "pages.join_code" and request.args.get("code") is not None:
        typed = security.normalise_code(request.args["code"])
        return redirect(url_for("pages.join", code=typed), 303) if typed else None
    raw = (request.view_args or {}).get("code")
    code = security.normalise_code(raw) if isinstance(raw, str) else None
    if code is None or code == raw:
        return None
    path = request.path.replace(f"/{raw}", f"/{code}", 1)
    query = request.query_string.decode("latin-1")
    return redirect(path + (f"?{query}" if query else ""), code=308)


def name_worker(response):
    """Say which worker answered (operators and the tests see where the proxy sent a session)."""
    response.headers[WORKER_HEADER] = str(services().config.worker)
    return response


def owned_here():
    """Refuse a page or API request for a session the proxy did not route here by that session's own code."""
    raw = (request.view_args or {}).get("code")
    if not isinstance(raw, str) or security.normalise_code(raw) is None or routed_here(raw):
        return None
    if request.path.startswith("/api/"):
        return api_error(MISDIRECTED, "wrong_worker")
    return error_page(MISDIRECTED, _("This page reached the wrong server process"),
                      str(protocol.ERRORS["wrong_worker"]))


def routed_here(code: object) -> bool:
    """Tell whether the proxy routed this request by exactly this session's canonical code (always true with one process)."""
    if not services().config.worker:
        return True
    canonical = security.normalise_code(code)
    return canonical is not None and request.headers.get(ROUTE_HEADER) == canonical


# Flask-SocketIO's message queue (Redis) for what crosses worker processes: admin notices such as deletions.
#
# Each session lives in one worker (the proxy hashes on its code), so its rooms are always local: an emit to a
# room this worker holds goes straight to its sockets and never through Redis (which would send every live
# aggregate through the queue to every worker). An emit to a room no local socket is in (another worker's, or
# from a process with no sockets at all) is published on the queue as python-socketio always does.
#
# Admin notices travel as emits on ADMIN_NAMESPACE, a namespace no client can connect to: each worker hands
# them to its `on_admin` handler instead of to sockets.
ADMIN_NAMESPACE = "/workshop-admin"
SESSIONS_DELETED = "sessions_deleted"
LINKS_REVOKED = "links_revoked"  # facilitator links rotated away or evicted by `workshop sessions link`
CHANNEL = "workshop"
log = logging.getLogger(__name__)


class QueueManager(RoomIndex, socketio.RedisManager):
    """python-socketio's Redis manager, with the room index, local-first emits and admin notices."""

    def __init__(self, url: str, channel: str = CHANNEL, write_only: bool = False):
        """Connect to the Redis server at url (redis://host:port/db)."""
        super().__init__(url, channel=channel, write_only=write_only)
        self.on_admin: Callable[[str, Any], None] = lambda event, data: None

    def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        """Emit locally when the target room (or every room of a list, such as sids) has sockets here; else publish."""
        room = to or room
        here = self.rooms.get(namespace or "/", {})
        rooms = [room] if isinstance(room, str) else room if isinstance(room, list) else None
        if rooms and all(isinstance(r, str) and r in here for r in rooms):
            kwargs["ignore_queue"] = True
        return super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                            callback=callback, **kwargs)

    def _handle_emit(self, message):
        """Hand an admin notice to on_admin; pass any other emit to the sockets as usual."""
        if message.get("namespace") == ADMIN_NAMESPACE:
            data = message.get("data")
            try:
                self.on_admin(message.get("event"), data[0] if isinstance(data, list) and data else data)
            except Exception:  # one bad notice must not stop the listener
                log.exception("admin notice %r failed", message.get("event"))
            return None
        return super()._handle_emit(message)


def announce(url: str, event: str, codes: list[str]) -> None:
    """Tell every worker listening on the queue at url about these sessions (from the CLI): SESSIONS_DELETED or LINKS_REVOKED."""
    manager = socketio.RedisManager(url, channel=CHANNEL, write_only=True)
    manager.emit(event, list(codes), namespace=ADMIN_NAMESPACE)


def admin_listener(app, live) -> Callable[[str, Any], None]:
    """The on_admin handler of a worker: close what it holds of deleted sessions, sign out revoked facilitator links."""
    def on_admin(event: str, data: Any) -> None:
        """Act on one admin notice."""
        if event not in (SESSIONS_DELETED, LINKS_REVOKED) or not isinstance(data, list):
            return
        with app.app_context():
            for code in data:
                if not isinstance(code, str):
                    continue
                if event == LINKS_REVOKED:
                    room = live.in_memory(code)
                    if room is not None:
                        live.sign_out_revoked(room)
                    continue
                room = live.deleted_room(code)
                if room is not None:
                    live.deleted_elsewhere(room)
                    log.info("session %s was deleted by another process; its sockets were closed", code)
    return on_admin


def listen_to_queue(socketio: SocketIO, on_admin) -> None:
    """Start hearing the message queue now (python-socketio would wait for the first client)."""
    server = socketio.server
    server.manager.on_admin = on_admin
    if not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()
