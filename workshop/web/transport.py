"""python-engineio and python-socketio as this app needs them, changed in this one place (docs/decisions.md).

- JSON text only: a binary Socket.IO packet or a binary Engine.IO message closes its connection before
  anything of it is kept; a frame that cannot be decoded does too, quietly; packets are sent without a search
  for bytes (JsonPacket).
- Closing a session never waits for a long-polling GET that may never come.
- Engine.IO sessions are counted per client address and refused beyond MAX_SESSIONS_PER_ADDRESS.
- Rooms are indexed per client (RoomIndex) and heartbeats spread out, for thousands of phones.
- Websocket messages are compressed without context takeover, each message once for every socket (deflate).
The namespaces the server accepts (the app's three, never `/`) are given to the server where it is made (app.py).
"""
from __future__ import annotations

import json
import logging
import math
import random
import time
import zlib
from collections import OrderedDict
from typing import Any

import socketio

from workshop.web import protocol as p
from workshop.web.limits import ConnectionGate

# The first character of a Socket.IO frame is its packet type: BINARY_EVENT and BINARY_ACK announce attachments,
# which python-socketio keeps, as many as announced, until they have all come.
BINARY_PACKETS = frozenset("56")
SESSION_ADDRESS = "workshop.session_address"  # the environ key of an admitted handshake's client address
# The 429 of a handshake beyond MAX_SESSIONS_PER_ADDRESS: before any request context, so in English (protocol.ERRORS).
TOO_MANY = {"error": {"code": "too_many_connections",
                      "message": "Too many connections from this address; close some and try again."}}


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


class BinaryRefused(ValueError):
    """A binary frame: this app sends and takes JSON text only."""


def close_now(eio_server, sid: str | None = None) -> None:
    """Close one Engine.IO session (all without a sid) at once, as python-engineio's disconnect does, minus the wait.

    The stock close waits until a GET has taken the session's last packets; but a GET for a closed
    session is refused, and the close ran inside the POST that brought the bad frame: that POST never
    returned and its descriptor stayed in CLOSE_WAIT for ever (docs/security.md, issue 20 finding 2).
    A websocket's writer still sends the close packet; a polling client's next GET gets 400.
    """
    sids = [sid] if sid is not None else list(eio_server.sockets)
    for each in sids:
        socket = eio_server.sockets.get(each)
        if socket is not None:
            socket.close(wait=False, reason=eio_server.reason.SERVER_DISCONNECT)
            eio_server.sockets.pop(each, None)


def json_frames_only(sio_server, refusals: QuietRefusals) -> None:
    """Close a connection that sends a binary frame, or one that cannot be decoded, quietly and at once.

    python-socketio keeps every binary message that follows a binary packet's header as an attachment,
    up to the count the header announces (up to 9,999,999,999): 1.2 MB of compressed frames held 308 MB.
    It decodes a frame inside Engine.IO's message handler, which logs any exception with its traceback
    (JSON nested thousands deep, 5,000-digit integers: docs/security.md, finding 14). Handlers run as
    tasks of their own, so what fails here is the decoding.
    """
    handle = sio_server._handle_eio_message

    def guarded(eio_sid, data):
        """Dispatch a JSON text frame; refuse a binary one or one that cannot be decoded."""
        try:
            if not isinstance(data, str) or data[:1] in BINARY_PACKETS:
                raise BinaryRefused("binary frame")
            return handle(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, UnicodeError) as exc:
            refusals.note("a malformed or binary Socket.IO frame", exc)
            close_now(sio_server.eio, eio_sid)
            return None

    sio_server.eio.on("message", guarded)


