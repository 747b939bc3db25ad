"""What every request passes through, and how a refused or failed one is answered: security headers, CSRF
tokens on forms, a session cookie that is never overwritten blindly, trusted proxies, JSON bodies of bounded depth,
polls no larger than a message, allowed browser origins, and the error page or JSON error.

An HTTP 500 (issue 24): Flask has logged the exception (one line, workshop/web/logs.py) before
internal_error runs. The JSON API answers `{"error": {"code": "internal", ...}}`, pages the friendly
error page; never a traceback.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import Flask, has_request_context, jsonify, make_response, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from workshop.web import protocol as p


def error_page(status: int, title: str, message: str, action_url: str = "/", action_label: str | None = None):
    """Render the friendly error page with what to do next."""
    html = render_template("error.html", title=title, message=message, action_url=action_url,
                           action_label=action_label or _("Go to the start page"))
    return make_response(html, status)


def api_error(status: int, code: str, field: str | None = None, message: str | None = None):
    """A JSON error response."""
    error = p.error(code, field)
    if message:
        error["message"] = message
    return jsonify({"error": error}), status


API_PREFIXES = ("/api/",)


def internal_error(_exc: InternalServerError):
    """A 500 as JSON with the code `internal` for the API, else as the error page."""
    if request.path.startswith(API_PREFIXES) or request.accept_mimetypes.best == "application/json":
        return api_error(500, "internal")
    return error_page(500, _("Something went wrong. Try again."), p.error("internal")["message"])


def init_errors(app: Flask) -> None:
    """Answer every unexpected exception (and abort(500)) with internal_error."""
    app.register_error_handler(InternalServerError, internal_error)


# Web-layer guards: CSRF tokens on forms, a session cookie that is never overwritten blindly, trusted proxies,
# JSON bodies of bounded depth.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_JSON_DEPTH = 32  # the API's deepest body is 3 levels deep


def nested_deeper(value, limit: int) -> bool:
    """Tell whether lists and objects in value nest more than limit deep (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, for which a body nested deeper than MAX_JSON_DEPTH is malformed (a ValueError).

    Python's decoder raises RecursionError at about 1,000 levels, which `request.get_json(silent=True)`
    does not catch: 2 KB of `[` gave a 500 and a traceback (issue 20, finding 9); a body just under that
    depth would fail later in whatever walks it. Every route then answers it as any malformed JSON.
    """

    def loads(self, s, **kwargs):
        """Decode JSON; refuse it, as malformed, when it nests too deep."""
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None
        if nested_deeper(value, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deep")
        return value


class GuardedSessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, Secure per request, and never written in answer to an unsafe request without it.

    A browser does not send a SameSite=Lax cookie with a cross-site POST but does store the Set-Cookie of
    the answer: a new, empty session saved then would replace the list of sessions this browser facilitates.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured (an https PUBLIC_URL) or when this request arrived over https."""
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)

    def save_session(self, app: Flask, session, response) -> None:
        """Save as Flask does, except for an unsafe request that came without the session cookie."""
        if request.method not in SAFE_METHODS and self.get_cookie_name(app) not in request.cookies:
            return  # the browser may hold a cookie it did not send: leave it as it is
        super().save_session(app, session, response)


def csrf_refused(exc: CSRFError):
    """The friendly page for a form post without a valid CSRF token, in the page language."""
    return error_page(400, _("This form could not be sent"),
                      _("The page with the form was too old or did not come from this workshop. "
                        "Reload the start page and try again."),
                      url_for("pages.start"), _("Reload the start page"))


def init_csrf(app: Flask, exempt: tuple = ()) -> CSRFProtect:
    """Require a CSRF token on every state-changing request except the exempt views and blueprints."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session cookie; a form may wait for hours
    # No https Referer check: the token is the control, and a Referer that privacy settings, extensions or
    # proxies strip (the header policy is no-referrer, relaxed to same-origin by a meta tag) would refuse a real form.
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)
    csrf = CSRFProtect(app)
    for view in exempt:
        csrf.exempt(view)
    app.register_error_handler(CSRFError, csrf_refused)
    return csrf


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` trusted reverse proxies, take client address, scheme, host and port from X-Forwarded-*.

    Call it last, so that it wraps every other middleware (Socket.IO's too): the handshake environ that
    Socket.IO keeps for a connection is the one this rewrote in place.
    """
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


# What every response carries and what a poll may weigh.
# Scripts and style sheets are never documents: a browser applies neither CSP nor framing rules to them (the page
# that loads them has its own), so they go without those ~250 bytes a file (issue 21's projector weight).
SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/javascript")


def security_headers(response):
    """Add CSP, referrer, framing and sniffing headers to every response (no CSP/framing on scripts and CSS)."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
        if response.mimetype in SUBRESOURCE_TYPES:
            return response
    connect = f"'self' ws://{request.host} wss://{request.host}"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def refuse_large_polls(wsgi_app, max_bytes: int, prefix: str = "/socket.io/"):
    """Answer 413 to a Socket.IO long-polling POST larger than a message may be.

    python-engineio refuses such a POST itself, but only after reading it and closing the session
    (a close that waited forever before `transport.close_now`); this answers it at once.
    """
    def middleware(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(prefix):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= max_bytes:
                start_response("413 Payload Too Large", [("Content-Type", "text/plain"), ("Connection", "close")])
                return [b"Message too large"]
        return wsgi_app(environ, start_response)
    return middleware


# Browser origins compared as the browser means them: scheme and host in lower case, default ports left out.
#
# Behind TLS on port 443 the app sees its host as `name:443` (nginx forwards `X-Forwarded-Port: 443` and
# werkzeug's ProxyFix appends it), while a browser's `Origin` header never names a scheme's default port
# (`https://name`): both are the same origin (RFC 6454, 4). Pure functions, no Flask.
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
