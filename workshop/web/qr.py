"""QR codes as inline SVG."""
from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from flask_babel import gettext
from markupsafe import escape


def svg(data: str) -> str:
    """Return an SVG QR code (black on white, with a quiet zone) for the data."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    text = image.to_string(encoding="unicode")
    text = re.sub(r'\s(width|height)="[^"]*mm"', "", text, count=2)  # let CSS size it
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(gettext("QR code"))}" ', 1)