class SessionsPerAddress:
    """Counts the open Engine.IO sessions of each client address; refuses a handshake beyond the cap.

    The TCP connection gate (workshop/server.py) counts connections, but one kept-alive connection can
    open any number of long-polling sessions (20,000 over 4 connections: +243 MB). The address is the one
    the app sees: the forwarded client behind TRUSTED_PROXIES (ProxyFix rewrote the environ before this).
    """

    def __init__(self, eio_server, per_address: int):
        """Count the sessions of eio_server, at most per_address (0: any number) from one address."""
        self.eio = eio_server
        self.gate = ConnectionGate(0, per_address, what="Engine.IO sessions", setting="MAX_SESSIONS_PER_ADDRESS")
        self._address_of: dict[str, str] = {}

    def install(self) -> None:
        """Wrap the server's handshake and its connect and disconnect handlers."""
        handshake = self.eio._handle_connect
        on_connect = self.eio.handlers["connect"]
        on_disconnect = self.eio.handlers["disconnect"]

        def counted_handshake(environ, start_response, transport, jsonp_index=None):
            """Open a session when the address has room; else answer 429 with the documented JSON error."""
            address = environ.get("REMOTE_ADDR") or "unknown"
            if not self.gate.admit(address):
                return {"status": "429 TOO MANY REQUESTS", "headers": [("Content-Type", "application/json")],
                        "response": json.dumps(TOO_MANY).encode()}
            environ[SESSION_ADDRESS] = address
            try:
                return handshake(environ, start_response, transport, jsonp_index)
            finally:
                if environ.pop(SESSION_ADDRESS, None) is not None:  # it never became a session
                    self.gate.release(address)

        def connected(sid, environ):
            """Remember the session's address until it closes."""
            address = environ.pop(SESSION_ADDRESS, None)
            if address is not None:
                self._address_of[sid] = address
            return on_connect(sid, environ)

        def disconnected(sid, reason):
            """Give the session's place back."""
            address = self._address_of.pop(sid, None)
            if address is not None:
                self.gate.release(address)
            return on_disconnect(sid, reason)

        self.eio._handle_connect = counted_handshake
        self.eio.on("connect", connected)
        self.eio.on("disconnect", disconnected)


def configure(sio_server, refusals: QuietRefusals, sessions_per_address: int) -> SessionsPerAddress:
    """Apply every change this module makes to a python-socketio server and its Engine.IO server."""
    sio_server.eio.disconnect = lambda sid=None: close_now(sio_server.eio, sid)
    json_frames_only(sio_server, refusals)
    sessions = SessionsPerAddress(sio_server.eio, sessions_per_address)
    sessions.install()
    return sessions


# Socket.IO rooms for thousands of phones: rooms indexed per client, heartbeats spread out, JSON sent as is.
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


# Websocket compression that costs nothing per connection: permessage-deflate without context takeover.
# With context takeover every connection keeps two zlib streams (~100 KB a phone, docs/performance.md). Without
# it each message is compressed on its own with a fresh stream, so its compressed form depends on the message
# alone: a message sent to 2,000 phones (the idea list, the live view) is compressed once and the result reused
# from a small cache. Short messages are sent as they are, since deflate would only make them longer.
DEFLATE_WITHOUT_CONTEXT = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
# What a phone sends is a few hundred bytes: a 1 KB window is plenty, and the server's inflater needs no more
CLIENT_WINDOW_BITS = 10
SMALL = 128  # characters (or bytes) below which a message goes uncompressed
SHARED = 1024  # bytes from which a compressed message is kept for the next socket that sends it
CACHE_SIZE = 32  # compressed messages kept


def websocket_compression(app, enabled: bool):
    """Negotiate permessage-deflate without context takeover when the client offers it (and `enabled`), else none.

    Whatever the browser offers, the server answers with both `no_context_takeover` parameters (RFC 7692 lets a
    server add them), so neither side keeps a stream. Incoming messages still inflate to at most the frame
    limit (eventlet checks it).
    """
    def application(environ, start_response):
        offer = environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        deflates = [part.split(";") for part in (offer or "").split(",")
                    if part.split(";")[0].strip().lower() == "permessage-deflate"]
        if enabled and deflates:
            # RFC 7692: the server may ask the client for a smaller window only if the client offered to take one
            small = any(param.split("=")[0].strip().lower() == "client_max_window_bits" for param in deflates[0][1:])
            environ["HTTP_SEC_WEBSOCKET_EXTENSIONS"] = DEFLATE_WITHOUT_CONTEXT + (
                f"; client_max_window_bits={CLIENT_WINDOW_BITS}" if small else "")
        return app(environ, start_response)
    return application


