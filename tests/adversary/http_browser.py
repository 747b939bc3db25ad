"""A browser's cookie jar for one site, over real HTTP: sends its cookies only where a browser would."""
from __future__ import annotations

import re
import threading
from http.cookies import SimpleCookie

import requests
import socketio


class Browser:
    """Keeps the cookies one site set; a cross-site form post goes without them, as SameSite=Lax makes it."""

    def __init__(self, url: str):
        """A browser with an empty cookie jar for the site at url."""
        self.url = url
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, *, send_cookies: bool = True, **kwargs) -> requests.Response:
        """Send a request (no redirects followed) and store every cookie the answer sets."""
        headers = dict(kwargs.pop("headers", None) or {})
        if send_cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(method, self.url + path, headers=headers, allow_redirects=False,
                                    timeout=10, **kwargs)
        for raw in response.raw.headers.getlist("Set-Cookie"):
            self.set_cookie_headers.append(raw)
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        """A same-site GET with the cookies."""
        return self.request("GET", path, **kwargs)

    def csrf_token(self) -> str:
        """Open the start page and read its form's CSRF token."""
        html = self.get("/").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, "the start page's form has no CSRF token"
        return match.group(1)

    def create_by_form(self, title: str) -> str:
        """Create a session through the start page's form; return the manage page's path."""
        form = {"title": title, "pacing": "paced", "disciplines": "Directie", "language": "nl",
                "csrf_token": self.csrf_token()}
        response = self.request("POST", "/sessions", data=form)
        assert response.status_code == 303, response.text[:500]
        return response.headers["Location"].replace(self.url, "")

    def cross_site_post(self, path: str, data: dict, origin: str = "https://evil.example") -> requests.Response:
        """An auto-submitting form on another site: no cookies sent (SameSite=Lax), but Set-Cookie is kept."""
        headers = {"Origin": origin, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
                   "Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, send_cookies=False, data=data, headers=headers)


class PhoneSocket:
    """A phone's Socket.IO connection to the participant namespace of a real server; keeps what it got."""

    def __init__(self, url: str, auth: dict, headers: dict | None = None, transport: str = "websocket"):
        """Try to connect; `connected` tells whether it did, `refusal` holds the server's {code, message}."""
        self.refusal: dict = {}
        self.snapshot = threading.Event()
        self.snapshot_data: dict = {}
        headers = dict(headers or {})
        origin = headers.pop("Origin", None) if transport == "websocket" else None
        # websocket-client adds an Origin of its own unless told which one to send
        self.sio = socketio.Client(reconnection=False,
                                   websocket_extra_options={"origin": origin} if origin else None)
        self.sio.on("connect_error", self._refused, namespace="/participant")
        self.sio.on("snapshot", self._snapshot, namespace="/participant")
        try:
            self.sio.connect(url, namespaces=["/participant"], auth=auth, headers=headers,
                             transports=[transport], wait_timeout=10)
            self.connected = True
        except socketio.exceptions.ConnectionError:
            self.connected = False

    def _refused(self, data=None):
        """Keep the refusal's {code, message}."""
        if isinstance(data, dict):
            self.refusal = data.get("data") or data

    def _snapshot(self, data):
        """Keep the snapshot the server sends on connect."""
        self.snapshot_data = data
        self.snapshot.set()

    def call(self, event: str, data: dict) -> dict:
        """Emit and wait for the acknowledgement."""
        return self.sio.call(event, data, namespace="/participant", timeout=10)

    def close(self) -> None:
        """Disconnect."""
        if self.sio.connected:
            self.sio.disconnect()
