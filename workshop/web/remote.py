"""A facilitator link offered to open the controls on another device: the link, its QR code and an e-mail to oneself."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import session
from flask_babel import gettext as _

from workshop.core import security
from workshop.live.service import Room
from workshop.web import qr
from workshop.web.services import services

NEW_LINK_KEY = "new_link"  # the session cookie's one-time copy of a new session's facilitator token


def offer(room: Room, token: str) -> dict[str, Any]:
    """The link with a token, its QR code (SVG markup, no user text in it) and a mailto: link to send it to oneself."""
    url = services().facilitator_url(room.code, token)
    subject = _("Facilitator link: %(title)s", title=room.title)
    body = _("The facilitator link of the workshop \"%(title)s\" (code %(code)s). Anyone who has this link "
             "controls the session: keep it to yourself.", title=room.title, code=security.display_code(room.code))
    return {"url": url, "qr": qr.svg(url),
            "mailto": "mailto:?" + urlencode({"subject": subject, "body": f"{body}\n\n{url}"}, quote_via=quote)}


def keep_once(room: Room, token: str) -> None:
    """Carry a new session's token to its manage page in the signed, HttpOnly cookie (never stored on the server)."""
    session[NEW_LINK_KEY] = {"code": room.code, "token": token}


def take_once(room: Room) -> dict[str, Any] | None:
    """The offer of a session just created in this browser, once: the token leaves the cookie as it is shown."""
    item = session.get(NEW_LINK_KEY)
    if not isinstance(item, dict) or item.get("code") != room.code or not isinstance(item.get("token"), str):
        return None
    session.pop(NEW_LINK_KEY, None)
    return offer(room, item["token"])
