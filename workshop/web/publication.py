"""QR codes of the publication's links per phase (issue 12): drawn here so the projector shows them without
loading anything from elsewhere. Only the questionnaire's own links can be drawn, never arbitrary text."""
from __future__ import annotations

from flask import Blueprint, Response, abort

from workshop.core.questionnaire import default
from workshop.web import qr

bp = Blueprint("publication", __name__)


def link(phase_id: str, key: str) -> str | None:
    """The link of a phase's tool ('tool-<n>') or experience ('experience'), or None."""
    phase = default().phase(phase_id)
    if phase is None:
        return None
    pub = phase.publication
    if key == "experience":
        return pub.experience.url
    if key.startswith("tool-") and key[5:].isdigit() and int(key[5:]) < len(pub.tools):
        return pub.tools[int(key[5:])].url
    return None


@bp.get("/publication/<phase_id>/<key>.svg")
def qr_code(phase_id: str, key: str):
    """The QR code (SVG) of one publication link; 404 for anything else."""
    url = link(phase_id, key)
    if url is None:
        abort(404)
    response = Response(qr.svg(url), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
