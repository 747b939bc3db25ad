"""JSON API: create a session, read its state."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from workshop.core.state import Rejected
from workshop.live.service import Room
from workshop.web import protocol as p
from workshop.web.services import services

bp = Blueprint("api", __name__, url_prefix="/api")


def api_error(status: int, code: str, field: str | None = None, message: str | None = None):
    """A JSON error response."""
    error = p.error(code, field)
    if message:
        error["message"] = message
    return jsonify({"error": error}), status


def bearer_room(code: str) -> tuple[Room | None, tuple | None]:
    """Return the room when the request carries its facilitator token, else an error response."""
    svc = services()
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else None
    try:
        room = svc.find(code, request.remote_addr, lambda r: svc.live.is_facilitator(r, token))
    except Rejected:
        return None, api_error(429, "rate_limited")
    if room is None:
        return None, api_error(404, "unknown_session")
    if token is None:
        return None, api_error(401, "bad_token", message="Send the facilitator token as 'Authorization: Bearer TOKEN'.")
    if not svc.live.is_facilitator(room, token):
        return None, api_error(403, "bad_token")
    return room, None


@bp.post("/sessions")
def create_session():
    """Create a session from JSON; reply with its links and the facilitator token."""
    if not request.is_json:
        return api_error(415, "bad_request", message="Send JSON with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return api_error(400, "bad_request", message="The body must be a JSON object.")
    unknown = set(data) - {"title", "pacing", "disciplines", "language"}
    if unknown:
        return api_error(400, "bad_request", sorted(unknown)[0], f"Unknown field: {sorted(unknown)[0]}")
    svc = services()
    try:
        room, token = svc.live.create(data.get("title"), data.get("pacing", "paced"), data.get("disciplines"),
                                      data.get("language", "nl"))
    except Rejected as exc:
        return api_error(400, "bad_request", exc.field, exc.message)
    base = svc.join_base().url
    return jsonify({
        "code": room.code,
        "title": room.title,
        "join_url": svc.join_url(room.code),
        "projector_url": svc.projector_url(room.code),
        "facilitator_url": f"{base}/s/{room.code}/manage?t={token}",
        "facilitator_token": token,
    }), 201


@bp.get("/sessions/<code>")
def session_state(code: str):
    """The facilitator's view of a session: state and live aggregate."""
    room, error = bearer_room(code)
    if error:
        return error
    svc = services()
    return jsonify({"state": svc.screen_state(room), "live": svc.aggregate(room, "facilitator")})


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Answer API errors (404, 405, 413, ...) as JSON."""
    code = "too_large" if exc.code == 413 else "bad_request"
    return api_error(exc.code or 400, code, message=exc.description)
