"""Running as one of several workers behind a proxy that hashes on the session code (docs/deployment.md).

The proxy sends every request naming a code to the same worker: pages and the API carry it in the path,
Socket.IO connections in the `code` query parameter (static/js/common.js). The proxy hashes the value as it
reads it (nginx: `$arg_code` is the first parameter named code in any case, not URL-decoded), and passes that
very value on in the ROUTE_HEADER (deploy/nginx/workshop-locations.conf, which also drops a client's own).
A worker serves a session only when the proxy hashed exactly its canonical code, so every request of a
session reaches one worker and no other ever loads it (docs/decisions.md, "Which worker owns a session").
A page whose code is not written canonically (upper case, no dashes) is redirected to the canonical URL
first; a request or socket the proxy routed by another value is refused with `wrong_worker` (421).
"""
from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import gettext as _

from workshop.core import security
from workshop.web import protocol
from workshop.web.errors import api_error, error_page
from workshop.web.services import services

WORKER_HEADER = "X-Workshop-Worker"
ROUTE_HEADER = "X-Workshop-Code"  # the value the proxy hashed to pick this worker
MISDIRECTED = 421  # HTTP's "Misdirected Request": sent to a server that cannot answer for it


def init_app(app: Flask, worker: int | None) -> None:
    """In a worker (setting WORKER), canonicalise codes in page URLs and name the worker in responses."""
    if not worker:
        return
    app.before_request(canonical_code)
    app.before_request(owned_here)
    app.after_request(name_worker)


def canonical_code():
    """Redirect a URL whose session code is not written canonically to the one that is.

    `/j?code=` (the typed code) goes to `/j/CODE` without a lookup here: the worker the proxy hashes
    CODE to answers it, rate limits included, and this one never loads a session it does not hold.
    """
    if request.endpoint == "pages.join_code" and request.args.get("code") is not None:
        typed = security.normalise_code(request.args["code"])
        return redirect(url_for("pages.join", code=typed), 303) if typed else None
    raw = (request.view_args or {}).get("code")
    code = security.normalise_code(raw) if isinstance(raw, str) else None
    if code is None or code == raw:
        return None
    path = request.path.replace(f"/{raw}", f"/{code}", 1)
    query = request.query_string.decode("latin-1")
    return redirect(path + (f"?{query}" if query else ""), code=308)


def name_worker(response):
    """Say which worker answered (operators and the tests see where the proxy sent a session)."""
    response.headers[WORKER_HEADER] = str(services().config.worker)
    return response


def owned_here():
    """Refuse a page or API request for a session the proxy did not route here by that session's own code."""
    raw = (request.view_args or {}).get("code")
    if not isinstance(raw, str) or security.normalise_code(raw) is None or routed_here(raw):
        return None
    if request.path.startswith("/api/"):
        return api_error(MISDIRECTED, "wrong_worker")
    return error_page(MISDIRECTED, _("This page reached the wrong server process"),
                      str(protocol.ERRORS["wrong_worker"]))


def routed_here(code: object) -> bool:
    """Tell whether the proxy routed this request by exactly this session's canonical code (always true with one process)."""
    if not services().config.worker:
        return True
    canonical = security.normalise_code(code)
    return canonical is not None and request.headers.get(ROUTE_HEADER) == canonical
