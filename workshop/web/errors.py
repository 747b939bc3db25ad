"""How a refused or failed request is answered: a friendly HTML error page, or a JSON error for the API.

An HTTP 500 (issue 24): Flask has logged the exception (one line, workshop/web/logs.py) before
internal_error runs. The JSON API answers `{"error": {"code": "internal", ...}}`, pages the friendly
error page; never a traceback.
"""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import InternalServerError

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


def init_app(app: Flask) -> None:
    """Answer every unexpected exception (and abort(500)) with internal_error."""
    app.register_error_handler(InternalServerError, internal_error)
