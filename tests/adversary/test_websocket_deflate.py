"""Compressed websockets (permessage-deflate without context takeover), spoken frame by frame to a real server.

A browser offers permessage-deflate; the server answers without context takeover on either side, so no
connection keeps a zlib stream. Each compressed message must inflate on its own, short ones go plain, a
compressed message from a phone is understood, and a small frame that inflates past the message limit
(a "deflate bomb") closes only its own connection.
"""
from __future__ import annotations

import json
import struct

import pytest
import requests

from tests.support.server import ServerProcess
from workshop.web.transport import CLIENT_WINDOW_BITS, DEFLATE_WITHOUT_CONTEXT, SMALL

from .wire import Frames, create_session

pytestmark = pytest.mark.integration
BROWSER_OFFER = "permessage-deflate; client_max_window_bits"


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
