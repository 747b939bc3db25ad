"""Running as one of several workers behind a proxy that hashes on the session code (docs/deployment.md).

The proxy sends every request naming a code to the same worker: pages and the API carry it in the path,
Socket.IO connections in the `code` query parameter (static/js/common.js). The proxy hashes the code as
written, so a worker redirects a page whose code is not in its canonical form (lower case, dashes) to the
canonical URL before anything loads the session, and refuses a socket whose query code differs from the
session it asks for: otherwise two workers could hold one session.
"""
from __future__ import annotations

from flask import Flask, current_app, redirect, request, url_for

from workshop.core import security

WORKER_HEADER = "X-Workshop-Worker"


def init_app(app: Flask) -> None:
    """In a worker (config WORKER set), canonicalise codes in page URLs and name the worker in responses."""
    if not app.config.get("WORKER"):
        return
    app.before_request(canonical_code)
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
    response.headers[WORKER_HEADER] = str(current_app.config["WORKER"])
    return response


def routed_here(code: object) -> bool:
    """Tell whether a socket connect was routed by its session code (always true with one process)."""
    if not current_app.config.get("WORKER"):
        return True
    return isinstance(code, str) and request.args.get("code") == security.normalise_code(code)
