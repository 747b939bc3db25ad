"""HTTP 500: what a failure of the server's own looks like to a browser and to an API client (issue 24).

Flask has logged the exception (one line, workshop/web/logs.py) before this runs. The JSON API answers
`{"error": {"code": "internal", ...}}`, pages the friendly error page; never a traceback.
"""
from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import InternalServerError

from workshop.web.auth import api_error, error_page
from workshop.web import protocol as p

API_PREFIXES = ("/api/",)


def internal_error(_exc: InternalServerError):
    """A 500 as JSON with the code `internal` for the API, else as the error page."""
    if request.path.startswith(API_PREFIXES) or request.accept_mimetypes.best == "application/json":
        return api_error(500, "internal")
    return error_page(500, _("Something went wrong. Try again."), p.error("internal")["message"])


def init_app(app: Flask) -> None:
    """Answer every unexpected exception (and abort(500)) with internal_error."""
    app.register_error_handler(InternalServerError, internal_error)
