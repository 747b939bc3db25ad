"""How a refused request is answered: a friendly HTML error page, or a JSON error for the API."""
from __future__ import annotations

from flask import jsonify, make_response, render_template
from flask_babel import gettext as _

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
