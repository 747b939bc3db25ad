"""A raw Engine.IO/Socket.IO speaker over one websocket: what an attacker's script sends, frame by frame."""
from __future__ import annotations

import base64
import http.client
import itertools
import json
import os
import socket
import struct
import time
import zlib
from typing import Any

import requests
import websocket


def ws_url(base_url: str) -> str:
    """The raw Engine.IO websocket endpoint of a server."""
    return base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


class RawSocket:
    """One Engine.IO connection on which any namespace can be connected and any frame sent."""

    def __init__(self, base_url: str, timeout: float = 5.0, query: str = "", cookie: str | None = None,
                 header: dict[str, str] | None = None):
        """Open the websocket (extra `query` on the handshake URL, a browser's `cookie`, more headers) and read the open packet."""
        self.ws = websocket.create_connection(ws_url(base_url) + query, timeout=timeout, cookie=cookie, header=header)
        opened = self.ws.recv()
        assert opened.startswith("0{"), opened
        self.frames: list[str] = []
        self._ids = itertools.count(1)

    def close(self) -> None:
        """Close the websocket and its TCP socket (also when the server closed it first)."""
        try:
            self.ws.close(timeout=1)
        except (OSError, websocket.WebSocketException):
            pass
        self.ws.shutdown()

    def _next_frame(self, deadline: float) -> str:
        """Receive one frame, answering Engine.IO pings on the way."""
        while True:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
                continue
            self.frames.append(frame)
            return frame

    def wait_for(self, prefix: str, timeout: float = 5.0) -> str:
        """Return the first frame received (or already kept) that starts with prefix."""
        for frame in self.frames:
            if frame.startswith(prefix):
                self.frames.remove(frame)
                return frame
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self._next_frame(deadline)
            if frame.startswith(prefix):
                self.frames.remove(frame)
                return frame
        raise AssertionError(f"no frame starting with {prefix!r}; kept {self.frames}")

    def connect(self, namespace: str, auth: dict[str, Any]) -> dict[str, Any]:
        """Connect a namespace on this Engine.IO connection; return the ack ({'sid'}) or the refusal data."""
        self.ws.send(f"40{namespace}," + json.dumps(auth))
        frame = self.wait_for("4", timeout=5)
        while not (frame.startswith(f"40{namespace},") or frame.startswith(f"44{namespace},")):
            self.frames.append(frame)
            frame = self.wait_for_any((f"40{namespace},", f"44{namespace},"))
        return {"ok": frame.startswith("40"), "data": json.loads(frame.split(",", 1)[1])}

    def wait_for_any(self, prefixes: tuple[str, ...], timeout: float = 5.0) -> str:
        """Return the first frame that starts with one of the prefixes."""
        deadline = time.monotonic() + timeout
        for frame in list(self.frames):
            if frame.startswith(prefixes):
                self.frames.remove(frame)
                return frame
        while time.monotonic() < deadline:
            frame = self._next_frame(deadline)
            if frame.startswith(prefixes):
                self.frames.remove(frame)
                return frame
        raise AssertionError(f"no frame starting with {prefixes!r}; kept {self.frames}")

    def frames_within(self, seconds: float) -> list[str]:
        """Every frame that arrives in the next `seconds` (pings answered), after those already kept."""
        deadline = time.monotonic() + seconds
        got = list(self.frames)
        self.frames.clear()
        while time.monotonic() < deadline:
            try:
                got.append(self._next_frame(deadline))
            except websocket.WebSocketTimeoutException:
                break
            except (OSError, websocket.WebSocketException):
                break
        self.frames.clear()
        return got

    def emit(self, namespace: str, event: str, data: Any = None, timeout: float = 5.0) -> Any:
        """Send an event with an acknowledgement id and return the acknowledgement's payload."""
        ack_id = next(self._ids)
        self.ws.send(f"42{namespace},{ack_id}" + json.dumps([event, data]))
        frame = self.wait_for(f"43{namespace},{ack_id}[", timeout)
        return json.loads(frame[len(f"43{namespace},{ack_id}"):])[0]

    def send(self, namespace: str, event: str, data: Any = None) -> int:
        """Send an event with an acknowledgement id without waiting for it (a script pipelining a flood); return the id."""
        ack_id = next(self._ids)
        self.ws.send(f"42{namespace},{ack_id}" + json.dumps([event, data]))
        return ack_id

    def acks(self, namespace: str, count: int, timeout: float = 30.0) -> list[Any]:
        """The payloads of the next `count` acknowledgements on a namespace, in arrival order; other frames are dropped."""
        prefix, found = f"43{namespace},", []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            frame = self._next_frame(deadline)
            self.frames.pop()  # a flood's events and refusals: not kept, or every later wait scans them all
            if frame.startswith(prefix):
                found.append(json.loads(frame[frame.index("["):])[0])
        return found

    def drain(self, seconds: float = 0.5) -> list[str]:
        """Every frame received (or kept) until the connection is quiet for `seconds`; they leave the kept frames."""
        received, self.frames = self.frames, []
        while True:
            try:
                received.append(self._next_frame(time.monotonic() + seconds))
            except websocket.WebSocketTimeoutException:
                self.frames = []
                return received


