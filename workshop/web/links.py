"""Absolute links for phones and second devices, built from the app's routes on the public URL."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import has_request_context, request, url_for
from werkzeug.routing import Map, MapAdapter

from workshop.web.netinfo import JoinBase

# Without PUBLIC_URL, the base of links built outside a request (a broadcast): not reachable by phones.
FALLBACK = JoinBase("http://localhost", False)
LOCAL_HOSTS = ("//127.", "//localhost", "//[::1]")


def bind(url_map: Map, base: JoinBase) -> MapAdapter:
    """Bind the app's routes to a base URL's scheme, host and path, so they build without a request."""
    parts = urlsplit(base.url)
    return url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")


@dataclass(frozen=True)
class Links:
    """Builds every absolute link (join, projector, facilitator, report) with the routes, never by hand.

    `public` is the configured PUBLIC_URL, worked out once at start (`workshop serve` always sets
    it): every link is on it, in a request or not. Without one (an app built by create_app, as
    in tests), a link built during a request uses that request's scheme and host, as Flask's
    url_for(_external=True) does (behind TRUSTED_PROXIES the forwarded ones), and a link built
    outside a request uses FALLBACK.
    """

    public: JoinBase | None
    adapter: MapAdapter

    @classmethod
    def create(cls, url_map: Map, public_url: str | None, reachable: bool = True) -> "Links":
        """The links of an app: on the public URL when one is configured."""
        public = JoinBase(public_url.rstrip("/"), reachable) if public_url else None
        return cls(public, bind(url_map, public or FALLBACK))

    def base(self) -> JoinBase:
        """The base URL links are built on now, and whether phones can reach it."""
        if self.public is not None:
            return self.public
        if has_request_context():
            host = request.host_url.rstrip("/")
            return JoinBase(host, not any(h in host for h in LOCAL_HOSTS))
        return FALLBACK

    @property
    def reachable(self) -> bool:
        """Whether phones can reach the join links (False: the projector warns)."""
        return self.base().reachable

    def url(self, endpoint: str, **values: Any) -> str:
        """The absolute URL of a route (extra values become the query string)."""
        if self.public is None and has_request_context():
            return url_for(endpoint, _external=True, **values)
        return self.adapter.build(endpoint, values, force_external=True)

    def join_url(self, code: str) -> str:
        """The address a phone opens to join a session."""
        return self.url("pages.join", code=code)
