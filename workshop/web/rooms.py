"""Socket.IO bookkeeping for thousands of phones: rooms indexed per client, heartbeats spread out, bad frames refused."""
from __future__ import annotations

import logging
import math
import random
import time

import socketio

HEARTBEAT_SPREAD = 0.25  # each ping comes after 75-100 % of the ping interval


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


class QuietRefusals:
    """Logs refused input as one WARNING line at most per interval, never with a traceback."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0, clock=time.monotonic):
        """Log through logger at most once per interval seconds."""
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self.last = -math.inf
        self.count = 0

    def note(self, what: str, exc: BaseException) -> None:
        """Count a refusal; log it when the last line is older than the interval."""
        self.count += 1
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self.logger.warning("refused %s (%s); %d refused so far, next note in %.0f s",
                                what, type(exc).__name__, self.count, self.interval)


def refuse_malformed_frames(sio_server, refusals: QuietRefusals) -> None:
    """Drop a connection whose Socket.IO frame cannot be decoded, quietly instead of with a traceback.

    python-socketio decodes a frame inside Engine.IO's message handler, which logs any
    exception at ERROR with its traceback: JSON nested thousands deep, 5,000-digit
    integers or binary junk from one client filled the log (docs/security.md, finding 14).
    Handlers run as tasks of their own, so what fails here is the decoding.
    """
    handle = sio_server._handle_eio_message

    def guarded(eio_sid, data):
        """Decode and dispatch a frame; refuse one that cannot be decoded."""
        try:
            return handle(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, UnicodeError) as exc:
            refusals.note("a malformed Socket.IO frame", exc)
            sio_server.eio.disconnect(eio_sid)
            return None

    sio_server.eio.on("message", guarded)