class Frames:
    """One raw websocket: the handshake's response headers, then frames as (compressed, opcode, payload)."""

    def __init__(self, base_url: str, offer: str | None):
        host, port = base_url.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n"
                           + (f"Sec-WebSocket-Extensions: {offer}\r\n" if offer else "") + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, "the server closed the handshake"
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        assert lines[0].startswith("HTTP/1.1 101"), lines[0]
        self.headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self) -> tuple[bool, int, bytes]:
        """The next frame from the server (which never masks)."""
        a, b = self._take(2)
        n = b & 127
        if n == 126:
            n = struct.unpack("!H", self._take(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._take(8))[0]
        return bool(a & 0x40), a & 15, self._take(n)

    def text(self) -> tuple[bool, str]:
        """The next text message, inflated with a fresh stream when compressed, skipping Engine.IO pings."""
        while True:
            compressed, opcode, payload = self.frame()
            assert opcode == 1, opcode
            if compressed:  # no context takeover: every message inflates alone
                payload = zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")
            text = payload.decode()
            if text == "2":
                self.send("3")
                continue
            return compressed, text

    def send(self, text: str | bytes, compress: bool = False, opcode: int = 1) -> None:
        """Send one masked frame (text unless told), compressed with a fresh stream if asked."""
        self.sock.sendall(self.encode(text, compress, opcode))

    def encode(self, text: str | bytes, compress: bool = False, opcode: int = 1, mask: bytes | None = None) -> bytes:
        """One masked frame as it goes on the wire (a random mask unless given)."""
        data = text.encode() if isinstance(text, str) else text
        first = 0x80 | opcode
        if compress:
            bits = int(self.headers["sec-websocket-extensions"].split("client_max_window_bits=")[-1]) \
                if "client_max_window_bits=" in self.headers.get("sec-websocket-extensions", "") else 15
            stream = zlib.compressobj(6, zlib.DEFLATED, -bits)
            data = (stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH))[:-4]
            first |= 0x40
        n = len(data)
        length = bytes([0x80 | n]) if n < 126 else (bytes([0x80 | 126]) + struct.pack("!H", n) if n < 65536
                                                    else bytes([0x80 | 127]) + struct.pack("!Q", n))
        mask = os.urandom(4) if mask is None else mask
        return bytes([first]) + length + mask + bytes(d ^ mask[i % 4] for i, d in enumerate(data))

    def close(self) -> None:
        self.sock.close()


POLLING = "/socket.io/?EIO=4&transport=polling"


class Polling:
    """Engine.IO long-polling over one kept-alive HTTP connection, request by request."""

    def __init__(self, base_url: str, source: str | None = None, headers: dict[str, str] | None = None):
        """Open the TCP connection (from the source address when given)."""
        host, port = base_url.split("//")[1].split(":")
        self.http = http.client.HTTPConnection(host, int(port), timeout=5,
                                               source_address=(source, 0) if source else None)
        self.headers = headers or {}

    def handshake(self) -> tuple[int, str]:
        """Open an Engine.IO session: (status, its sid) or (status, the refusal's body)."""
        self.http.request("GET", POLLING, headers=self.headers)
        reply = self.http.getresponse()
        body = reply.read().decode()
        if reply.status != 200:
            return reply.status, body
        return reply.status, json.loads(body[1:].split("\x1e")[0])["sid"]

    def post(self, sid: str, payload: str, read: bool = True) -> int | None:
        """POST one Engine.IO payload to a session; its status, or None when not read."""
        self.http.request("POST", f"{POLLING}&sid={sid}", body=payload.encode(),
                          headers={**self.headers, "Content-Type": "text/plain;charset=UTF-8"})
        if not read:
            return None
        reply = self.http.getresponse()
        reply.read()
        return reply.status

    def close(self) -> None:
        """Close the TCP connection without waiting for anything."""
        self.http.close()


def create_session(base_url: str, **fields: Any) -> dict[str, Any]:
    """Create a session through the public API, as anyone on the network can."""
    reply = requests.post(base_url + "/api/sessions", json={"title": "Sessie", **fields}, timeout=5)
    assert reply.status_code == 201, reply.text
    return reply.json()


def session_state(base_url: str, session: dict[str, Any]) -> dict[str, Any]:
    """The facilitator's view of a session through the API (with its own bearer token)."""
    reply = requests.get(f"{base_url}/api/sessions/{session['code']}",
                         headers={"Authorization": f"Bearer {session['facilitator_token']}"}, timeout=5)
    assert reply.status_code == 200, reply.text
    return reply.json()
