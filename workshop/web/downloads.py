"""Export routes: the summary API, the facilitator's downloads and the shared read-only report."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request
from flask_babel import gettext as _

from workshop import exports
from workshop.live.service import Room
from workshop.web.auth import (
    DOWNLOAD_DENIED,
    api_error,
    bearer_required,
    error_page,
    facilitator_required,
    report_key_required,
    report_refused,
)
from workshop.web.services import services

bp = Blueprint("exports", __name__)


def summary_of(room: Room, include_nicknames: bool) -> dict[str, Any] | None:
    """The session's summary, built from the database like the command line does (None once deleted)."""
    svc = services()
    return exports.load_summary(svc.live.store, svc.live.questionnaire, room.code, now=svc.live.clock(),
                                include_nicknames=include_nicknames,
                                min_group_size=svc.broadcaster.min_group_size)


def wants_nicknames() -> bool:
    """False when the request asks to leave nicknames out (?nicknames=0)."""
    return request.args.get("nicknames", "1").lower() not in ("0", "false", "no", "off")


def private(response: Response) -> Response:
    """Keep an export out of shared caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def report_response(html: str) -> Response:
    """An HTML report with its own policy: inline styles allowed, still no scripts or outside loads."""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = exports.REPORT_CSP
    return private(response)


def gone():
    """The page for a session deleted (by `workshop sessions delete`) while this server still knew it."""
    return error_page(404, _("Session not found"), _("This session has been deleted."))


@bp.get("/api/sessions/<code>/summary")
@bearer_required
def summary(code: str):
    """The session summary as JSON (schema workshop.summary/1) for the facilitator token."""
    data = summary_of(g.room, wants_nicknames())
    if data is None:
        return api_error(404, "unknown_session")
    return private(Response(services().offload(lambda: exports.to_json(data)), mimetype="application/json"))


@bp.get("/s/<code>/export.<fmt>")
@facilitator_required(denied=DOWNLOAD_DENIED)
def download(code: str, fmt: str):
    """One export as a file download, for the browser that facilitates the session."""
    if fmt not in exports.FORMATS:
        return error_page(404, _("Unknown download format"), _("Choose JSON, CSV, XLSX or the report."))
    svc = services()
    data = summary_of(g.room, wants_nicknames())
    if data is None:
        return gone()
    if fmt == "html":  # 2 ms, and Jinja's template cache takes locks: stays on the event loop
        body = exports.render(data, fmt, svc.live.questionnaire)
    else:  # the XLSX of 2,000 people takes ~2 s of CPU: build it off the event loop
        body = svc.offload(lambda: exports.render(data, fmt, svc.live.questionnaire, svc.config["TIME_ZONE"]))
    response = report_response(body.decode("utf-8")) if fmt == "html" else Response(body, content_type=exports.FORMATS[fmt][0])
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(data, fmt)}"'
    return private(response)


@bp.get("/r/<code>/<key>")
@report_key_required
def report(code: str, key: str):
    """The shared read-only report: works while its link is the current, unrevoked one."""
    data = summary_of(g.room, include_nicknames=False)
    if data is None:
        return report_refused(g.room)
    return report_response(exports.to_html(data, services().live.questionnaire))