def deflate(data: bytes, wbits: int) -> bytes:
    """One message compressed with a fresh stream, ending in the sync-flush marker permessage-deflate strips.

    The window need not be larger than the message (any receiver inflates a smaller window than the one
    negotiated), so a short message gets a small window and hash table: zlib then allocates ~10 KB instead
    of ~256 KB, and a 200-byte message costs ~6 µs instead of ~35 µs.
    """
    bits = min(wbits, max(9, len(data).bit_length()))
    stream = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -bits, max(1, min(8, bits - 7)))
    return stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)


class DeflateCache:
    """The compressed forms of the latest large messages, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE, shared: int = SHARED):
        """Keep at most `size` messages of at least `shared` bytes."""
        self.size, self.shared = size, shared
        self._items: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self.hits = self.misses = 0

    def compress(self, data: bytes, wbits: int) -> bytes:
        """The message compressed, from the cache when another socket sent it just before."""
        if len(data) < self.shared:
            return deflate(data, wbits)
        key = (wbits, data)
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            found = self._items[key] = deflate(data, wbits)
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self.hits += 1
            self._items.move_to_end(key)
        return found


class _OneMessage:
    """What eventlet asks for a compressor of one message: compress() then flush(), served by the cache."""

    def __init__(self, cache: DeflateCache, wbits: int):
        self.cache, self.wbits, self.data = cache, wbits, b""

    def compress(self, data: bytes) -> bytes:
        """Keep the message; the work happens in flush()."""
        self.data += data
        return b""

    def flush(self, mode: int = zlib.Z_SYNC_FLUSH) -> bytes:
        """The compressed message with its sync-flush marker."""
        return self.cache.compress(self.data, self.wbits)


def share_compression(cache: DeflateCache) -> None:
    """Make eventlet's server websockets compress through the cache and leave short messages uncompressed.

    eventlet builds its websocket class by name in `WebSocketWSGI`; the subclass changes only how a
    compressor is chosen, and only for connections that negotiated no context takeover.
    """
    import eventlet.websocket

    base = eventlet.websocket.RFC6455WebSocket
    if getattr(base, "shared_deflate", None) is not None:
        base.shared_deflate = cache
        return

    class SharedDeflateWebSocket(base):
        """A server websocket whose messages are compressed once for every socket that sends them."""

        shared_deflate: DeflateCache = cache
        _plain = False

        def _pack_message(self, message, *args, **kwargs):
            """Frame a message; a short one goes uncompressed."""
            self._plain = isinstance(message, (str, bytes)) and len(message) < SMALL
            return super()._pack_message(message, *args, **kwargs)

        def _get_permessage_deflate_enc(self):
            """The cache for a message without context takeover; eventlet's own stream otherwise."""
            options = self.extensions.get("permessage-deflate")
            if options is None or self._plain:
                return None
            if not options.get("server_no_context_takeover") or self.client:
                return super()._get_permessage_deflate_enc()
            return _OneMessage(self.shared_deflate, options.get("server_max_window_bits", zlib.MAX_WBITS))

    eventlet.websocket.RFC6455WebSocket = SharedDeflateWebSocket


# ---- Hand-over: closing the connections of a session this worker no longer holds ----
# Closing the connections of a session this worker no longer holds, so their clients reconnect through the proxy.
#
# The whole Engine.IO connection closes (not only the namespace): a client's retry then makes a new handshake,
# which the proxy routes by the session code to the worker that holds the session now (live/ownership.py). It
# closes without Engine.IO's close packet, as a dropped network would: Socket.IO clients (the pages' and
# python-socketio) reconnect by themselves after that, while a close packet tells them to stay away.

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
