"""Flask-SocketIO's message queue (Redis) for what crosses worker processes: admin notices such as deletions.

Each session lives in one worker (the proxy hashes on its code), so its rooms are always local: an emit to a
room this worker holds goes straight to its sockets and never through Redis (which would send every live
aggregate through the queue to every worker). An emit to a room no local socket is in (another worker's, or
from a process with no sockets at all) is published on the queue as python-socketio always does.

Admin notices travel as emits on ADMIN_NAMESPACE, a namespace no client can connect to: each worker hands
them to its `on_admin` handler instead of to sockets.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import socketio

from workshop.web.rooms import RoomIndex

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
