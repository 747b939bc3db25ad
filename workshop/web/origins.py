"""Browser origins compared as the browser means them: scheme and host in lower case, default ports left out.

Behind TLS on port 443 the app sees its host as `name:443` (nginx forwards `X-Forwarded-Port: 443` and
werkzeug's ProxyFix appends it), while a browser's `Origin` header never names a scheme's default port
(`https://name`): both are the same origin (RFC 6454, 4). Pure functions, no Flask.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_of(url: str | None) -> str | None:
    """The normalised origin `scheme://host[:port]` of a URL or Origin header; None when it has none.

    The port is left out when it is the scheme's default; an opaque origin ("null"), a URL without a host,
    an unknown scheme or a port that is not a number have no origin here.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is not a number or out of range, a broken IPv6 literal
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower case, without brackets
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" if port is None or port == DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"


def own_origin(environ: dict) -> str | None:
    """The origin a request reached: its scheme and Host header (behind TRUSTED_PROXIES the forwarded ones)."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
    return origin_of(f"{environ.get('wsgi.url_scheme', 'http')}://{host}") if host else None


def allowed_origin(public_url: str | None) -> Callable[[str | None, dict], bool]:
    """The Socket.IO origin check: the page's own origin, or the public URL's; never '*'."""
    public = origin_of(public_url)

    def check(origin: str | None, environ: dict) -> bool:
        """Allow same-origin browsers and clients that send no Origin (not browsers)."""
        if origin is None:
            return True
        given = origin_of(origin)
        return given is not None and given in (own_origin(environ), public)

    return check
