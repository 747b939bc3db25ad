"""A small Socket.IO (v5, Engine.IO v4) client over one aiohttp websocket: light enough for thousands per process.

Only what the benchmark needs: websocket transport (no polling handshake), one
namespace per connection, events with acknowledgements, Engine.IO ping replies.
python-socketio's AsyncClient does the same with a session, three tasks and a
queue per client; this one has one reader task and decodes only what it is asked to.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable

import aiohttp


class SocketError(Exception):
    """A refused connection, a closed socket or a timeout, with a short code."""

    def __init__(self, code: str, detail: Any = None):
        super().__init__(f"{code}: {detail}" if detail is not None else code)
        self.code = code
        self.detail = detail


class Client:
    """One websocket, one Socket.IO namespace."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, namespace: str, *,
                 deflate: bool = True, on_event: Callable[[str, Any, float], None] | None = None,
                 decode: tuple[str, ...] | None = None, query: str = ""):
        """Remember where to connect; `decode` limits which events get JSON-decoded (None: all).

        `query` goes into the handshake URL, as the pages put the session code there (`code=CODE`) for a
        proxy that hashes on it.
        """
        self.http = http
        self.url = (base_url.replace("http://", "ws://", 1) + "/socket.io/?" + (query + "&" if query else "")
                    + "EIO=4&transport=websocket")
        self.namespace = namespace
        self.deflate = deflate
        self.on_event = on_event
        self.decode = decode
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.events: dict[str, asyncio.Future] = {}
        self._acks: dict[int, asyncio.Future] = {}
        self._next_ack = 0
        self._connected: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None
        self.closed_reason: str | None = None
        self.prefix = f"/{namespace.strip('/')},"

    async def connect(self, auth: dict[str, Any], timeout: float = 30.0) -> None:
        """Open the websocket and the namespace with `auth`; raise SocketError when refused."""
        loop = asyncio.get_running_loop()
        self._connected = loop.create_future()
        try:
            self.ws = await self.http.ws_connect(self.url, compress=15 if self.deflate else 0,
                                                 autoping=True, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=5))
            opening = await asyncio.wait_for(self.ws.receive(), timeout)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise SocketError("connect_failed", type(exc).__name__) from None
        if opening.type != aiohttp.WSMsgType.TEXT or not opening.data.startswith("0"):
            raise SocketError("bad_open", opening.data)
        await self.ws.send_str("40" + self.prefix + json.dumps(auth))
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self._connected, timeout)

    def wait_event(self, name: str) -> asyncio.Future:
        """A future resolved with the next payload of an event."""
        fut = self.events.get(name)
        if fut is None or fut.done():
            fut = self.events[name] = asyncio.get_running_loop().create_future()
        return fut

    async def call(self, event: str, data: Any, timeout: float = 30.0) -> Any:
        """Emit an event and wait for its acknowledgement's first argument."""
        if self.ws is None or self.ws.closed:
            raise SocketError("closed", self.closed_reason)
        self._next_ack += 1
        ack_id = self._next_ack
        fut = self._acks[ack_id] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(f"42{self.prefix}{ack_id}" + json.dumps([event, data]))
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            raise SocketError("ack_timeout", event) from None
        finally:
            self._acks.pop(ack_id, None)

    async def close(self) -> None:
        """Close the websocket and stop reading."""
        if self.ws is not None and not self.ws.closed:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except (asyncio.TimeoutError, OSError, aiohttp.ClientError):
                pass
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        """Dispatch every frame until the socket closes."""
        ws = self.ws
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                self._packet(msg.data)
        except (aiohttp.ClientError, OSError, asyncio.CancelledError) as exc:
            self.closed_reason = type(exc).__name__
        finally:
            self.closed_reason = self.closed_reason or "closed"
            error = SocketError("closed", self.closed_reason)
            for fut in list(self._acks.values()) + [self._connected]:
                if fut is not None and not fut.done():
                    fut.set_exception(error)

    async def _pong(self, data: str) -> None:
        """Answer an Engine.IO ping; a socket that is closing needs no answer."""
        try:
            await self.ws.send_str("3" + data)
        except (aiohttp.ClientError, OSError):
            pass

    def _packet(self, text: str) -> None:
        """Handle one Engine.IO packet."""
        kind = text[:1]
        if kind == "2":
            asyncio.ensure_future(self._pong(text[1:]))
            return
        if kind != "4":
            return
        sio = text[1:2]
        body = text[2:]
        if body.startswith(self.prefix):
            body = body[len(self.prefix):]
        elif body.startswith("/"):
            return  # another namespace
        if sio == "2":
            received = time.monotonic()
            start = body.find("[")
            # event name without decoding the payload: ["name",...]
            end = body.find('"', start + 2)
            name = body[start + 2:end]
            if self.decode is not None and name not in self.decode:
                return
            _, *args = json.loads(body[start:])
            payload = args[0] if args else None
            if self.on_event is not None:
                self.on_event(name, payload, received)
            fut = self.events.get(name)
            if fut is not None and not fut.done():
                fut.set_result(payload)
        elif sio == "3":
            start = body.find("[")
            ack_id = int(body[:start])
            fut = self._acks.get(ack_id)
            if fut is not None and not fut.done():
                args = json.loads(body[start:])
                fut.set_result(args[0] if args else None)
        elif sio == "0":
            if self._connected is not None and not self._connected.done():
                self._connected.set_result(True)
        elif sio == "4":
            detail = json.loads(body) if body else None
            code = detail.get("data", {}).get("code") if isinstance(detail, dict) and isinstance(
                detail.get("data"), dict) else detail
            if self._connected is not None and not self._connected.done():
                self._connected.set_exception(SocketError("refused", code))
        elif sio == "1":
            self.closed_reason = "disconnected_by_server"
