"""Compressed websockets (permessage-deflate without context takeover), spoken frame by frame to a real server.

A browser offers permessage-deflate; the server answers without context takeover on either side, so no
connection keeps a zlib stream. Each compressed message must inflate on its own, short ones go plain, a
compressed message from a phone is understood, and a small frame that inflates past the message limit
(a "deflate bomb") closes only its own connection.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import struct
import zlib

import pytest
import requests

from tests.support.server import ServerProcess
from workshop.web.deflate import CLIENT_WINDOW_BITS, DEFLATE_WITHOUT_CONTEXT, SMALL

from .wire import create_session

pytestmark = pytest.mark.integration
BROWSER_OFFER = "permessage-deflate; client_max_window_bits"


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

    def send(self, text: str | bytes, compress: bool = False) -> None:
        """Send one masked text frame, compressed with a fresh stream if asked."""
        data = text.encode() if isinstance(text, str) else text
        first = 0x81
        if compress:
            bits = int(self.headers["sec-websocket-extensions"].split("client_max_window_bits=")[-1]) \
                if "client_max_window_bits=" in self.headers.get("sec-websocket-extensions", "") else 15
            stream = zlib.compressobj(6, zlib.DEFLATED, -bits)
            data = (stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH))[:-4]
            first |= 0x40
        n = len(data)
        length = bytes([0x80 | n]) if n < 126 else (bytes([0x80 | 126]) + struct.pack("!H", n) if n < 65536
                                                    else bytes([0x80 | 127]) + struct.pack("!Q", n))
        mask = os.urandom(4)
        self.sock.sendall(bytes([first]) + length + mask + bytes(d ^ mask[i % 4] for i, d in enumerate(data)))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server with the default settings (compression on)."""
    with ServerProcess(tmp_path_factory.mktemp("deflate") / "data") as running:
        yield running


def joined_phone(server, offer=BROWSER_OFFER) -> tuple[Frames, list[tuple[bool, str]]]:
    """A phone that connected to a new session and joined, compressing what it sends; and the messages it got."""
    code = create_session(server.url)["code"]
    ws = Frames(server.url, offer)
    got = [ws.text()]
    negotiated = "sec-websocket-extensions" in ws.headers
    ws.send("40/participant," + json.dumps({"code": code}), compress=negotiated)
    ws.send('42/participant,1["join",{"nickname":"Ada","discipline":null}]', compress=negotiated)
    while not got[-1][1].startswith("43/participant,1"):
        got.append(ws.text())
    return ws, got


def test_a_browser_offer_is_answered_without_context_takeover_and_each_message_inflates_alone(server):
    ws, got = joined_phone(server)
    try:
        assert ws.headers["sec-websocket-extensions"] == (DEFLATE_WITHOUT_CONTEXT
                                                          + f"; client_max_window_bits={CLIENT_WINDOW_BITS}")
        texts = [t for _, t in got]
        assert any(t.startswith('42/participant,["snapshot"') for t in texts)
        assert json.loads(texts[-1][len("43/participant,1"):])[0]["ok"] is True  # the compressed join was understood
        assert {c for c, t in got if len(t) >= SMALL} == {True}  # every long message came compressed
        assert {c for c, t in got if len(t.encode()) < SMALL} == {False}  # short ones plain (deflate would add bytes)
    finally:
        ws.close()


def test_a_deflate_bomb_closes_only_its_own_connection(server):
    ws, _ = joined_phone(server)
    other, _ = joined_phone(server)
    try:
        bomb = '42/participant,["idea",{"text":"' + "a" * 2_000_000 + '"}]'  # ~2 KB compressed, 2 MB inflated
        ws.send(bomb, compress=True)
        closed = None
        for _ in range(20):
            compressed, opcode, payload = ws.frame()
            if opcode == 8:
                closed = struct.unpack("!H", payload[:2])[0]
                break
        assert closed == 1009  # message too big: refused before it was inflated past the limit
        other.send('42/participant,2["join",{"nickname":"Bea","discipline":null}]', compress=True)
        while True:
            _, text = other.text()
            if text.startswith("43/participant,2"):
                break
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
    finally:
        ws.close()
        other.close()


def test_a_client_that_offers_no_window_size_is_not_given_one(server):
    ws, got = joined_phone(server, offer="permessage-deflate")
    try:
        assert ws.headers["sec-websocket-extensions"] == DEFLATE_WITHOUT_CONTEXT  # RFC 7692 7.1.2.2
        assert json.loads(got[-1][1][len("43/participant,1"):])[0]["ok"] is True
    finally:
        ws.close()


def test_without_an_offer_or_with_compression_off_messages_go_plain(server, tmp_path):
    ws, got = joined_phone(server, offer=None)
    try:
        assert "sec-websocket-extensions" not in ws.headers
        assert not any(c for c, _ in got)
    finally:
        ws.close()
    with ServerProcess(tmp_path / "data", env={"WORKSHOP_WEBSOCKET_DEFLATE": "0"}) as plain:
        ws, got = joined_phone(plain)
        try:
            assert "sec-websocket-extensions" not in ws.headers
            assert any(t.startswith('42/participant,["snapshot"') for _, t in got)
            assert not any(c for c, _ in got)
        finally:
            ws.close()
