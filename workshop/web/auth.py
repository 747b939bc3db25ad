"""Who may act on a session: the one code lookup, and the checks that bind a request's room to g.room.

Pages, the API, downloads and socket connects all find a session through `find_room`, which
rate-limits wrong codes per client address. Each decorator finds the room of the view's `code`,
checks the secret its audience must show, binds the room to `g.room` and otherwise answers in
the audience's own way: an HTML error page, a JSON error, or a refused socket connection.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple

from flask import abort, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError

from workshop.core.state import Rejected
from workshop.live.service import Room
from workshop.web import protocol as p
from workshop.web import workers
from workshop.web.middleware import api_error, error_page  # noqa: F401 (re-exported: pages and the API answer with them)
from workshop.web.services import services

# Sessions one browser's signed cookie remembers: 50 codes keep the cookie far below the 4 KB browsers store.
FACILITATED_MAX = 50
COOKIE_KEY = "fac"
DOWNLOAD_DENIED = _l("Only the facilitator can download this session")  # a 403 title for facilitator_required


def no_store(view: Callable[..., Any]) -> Callable[..., Any]:
    """A response that carries a secret (a token, a projector or report key): never kept in a browser's or proxy's cache."""
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        response = make_response(view(**kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response
    return wrapped


def refuse(code: str) -> ConnectionRefusedError:
    """Return a connection refusal: the client's err.message is the text, err.data the {code, message} object."""
    error = p.error(code)
    return ConnectionRefusedError(error["message"], error)


class SignIn(NamedTuple):
    """One session this browser signed in to: the generation then, and the link it signed in with."""

    epoch: int
    link: str | None  # security.link_id of the link; None in cookies written before links were named


def signed_in() -> dict[str, SignIn]:
    """The sessions this browser signed in to: the signed cookie's list, bounded.

    An entry is "CODE" (generation 0, also what older versions stored), "CODE.N" after N rotations,
    or "CODE.N.LINK" naming the facilitator link it signed in with (evicting that link signs it out).
    """
    entries = session.get(COOKIE_KEY, [])
    if not isinstance(entries, list):
        return {}
    found: dict[str, SignIn] = {}
    for entry in [e for e in entries if isinstance(e, str)][:FACILITATED_MAX]:
        code, _, rest = entry.partition(".")
        epoch, _, link = rest.partition(".")
        found.setdefault(code, SignIn(int(epoch) if epoch.isdigit() else 0, link or None))
    return found


def cookie_entry(code: str, sign_in: SignIn) -> str:
    """One entry of the facilitator cookie (see signed_in)."""
    if sign_in.link:
        return f"{code}.{sign_in.epoch}.{sign_in.link}"
    return code if sign_in.epoch == 0 else f"{code}.{sign_in.epoch}"


def cookie_sign_in(room: Room) -> SignIn | None:
    """This browser's sign-in to a session while it still counts (no rotation since, its link not evicted)."""
    sign_in = signed_in().get(room.code)
    if sign_in is None or not services().live.signed_in_with(room, sign_in.epoch, sign_in.link):
        return None
    return sign_in


def facilitates(room: Room) -> bool:
    """Whether this browser is signed in to a session with a facilitator link that still works."""
    return cookie_sign_in(room) is not None


def remember_facilitator(room: Room, token: str) -> None:
    """Remember in the signed, HttpOnly cookie that this browser signed in to a session with a token (most recent first)."""
    live = services().live
    entry = cookie_entry(room.code, SignIn(live.facilitator_epoch(room), live.link_of(room, token)))
    others = [cookie_entry(c, s) for c, s in signed_in().items() if c != room.code]
    session[COOKIE_KEY] = ([entry] + others)[:FACILITATED_MAX]
    session.permanent = True


def link_parts(text: object) -> tuple[str | None, str | None]:
    """The code and token of a pasted facilitator link (…/s/CODE/manage?t=TOKEN); (None, None) for anything else."""
    from urllib.parse import parse_qs, urlsplit

    if not isinstance(text, str) or len(text) > 2000:
        return None, None
    parts = urlsplit(text.strip())
    segments = [s for s in parts.path.split("/") if s]
    token = (parse_qs(parts.query).get("t") or [None])[0]
    if len(segments) >= 3 and segments[-3] == "s" and segments[-1] == "manage" and token:
        return segments[-2], token
    return None, None


