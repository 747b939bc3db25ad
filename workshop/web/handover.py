"""Closing the connections of a session this worker no longer holds, so their clients reconnect through the proxy.

The whole Engine.IO connection closes (not only the namespace): a client's retry then makes a new handshake,
which the proxy routes by the session code to the worker that holds the session now (live/ownership.py). It
closes without Engine.IO's close packet, as a dropped network would: Socket.IO clients (the pages' and
python-socketio) reconnect by themselves after that, while a close packet tells them to stay away.
"""
from __future__ import annotations

from typing import Any

from workshop.web import protocol as p


def close_connection(server: Any, sid: str, namespace: str) -> None:
    """Close the Engine.IO connection that carries one Socket.IO socket (after its reply went out)."""
    eio_sid = server.manager.eio_sid_from_sid(sid, namespace)
    if eio_sid is not None:
        server.start_background_task(drop, server.eio, eio_sid)


def drop(eio_server: Any, eio_sid: str) -> None:
    """End one Engine.IO connection at once, as a lost network would (no close packet: the client reconnects)."""
    socket = eio_server.sockets.pop(eio_sid, None)
    if socket is not None:
        socket.close(wait=False, abort=True, reason=eio_server.reason.TRANSPORT_CLOSE)


def close_room(server: Any, room: Any) -> int:
    """Close every connection of this worker that carries a socket of a room; return how many."""
    names = {
        p.PARTICIPANT: [p.phones(room.code), *(p.person(room.code, pid) for pid in list(room.sockets))],
        p.SCREEN: [p.screens(room.code)],
        p.FACILITATOR: [p.screens(room.code)],
    }
    eio_sids = {eio for namespace, rooms in names.items() for name in rooms
                for _sid, eio in server.manager.get_participants(namespace, name)}
    for eio_sid in eio_sids:
        drop(server.eio, eio_sid)
    return len(eio_sids)
