"""Links and their QR codes: absolute links built from the app's routes on the public URL, QR codes as inline
SVG, and the facilitator link offered to another device (the address phones use to reach this machine: netinfo)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import qrcode
import qrcode.image.svg
from flask import current_app, has_request_context, request, session, url_for
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.routing import Map, MapAdapter

from workshop.core import security
from workshop.live.service import Room
from workshop.web.netinfo import JoinBase

# Without PUBLIC_URL, the base of links built outside a request (a broadcast): not reachable by phones.
FALLBACK = JoinBase("http://localhost", False)
LOCAL_HOSTS = ("//127.", "//localhost", "//[::1]")


def bind(url_map: Map, base: JoinBase) -> MapAdapter:
    """Bind the app's routes to a base URL's scheme, host and path, so they build without a request."""
    parts = urlsplit(base.url)
    return url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")


@dataclass(frozen=True)
class Links:
    """Builds every absolute link (join, projector, facilitator, report) with the routes, never by hand.

    `public` is the configured PUBLIC_URL, worked out once at start (`workshop serve` always sets
    it): every link is on it, in a request or not. Without one (an app built by create_app, as
    in tests), a link built during a request uses that request's scheme and host, as Flask's
    url_for(_external=True) does (behind TRUSTED_PROXIES the forwarded ones), and a link built
    outside a request uses FALLBACK.
    """

    public: JoinBase | None
    adapter: MapAdapter

    @classmethod
    def create(cls, url_map: Map, public_url: str | None, reachable: bool = True) -> "Links":
        """The links of an app: on the public URL when one is configured."""
        public = JoinBase(public_url.rstrip("/"), reachable) if public_url else None
        return cls(public, bind(url_map, public or FALLBACK))

    def base(self) -> JoinBase:
        """The base URL links are built on now, and whether phones can reach it."""
        if self.public is not None:
            return self.public
        if has_request_context():
            host = request.host_url.rstrip("/")
            return JoinBase(host, not any(h in host for h in LOCAL_HOSTS))
        return FALLBACK

    @property
    def reachable(self) -> bool:
        """Whether phones can reach the join links (False: the projector warns)."""
        return self.base().reachable

    def url(self, endpoint: str, **values: Any) -> str:
        """The absolute URL of a route (extra values become the query string)."""
        if self.public is None and has_request_context():
            return url_for(endpoint, _external=True, **values)
        return self.adapter.build(endpoint, values, force_external=True)

    def join_url(self, code: str) -> str:
        """The address a phone opens to join a session."""
        return self.url("pages.join", code=code)


# QR codes as inline SVG.
def qr_svg(data: str) -> str:
    """Return an SVG QR code (black on white, with a quiet zone) for the data."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    text = image.to_string(encoding="unicode")
    text = re.sub(r'\s(width|height)="[^"]*mm"', "", text, count=2)  # let CSS size it
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(_("QR code"))}" ', 1)


# A facilitator link offered to open the controls on another device: the link, its QR code and an e-mail to oneself.
NEW_LINK_KEY = "new_link"  # the session cookie's one-time copy of a new session's facilitator token


def offer(room: Room, token: str) -> dict[str, Any]:
    """The link with a token, its QR code (SVG markup, no user text in it) and a mailto: link to send it to oneself."""
    url = current_app.extensions["workshop"].links.url("pages.manage", code=room.code, t=token)  # the app's Links
    subject = _("Facilitator link: %(title)s", title=room.title)
    body = _("The facilitator link of the workshop \"%(title)s\" (code %(code)s). Anyone who has this link "
             "controls the session: keep it to yourself.", title=room.title, code=security.display_code(room.code))
    return {"url": url, "qr": qr_svg(url),
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