def proven_rooms(codes: list[object], tokens: dict[str, object] | None = None, *,
                 cookie: bool = True) -> list[Room]:
    """The sessions named, each proven by its facilitator token or (with `cookie`) this browser's cookie.

    Raise Rejected('not_facilitator_of_all') when any one is unknown or unproven (the same answer for
    both, so nobody learns which codes exist) and Rejected('rate_limited') after too many wrong codes.
    """
    live, tokens = services().live, tokens or {}
    rooms: list[Room] = []
    for code in codes:
        def proven(r: Room, code=code) -> bool:
            return (cookie and facilitates(r)) or live.is_facilitator(r, tokens.get(str(code)))
        room = find_room(code, proven, keep=False)
        if room is None or not proven(room):
            raise Rejected("not_facilitator_of_all", "You need the facilitator secret of every session you name",
                           "follows")
        if room not in rooms:
            rooms.append(room)
    return rooms


def find_room(code: object, proven: Callable[[Room], bool] | None = None, keep: bool = True) -> Room | None:
    """Return the session with a code; raise Rejected('rate_limited') while this address has guessed wrong too often.

    Only wrong codes spend the address's budget (RATE_LOOKUP). Once it is spent, a code
    is still found when this address found it before (the rest of a room behind one
    venue NAT keeps joining and reloading) or when `proven(room)` says the request carries
    a secret of that session (a participant token, the facilitator token or cookie, the
    projector key, the report key). Any other code, valid or not, is refused alike, so a
    script cannot tell a hit from a miss. Without `keep` (a session named only to prove its
    secret) a worker reads the session without holding it in memory: another worker may own it.
    """
    svc = services()
    key = request.remote_addr or "unknown"
    room = svc.live.room(code) if keep else svc.live.peek(code)
    if room is None:
        if not svc.lookup_limit.allow(key):
            raise Rejected("rate_limited", "Too many unknown codes from this address; wait a minute")
        return None
    if (svc.lookup_limit.exceeded(key) and not svc.found_codes.seen(key, room.code)
            and not (proven is not None and proven(room))):
        raise Rejected("rate_limited", "Too many unknown codes from this address; wait a minute")
    svc.found_codes.add(key, room.code)
    return room


def page_room(code: str, proven: Callable[[Room], bool] | None = None) -> Room:
    """Return the room for a code in a page's URL, or abort with the friendly 429 or 404 page."""
    try:
        room = find_room(code, proven)
    except Rejected:
        abort(error_page(429, _("Too many attempts"), _("Wait a minute and try the code again.")))
    if room is None:
        abort(error_page(404, _("Session not found"),
                         _("There is no session with this code. Check the code on the screen and try again."),
                         url_for("pages.join_code"), _("Enter a code")))
    g.session_language = room.language  # pages of an English session default to English
    return room


def room_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A public page of a session (anyone with the code): bind g.room, else the not-found page."""
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        g.room = page_room(kwargs["code"])
        return view(**kwargs)
    return wrapped


def facilitator_required(view: Callable[..., Any] | None = None, *, sign_in: bool = False,
                         denied: Any = None) -> Any:
    """A facilitator's page: the signed cookie lists the session; bind g.room, else a 403 page.

    With sign_in (the manage page), `?t=TOKEN` signs this browser in: the cookie remembers
    the session and the browser is sent to the same address without the token. `denied`
    is the 403 page's title.
    """
    if view is None:
        return lambda v: facilitator_required(v, sign_in=sign_in, denied=denied)

    @no_store
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        live = services().live
        token = request.args.get("t") if sign_in else None
        room = g.room = page_room(kwargs["code"], lambda r: facilitates(r) or live.is_facilitator(r, token))
        if token is not None:
            if not live.is_facilitator(room, token):
                return error_page(403, _("This facilitator link is not valid"),
                                  _("Use the facilitator link you received when you created the session."))
            remember_facilitator(room, token)
            return redirect(url_for(request.endpoint, **{**kwargs, "code": room.code}), 303)
        if not facilitates(room):
            return error_page(403, str(denied or _("Only the facilitator can open this page")),
                              _("Open the facilitator link you received when you created the session, on this device."))
        return view(**kwargs)
    return wrapped


def bearer_token() -> str | None:
    """The token of an 'Authorization: Bearer TOKEN' header, None without one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def bearer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """An API route for the facilitator token: bind g.room, else a JSON error (429, 404, 401, 403)."""
    @no_store
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        live = services().live
        token = bearer_token()
        try:
            room = find_room(kwargs["code"], lambda r: live.is_facilitator(r, token))
        except Rejected:
            return api_error(429, "rate_limited")
        if room is None:
            return api_error(404, "unknown_session")
        if token is None:
            return api_error(401, "bad_token", message="Send the facilitator token as 'Authorization: Bearer TOKEN'.")
        if not live.is_facilitator(room, token):
            return api_error(403, "bad_token")
        g.room = room
        return view(**kwargs)
    return wrapped


