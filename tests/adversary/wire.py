"""A raw Engine.IO/Socket.IO speaker over one websocket: what an attacker's script sends, frame by frame."""
from __future__ import annotations

import itertools
import json
import time
from typing import Any

import requests
import websocket


def ws_url(base_url: str) -> str:
    """The raw Engine.IO websocket endpoint of a server."""
    return base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


class RawSocket:
    """One Engine.IO connection on which any namespace can be connected and any frame sent."""

    def __init__(self, base_url: str, timeout: float = 5.0):
        """Open the websocket and read the Engine.IO open packet."""
        self.ws = websocket.create_connection(ws_url(base_url), timeout=timeout)
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
