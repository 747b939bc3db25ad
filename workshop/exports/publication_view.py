"""The agreed phase's tools and experience from the sector in the printed report (issue 12): every link as
text and as a small QR code (a printed page cannot be clicked), drawn here; nothing is fetched."""
from __future__ import annotations

import functools
import re
from typing import Any, Mapping

from markupsafe import Markup, escape

from workshop.core.questionnaire import Phase


@functools.lru_cache(maxsize=64)
def qr_svg(url: str, label: str) -> Markup:
    """A QR code of the link as inline SVG (the report loads no image), labelled for screen readers."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    text = image.to_string(encoding="unicode")
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r'\s(width|height)="[^"]*mm"', "", text, count=2)
    return Markup(text.replace("<svg ", f'<svg class="pub-qr" role="img" aria-label="{escape(label)}" ', 1))


def publication(phase: Phase | None, lang: str, L: Mapping[str, Any]) -> dict[str, Any] | None:
    """The invitation, tools and experience of a phase, worded and with QR codes; None without a phase."""
    if phase is None:
        return None
    pub = phase.publication.to_client(lang)
    x = pub["experience"]
    return {
        "invitation": pub["invitation"],
        "tools": [{**tool, "qr": qr_svg(tool["url"], L["pub_qr_alt"])} for tool in pub["tools"]],
        "experience": {**x, "who": L["pub_who"].format(person=x["person"], organisation=x["organisation"]),
                       "qr": qr_svg(x["url"], L["pub_qr_alt"])},
        "translated": L["pub_translated"] if pub["translated"] else None,
    }
