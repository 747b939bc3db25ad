"""python-engineio and python-socketio as this app needs them, changed in this one place (docs/decisions.md).

- JSON text only: a binary Socket.IO packet or a binary Engine.IO message closes its connection before
  anything of it is kept; a frame that cannot be decoded does too, quietly.
- Closing a session never waits for a long-polling GET that may never come.
- Engine.IO sessions are counted per client address and refused beyond MAX_SESSIONS_PER_ADDRESS.
The namespaces the server accepts (the app's three, never `/`) are given to the server where it is made (app.py).
"""
from __future__ import annotations

import json
import logging
import math
import time

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
