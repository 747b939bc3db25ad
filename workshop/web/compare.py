"""The comparison of sessions for the facilitator of every one of them: a page and an API route.

The page (`/compare?c=CODE&c=CODE`) trusts this browser's signed facilitator cookie; the API
(`POST /api/compare`) the facilitator token of each session. A comparison that names one
session without its secret is refused whole, with the same answer for an unknown code.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from workshop.core.comparison import GROUPINGS, NotComparable
from workshop.core.state import Rejected
from workshop.exports import compare
from workshop.web.auth import api_error, error_page, proven_rooms
from workshop.web.downloads import export_limited, private, report_response
from workshop.web.services import services

bp = Blueprint("compare", __name__)


def comparison_of(codes: list[str], by: str, fmt: str) -> tuple[dict[str, Any] | None, bytes | None]:
    """The comparison of proven sessions, built from the database like `workshop compare` (None once one is
    deleted), and rendered in one format: both off the event loop (Services.built)."""
    svc = services()
    now, questionnaire, min_group_size = svc.live.clock(), svc.live.questionnaire, svc.config.min_group_size

    def work(store: Any) -> tuple[dict[str, Any] | None, bytes | None]:
        data = compare.load_comparison(store, questionnaire, codes, by=by, now=now, min_group_size=min_group_size)
        return data, (compare.render(data, fmt) if data is not None else None)
    return svc.built(work)


def rendered(data: dict[str, Any], body: bytes, fmt: str) -> Response:
    """One format of a comparison as a response: HTML inline, the others as a download."""
    if fmt == "html":
        return report_response(body.decode("utf-8"))
    response = Response(body, content_type=compare.FORMATS[fmt][0])
    response.headers["Content-Disposition"] = f'attachment; filename="{compare.filename(data, fmt)}"'
    return private(response)


@bp.get("/compare")
@export_limited(api=False)
def page():
    """The comparison of the sessions ticked on the start page, for the browser that facilitates all of them."""
    codes = request.args.getlist("c")
    by, fmt = request.args.get("by", "session"), request.args.get("format", "html")
    if by not in GROUPINGS or fmt not in compare.FORMATS:
        return error_page(400, _("Unknown comparison"), _("Choose the sessions to compare on the start page."))
    if not 1 <= len(codes) <= services().config.compare_max:
        return error_page(400, _("Choose the sessions to compare"),
                          _("Tick between 1 and %(max)s of your sessions on the start page.",
                            max=services().config.compare_max))
    try:
        rooms = proven_rooms(codes)
    except Rejected as exc:
        if exc.code == "rate_limited":
            return error_page(429, _("Too many attempts"), _("Wait a minute and try again."))
        return error_page(403, _("Only the facilitator of every session can compare them"),
                          _("Open the facilitator link of each session on this device first."))
    data, body = comparison_of([r.code for r in rooms], by, fmt)
    if data is None:
        return error_page(404, _("Session not found"), _("This session has been deleted."))
    return rendered(data, body, fmt)


@bp.post("/api/compare")
@export_limited(api=True)
def api():
    """The comparison as JSON (or another format), for the facilitator token of every session named."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict) or not isinstance(data.get("sessions"), list):
        return api_error(400, "bad_request", "sessions", 'Send {"sessions": [{"code": ..., "token": ...}, ...]}.')
    items, by, fmt = data["sessions"], data.get("by", "session"), data.get("format", "json")
    if by not in GROUPINGS or fmt not in compare.FORMATS:
        return api_error(400, "bad_request", "by" if by not in GROUPINGS else "format")
    if not 1 <= len(items) <= services().config.compare_max or not all(isinstance(i, dict) for i in items):
        return api_error(400, "bad_request", "sessions", f"Name 1 to {services().config.compare_max} sessions.")
    codes = [i.get("code") for i in items]
    try:
        rooms = proven_rooms(codes, {str(i.get("code")): i.get("token") for i in items}, cookie=False)
    except Rejected as exc:
        return api_error(429 if exc.code == "rate_limited" else 403, exc.code, "sessions")
    try:
        result, body = comparison_of([r.code for r in rooms], by, fmt)
    except NotComparable as exc:
        return api_error(400, "bad_request", "sessions", str(exc))
    if result is None:
        return api_error(404, "unknown_session")
    return rendered(result, body, fmt)