def projector_key_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The projector page, for its read-only key in `?k=`: bind g.room, else an error page."""
    @no_store
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        svc = services()
        key = request.args.get("k", "")
        room = page_room(kwargs["code"], lambda r: svc.projector_key_ok(r.code, key))
        if not svc.projector_key_ok(room.code, key):
            return error_page(403, _("This screen link is not valid"),
                              _("Open the projector link shown on the facilitator page."))
        g.room = room
        return view(**kwargs)
    return wrapped


def report_refused(room: Room | None):
    """The answer to a report link that does not work; a wrong key spends the wrong-code budget too."""
    if room is not None and not services().lookup_limit.allow(request.remote_addr or "unknown"):
        return error_page(429, _("Too many attempts"), _("Wait a minute and try the link again."))
    return error_page(404, _("This report link does not work"),
                      _("The link is incomplete, or the facilitator has withdrawn it. "
                        "Ask the facilitator for the current link."))


def report_key_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The shared report, for the current unrevoked key in the path: bind g.room, else 404 (or 429)."""
    @no_store
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        svc = services()
        key = kwargs["key"]
        try:
            room = find_room(kwargs["code"], lambda r: svc.report_key_ok(r, key))
        except Rejected:
            return error_page(429, _("Too many attempts"), _("Wait a minute and try the link again."))
        if room is None or not svc.report_key_ok(room, key):
            return report_refused(room)
        g.room = room
        return view(**kwargs)
    return wrapped


# Socket connects: the handshake's auth data names the code and carries the secret.

def connect_room(data: Any, proven: Callable[[Room, dict[str, Any]], bool] | None = None) -> Room:
    """Find the session named in a connect's auth data, or raise the refusal (rate_limited, unknown_session)."""
    if not isinstance(data, dict):
        data = {}
    if not workers.routed_here(data.get("code")):
        raise refuse("wrong_worker")
    try:
        room = find_room(data.get("code"), (lambda r: proven(r, data)) if proven else None)
    except Rejected as exc:
        raise refuse(exc.code) from None
    if room is None:
        raise refuse("unknown_session")
    g.session_language = room.language
    return room


def participant_token_ok(room: Room, data: dict[str, Any]) -> bool:
    """Whether the auth data carries the token of an active participant of the session."""
    try:
        return services().live.rebind(room, data.get("token")) is not None
    except Rejected:
        return False


def projector_key_ok(room: Room, data: dict[str, Any]) -> bool:
    """Whether the auth data carries the session's projector key."""
    return services().projector_key_ok(room.code, data.get("key"))


def facilitator_sign_in(room: Room, data: dict[str, Any]) -> SignIn | None:
    """The sign-in a facilitator connect proves: the token in its auth data, else the signed cookie's; None for neither."""
    live = services().live
    link = live.link_of(room, data.get("token"))
    if link is not None:
        return SignIn(live.facilitator_epoch(room), link)
    return cookie_sign_in(room)


def facilitator_ok(room: Room, data: dict[str, Any]) -> bool:
    """Whether the auth data carries the facilitator token, or the signed cookie lists the session."""
    return facilitator_sign_in(room, data) is not None


def admit_participant(data: Any) -> Room:
    """The room a phone connects to (anyone with the code; a returning participant's token is proof)."""
    return connect_room(data, participant_token_ok)


def admit_projector(data: Any) -> Room:
    """The room a projector connects to with its key, or raise the refusal (bad_key)."""
    room = connect_room(data, projector_key_ok)
    if not projector_key_ok(room, data):
        raise refuse("bad_key")
    return room


def admit_facilitator(data: Any) -> tuple[Room, SignIn]:
    """The room a facilitator connects to with its token or cookie, and that sign-in; or raise the refusal (bad_token)."""
    room = connect_room(data, facilitator_ok)
    sign_in = facilitator_sign_in(room, data if isinstance(data, dict) else {})
    if sign_in is None:
        raise refuse("bad_token")
    return room, sign_in
