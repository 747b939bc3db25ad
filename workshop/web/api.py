"""JSON API: create a session, read its state."""
from __future__ import annotations

import math

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from workshop.core.state import Rejected
from workshop.web.auth import api_error, bearer_required, no_store, proven_rooms
from workshop.web.services import services

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.post("/sessions")
@no_store
def create_session():
    """Create a session from JSON; reply with its links and the facilitator token."""
    if not request.is_json:
        return api_error(415, "bad_request", message="Send JSON with Content-Type: application/json.")
    svc = services()
    wait = svc.may_create(request.remote_addr)  # every attempt counts, before its body is parsed
    if wait:
        response, status = api_error(429, "rate_limited", message="Too many sessions created from this address; "
                                     "try again later.")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response, status
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return api_error(400, "bad_request", message="The body must be a JSON object.")
    unknown = set(data) - {"title", "pacing", "disciplines", "language", "organisation", "follows", "follows_token",
                           "activities"}
    if unknown:
        return api_error(400, "bad_request", sorted(unknown)[0], f"Unknown field: {sorted(unknown)[0]}")
    try:
        followed = followed_by_token(data.get("follows"), data.get("follows_token"))
    except Rejected as exc:
        return api_error(429 if exc.code == "rate_limited" else 403, exc.code, exc.field)
    try:
        room, token = svc.live.create(data.get("title"), data.get("pacing", "paced"), data.get("disciplines"),
                                      data.get("language", "nl"), data.get("organisation"), followed,
                                      activities=data.get("activities"))
    except Rejected as exc:
        return api_error(400, "bad_request", exc.field, exc.message)
    return jsonify({
        "code": room.code,
        "title": room.title,
        "organisation": room.organisation or None,
        "follows": room.follows,
        "join_url": svc.join_url(room.code),
        "projector_url": svc.projector_url(room.code),
        "facilitator_url": svc.facilitator_url(room.code, token),
        "facilitator_token": token,
    }), 201


def followed_by_token(code: object, token: object):
    """The session a new one follows up, proven by its facilitator token (no cookie over the API); None without one."""
    if code is None or code == "":
        return None
    if not isinstance(code, str):
        raise Rejected("bad_request", "follows must be a session code", "follows")
    return proven_rooms([code], {code: token}, cookie=False)[0]


@bp.get("/sessions/<code>")
@bearer_required
def session_state(code: str):
    """The facilitator's view of a session: state and live aggregate."""
    svc, room = services(), g.room
    return jsonify({"state": svc.screen_state(room), "live": svc.aggregate(room, "facilitator")})


@bp.get("/sessions/<code>/followups")
@bearer_required
def followups(code: str):
    """The sessions that follow up this one, for its facilitator token."""
    return jsonify({"followups": services().live.followups(g.room)})


@bp.delete("/sessions/<code>/followups/<followup>")
@bearer_required
def detach_followup(code: str, followup: str):
    """Detach a follow-up: it no longer shows any of this session. 404 when it does not follow this one."""
    try:
        remaining = services().live.detach_followup(g.room, followup)
    except Rejected:
        return api_error(404, "unknown_session", "code", "That session does not follow up this one.")
    return jsonify({"followups": remaining})


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Answer API errors (404, 405, 413, 500, ...) as JSON; a failure of the server's own is `internal`."""
    code = "too_large" if exc.code == 413 else "internal" if (exc.code or 500) >= 500 else "bad_request"
    return api_error(exc.code or 400, code, message=exc.description)
