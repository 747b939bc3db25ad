"""Reports: the summary API, the facilitator's downloads, the shared read-only report, and the comparison of
sessions (a page and an API route) for the facilitator of every one of them.

The comparison page (`/compare?c=CODE&c=CODE`) trusts this browser's signed facilitator cookie; the API
(`POST /api/compare`) the facilitator token of each session. A comparison that names one
session without its secret is refused whole, with the same answer for an unknown code.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint, g, request, Response
from flask_babel import gettext as _

from workshop import exports
from workshop.core.comparison import GROUPINGS, NotComparable
from workshop.core.state import Rejected
from workshop.exports import compare
from workshop.live.service import Room
from workshop.web.auth import (
    api_error, bearer_required, DOWNLOAD_DENIED, error_page, facilitator_required, proven_rooms,
    report_key_required, report_refused,
)
from workshop.web.services import services

bp = Blueprint("exports", __name__)


def summary_of(room: Room, include_nicknames: bool,
               render: Callable[[dict[str, Any]], Any] | None = None) -> tuple[dict[str, Any] | None, Any]:
    """The session's summary, built from the database like the command line does (None once deleted), and
    `render(summary)` when given: both off the event loop (Services.built)."""
    svc = services()
    now, questionnaire, min_group_size = svc.live.clock(), svc.live.questionnaire, svc.broadcaster.min_group_size

    def work(store: Any) -> tuple[dict[str, Any] | None, Any]:
        data = exports.load_summary(store, questionnaire, room.code, now=now, include_nicknames=include_nicknames,
                                    min_group_size=min_group_size)
        return data, (render(data) if render is not None and data is not None else None)
    return svc.built(work)


def export_limited(api: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse a report to an address that asked for RATE_EXPORT of them already (429: JSON for the API, else a page).

    Counted before anything is looked up, so a refused request costs nothing (issue 20, finding 7).
    """
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if services().may_export(request.remote_addr):
                return view(**kwargs)
            if api:
                return api_error(429, "rate_limited")
            return error_page(429, _("Too many attempts"), _("Wait a minute and try again."))
        return wrapped
    return decorate


def wants_nicknames() -> bool:
    """False when the request asks to leave nicknames out (?nicknames=0)."""
    return request.args.get("nicknames", "1").lower() not in ("0", "false", "no", "off")


def private(response: Response) -> Response:
    """Keep an export out of shared caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def attachment(response: Response, name: str) -> Response:
    """A report as a download under its name, never cached."""
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


def report_response(html: str) -> Response:
    """An HTML report with its own policy: inline styles allowed, still no scripts or outside loads."""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = exports.REPORT_CSP
    return private(response)


def gone():
    """The page for a session deleted (by `workshop sessions delete`) while this server still knew it."""
    return error_page(404, _("Session not found"), _("This session has been deleted."))


@bp.get("/api/sessions/<code>/summary")
@export_limited(api=True)
@bearer_required
def summary(code: str):
    """The session summary as JSON (schema workshop.summary/2) for the facilitator token."""
    data, body = summary_of(g.room, wants_nicknames(), exports.to_json)
    if data is None:
        return api_error(404, "unknown_session")
    return private(Response(body, mimetype="application/json"))


@bp.get("/s/<code>/export.<fmt>")
@export_limited(api=False)
@facilitator_required(denied=DOWNLOAD_DENIED)
def download(code: str, fmt: str):
    """One export as a file download, for the browser that facilitates the session."""
    if fmt not in exports.FORMATS:
        return error_page(404, _("Unknown download format"), _("Choose JSON, CSV, XLSX or the report."))
    svc = services()
    questionnaire, time_zone = svc.live.questionnaire, svc.config.time_zone
    # The XLSX of 2,000 people takes ~2 s of CPU: built off the event loop with its summary. The HTML report
    # (2 ms, and Jinja's template cache takes locks) is rendered on the event loop.
    data, body = summary_of(g.room, wants_nicknames(),
                            None if fmt == "html" else lambda d: exports.render(d, fmt, questionnaire, time_zone))
    if data is None:
        return gone()
    if fmt == "html":
        response = report_response(exports.render(data, fmt, questionnaire).decode("utf-8"))
    else:
        response = Response(body, content_type=exports.FORMATS[fmt].media_type)
    return attachment(response, exports.filename(data, fmt))


@bp.get("/r/<code>/<key>")
@export_limited(api=False)
@report_key_required
def report(code: str, key: str):
    """The shared read-only report: works while its link is the current, unrevoked one."""
    data, _body = summary_of(g.room, include_nicknames=False)
    if data is None:
        return report_refused(g.room)
    return report_response(exports.to_html(data, services().live.questionnaire))


# The comparison of sessions for the facilitator of every one of them: a page and an API route.
#
# The page (`/compare?c=CODE&c=CODE`) trusts this browser's signed facilitator cookie; the API
# (`POST /api/compare`) the facilitator token of each session. A comparison that names one
# session without its secret is refused whole, with the same answer for an unknown code.
compare_bp = Blueprint("compare", __name__)


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
    return attachment(Response(body, content_type=compare.FORMATS[fmt].media_type), compare.filename(data, fmt))


@compare_bp.get("/compare", endpoint="page")
@export_limited(api=False)
def compare_page():
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


@compare_bp.post("/api/compare", endpoint="api")
@export_limited(api=True)
def compare_api():
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
