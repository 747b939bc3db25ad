"""Web-layer guards: CSRF tokens on forms, a session cookie that is never overwritten blindly, trusted proxies,
JSON bodies of bounded depth."""
from __future__ import annotations

from flask import Flask, has_request_context, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from workshop.web.auth import error_page

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
