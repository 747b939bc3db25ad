"""What a log line says about the request or socket event it comes from (workshop/web/logs.py)."""
from __future__ import annotations

from flask import has_request_context, request

from workshop.core import security

BINDINGS = "workshop.bindings"  # the environ key of sockets.bindings(): each namespace connection's session


def session_of() -> str | None:
    """The session code of the current socket event (its binding), or the one the request names (path, ?code=)."""
    if not has_request_context():
        return None
    sid, namespace = getattr(request, "sid", None), getattr(request, "namespace", None)
    binding = request.environ.get(BINDINGS, {}).get((namespace, sid)) if sid else None
    if binding is not None:
        return binding.code
    raw = (request.view_args or {}).get("code") or request.args.get("code")
    return security.normalise_code(raw) if raw else None
