"""Socket.IO rooms: their names, and the bookkeeping for thousands of phones (rooms indexed per client, heartbeats spread
out, JSON sent as is)."""
from __future__ import annotations

import random

import socketio

HEARTBEAT_SPREAD = 0.25  # each ping comes after 75-100 % of the ping interval


def phones(code: str) -> str:
    """Room of every phone of a session (namespace /participant)."""
    return f"{code}:phones"


def person(code: str, participant_id: int) -> str:
    """Room of one participant's sockets (namespace /participant)."""
    return f"{code}:p:{participant_id}"


def screens(code: str) -> str:
    """Room of a session's projectors (namespace /screen) and facilitators (namespace /facilitator)."""
    return f"{code}:screens"


class RoomIndex:
    """An index of the rooms each client is in, for any python-socketio manager (mixed in before it).

    The stock manager finds a leaving client's rooms by testing every room of the
    namespace, and every client has a room of its own (plus, here, a personal
    room): one disconnect costs O(connected clients), a thousand phones leaving
    at once O(n²) (docs/performance.md).
    """

    def __init__(self, *args, **kwargs):
        """Start with no clients (the arguments go to the manager)."""
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        """Enter a room and remember it for the client."""
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        """Leave a room and forget it for the client."""
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """Leave the client's own rooms only, then clean up as the stock manager does."""
        if namespace not in self.rooms:
            return
        # The None room (the client's registration) last: the namespace's entry goes once it is empty.
        for room in sorted(self._rooms_of.get((namespace, sid), ()), key=lambda r: r is None):
            self.basic_leave_room(sid, namespace, room)
        self._rooms_of.pop((namespace, sid), None)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if namespace in pending and sid in pending[namespace]:
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]


class RoomIndexManager(RoomIndex, socketio.Manager):
    """python-socketio's in-memory manager plus the room index (one process, no message queue)."""


class JsonPacket(socketio.packet.Packet):
    """Socket.IO packets without the search for bytes: this app sends JSON only.

    The stock packet walks every payload it sends (each list item, each dict value) looking for bytes to
    send as binary attachments: 7-13 % of a worker's CPU with 200 rooms answering (docs/performance.md).
    Nothing here emits bytes; a payload that held some would fail in json.dumps (TypeError) instead.
    Frames that clients send are decoded as before.
    """

    uses_binary_events = False


def spread_heartbeats(eio_server, spread: float = HEARTBEAT_SPREAD) -> None:
    """Make Engine.IO wait a random 1-spread..1 of its ping interval before each ping.

    Engine.IO pings each connection a fixed interval after its last pong, so a rush
    of phones that joined within a few seconds is pinged (and answers) in the same
    clumps every interval: at 2,000 phones the server stalled for 50-150 ms every
    20 s. Random waits dissolve the clumps. Shorter waits stay within what the
    clients allow (ping interval + ping timeout); the interval they are told in the
    handshake is one such draw.
    """
    base = type(eio_server)

    class SpreadPings(base):
        """The same server, reading a jittered ping interval."""

        @property
        def ping_interval(self) -> float:
            return self._ping_interval * random.uniform(1 - spread, 1)

        @ping_interval.setter
        def ping_interval(self, value: float) -> None:
            self._ping_interval = value

    interval = eio_server.__dict__.pop("ping_interval")
    eio_server.__class__ = SpreadPings
    eio_server.ping_interval = interval
