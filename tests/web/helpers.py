"""Helpers for Socket.IO test-client tests: wait for events, run a room of participants."""
from __future__ import annotations

import re
import time
from typing import Any, Callable


class Inbox:
    """Collects what one test client received and waits for events."""

    def __init__(self, client, namespace: str):
        """Wrap a Flask-SocketIO test client connected to a namespace."""
        self.client = client
        self.namespace = namespace
        self.events: list[tuple[str, Any]] = []

    def pull(self) -> list[tuple[str, Any]]:
        """Move newly received events into the inbox and return all of them."""
        if self.client.is_connected(self.namespace):
            for item in self.client.get_received(self.namespace):
                self.events.append((item["name"], item["args"][0] if item["args"] else None))
        return self.events

    def names(self) -> list[str]:
        """The names of every event received so far."""
        return [name for name, _ in self.pull()]

    def last(self, name: str) -> Any:
        """The payload of the most recent event with this name (None if none)."""
        for event, data in reversed(self.pull()):
            if event == name:
                return data
        return None

    def wait(self, name: str, predicate: Callable[[Any], bool] = lambda d: True, timeout: float = 5.0) -> Any:
        """Wait until an event with this name satisfies the predicate; return its payload."""
        deadline = time.monotonic() + timeout
        while True:
            for event, data in reversed(self.pull()):
                if event == name and predicate(data):
                    return data
            if time.monotonic() > deadline:
                raise AssertionError(f"no {name!r} event matching in {timeout}s; got {self.names()}")
            time.sleep(0.01)

    def emit(self, event: str, data: Any = None) -> Any:
        """Emit an event and return its acknowledgement."""
        return self.client.emit(event, data, namespace=self.namespace, callback=True)


def connect(socketio, app, role: str, auth: dict[str, Any], flask_client=None) -> Inbox:
    """Connect a test client for a role and return its inbox."""
    namespace = f"/{role}"
    client = socketio.test_client(app, namespace=namespace, auth=auth,
                                  flask_test_client=flask_client or app.test_client())
    return Inbox(client, namespace)


def projector_key(session: dict[str, Any]) -> str:
    """The key in a session's projector URL."""
    return session["projector_url"].split("k=", 1)[1]


def csrf_token(client) -> str:
    """The CSRF token of the start page's form, as a browser that opened the page has it."""
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
