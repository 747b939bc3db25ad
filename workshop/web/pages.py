"""HTML pages: start, join, phone, projector, facilitator, language switch."""
from __future__ import annotations

from typing import Any, Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from workshop.core import security
from workshop.core.state import Rejected
from workshop.core.tally import headline
from workshop.exports import FORMATS as EXPORT_FORMATS
from workshop.live.service import DEFAULT_DISCIPLINES, NOTE_MAX, STEP_FIELD_MAX, STEPS_MAX, Room
from workshop.web import i18n, jsstrings, qr
from workshop.web.services import services

bp = Blueprint("pages", __name__)
FACILITATED_MAX = 50


def error_page(status: int, title: str, message: str, action_url: str = "/", action_label: str | None = None):
    """Render the friendly error page with what to do next."""
    html = render_template("error.html", title=title, message=message, action_url=action_url,
                           action_label=action_label or _("Go to the start page"))
    return make_response(html, status)


def find_room(code: str, proven: Callable[[Room], bool] | None = None) -> Room:
    """Return the room for a code in a URL or answer with the friendly not-found page.

    `proven(room)` tells whether the request carries a secret of that session (see Services.find).
    """
    try:
        room = services().find(code, request.remote_addr, proven)
    except Rejected:
        abort(error_page(429, _("Too many attempts"), _("Wait a minute and try the code again.")))
    if room is None:
        abort(error_page(404, _("Session not found"),
                         _("There is no session with this code. Check the code on the screen and try again."),
                         url_for("pages.join_code"), _("Enter a code")))
    g.session_language = room.language  # pages of an English session default to English
    return room


def page_data(room: Room | None = None, **extra: Any) -> dict[str, Any]:
    """Data every page script reads: strings, language and the page's own values."""
    lang = i18n.select_locale()
    data: dict[str, Any] = {"strings": jsstrings.strings(), "lang": lang}
    if room is not None:
        data.update(code=room.code, title=room.title,
                    questionnaire=services().live.questionnaire.to_client(lang))
    data.update(extra)
    return data


def facilitated() -> list[str]:
    """Codes of the sessions this browser facilitates (from the signed cookie)."""
    codes = session.get("fac", [])
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


def remember_facilitator(code: str) -> None:
    """Remember in the signed, HttpOnly cookie that this browser facilitates a session."""
    codes = [code] + [c for c in facilitated() if c != code]
    session["fac"] = codes[:FACILITATED_MAX]
    session.permanent = True


def my_sessions() -> list[dict[str, Any]]:
    """The sessions this browser facilitates, for the start page's archive."""
    svc = services()
    items = svc.live.sessions(facilitated())
    for item in items:
        room = svc.live.room(item["code"])
        first = svc.aggregate(room, "facilitator")["results"]["headline"] if room else headline(None)
        phase = svc.live.questionnaire.phase(first["phase"]) if first["phase"] else None
        item["phase_name"] = phase.name.get(i18n.select_locale()) if phase else None
        item["phase_agreed"] = first["agreed"]  # else the median's, not yet agreed
        item["manage_url"] = url_for("pages.manage", code=item["code"])
    return items


@bp.get("/")
def start():
    """The start page: create a session, join one, or reopen one."""
    lang = i18n.select_locale()
    form = {"title": "", "pacing": "paced", "disciplines": "\n".join(DEFAULT_DISCIPLINES[lang]), "language": lang}
    return render_template("start.html", form=form, errors={}, default_disciplines=DEFAULT_DISCIPLINES[lang],
                           my_sessions=my_sessions(), page_data=page_data())


@bp.post("/sessions")
def create():
    """Create a session from the start page form."""
    form = {k: request.form.get(k, "") for k in ("title", "pacing", "disciplines", "language")}
    disciplines = [line.strip() for line in form["disciplines"].splitlines() if line.strip()]
    try:
        room, _token = services().live.create(form["title"], form["pacing"] or "paced", disciplines,
                                              form["language"] or "nl")
    except Rejected as exc:
        lang = i18n.select_locale()
        errors = {exc.field or "title": _field_error(exc)}
        html = render_template("start.html", form=form, errors=errors, default_disciplines=DEFAULT_DISCIPLINES[lang],
                               my_sessions=my_sessions(), page_data=page_data())
        return make_response(html, 400)
    remember_facilitator(room.code)
    return redirect(url_for("pages.manage", code=room.code), 303)


def _field_error(exc: Rejected) -> str:
    """A form field's error message in the page language."""
    messages = {
        "title": _("Give the session a title (at most 120 characters)."),
        "pacing": _("Choose how the questions are paced."),
        "language": _("Choose Dutch or English."),
        "disciplines": _("Give at most 12 disciplines of at most 40 characters each."),
    }
    return messages.get(exc.field or "title", exc.message)


@bp.get("/j")
def join_code():
    """Ask for a session code, or go to the session when one is given."""
    raw = request.args.get("code")
    if raw is not None:
        try:  # rate-limited like every code lookup: no enumeration through ?code=
            room = services().find(raw, request.remote_addr)
        except Rejected:
            return make_response(render_template("join_code.html", code=raw[:12], page_data=page_data(),
                                                 error=_("Wait a minute and try the code again.")), 429)
        if room:
            return redirect(url_for("pages.join", code=room.code), 303)
        return make_response(render_template("join_code.html", code=raw[:12], page_data=page_data(),
                                             error=_("There is no session with this code. Check the code on the screen.")), 404)
    return render_template("join_code.html", code="", error=None, page_data=page_data())


@bp.get("/j/<code>")
def join(code: str):
    """The phone page of a session."""
    room = find_room(code)
    if room.code != code:
        return redirect(url_for("pages.join", code=room.code), 303)
    privacy = _("We keep your answers, and your name and discipline if you give them, on this "
                "workshop's own server. The facilitator sees them; the projector shows your name but only the "
                "group's totals of the answers. Nothing else about you is stored. "
                "The session is deleted after %(days)s days.",
                days=services().config["RETENTION_DAYS"])
    return render_template("participant.html", privacy_text=privacy,
                           page_data=page_data(room, disciplines=room.disciplines, privacy=privacy))


@bp.get("/s/<code>/screen")
def screen(code: str):
    """The projector page (read-only link with its own key)."""
    svc = services()
    key = request.args.get("k", "")
    room = find_room(code, lambda r: svc.projector_key_ok(r.code, key))
    if not svc.projector_key_ok(room.code, key):
        return error_page(403, _("This screen link is not valid"),
                          _("Open the projector link shown on the facilitator page."))
    state = svc.screen_state(room)
    return render_template("screen.html", qr_svg=qr_markup(state["join_url"]), join_url=state["join_url"],
                           code_display=security.display_code(room.code),
                           page_data=page_data(room, key=key, join_url=state["join_url"],
                                               join_url_local=state["join_url_local"]))


def qr_markup(url: str):
    """The QR code of a URL as markup safe to place inline."""
    from markupsafe import Markup

    return Markup(qr.svg(url))


@bp.get("/s/<code>/manage")
def manage(code: str):
    """The facilitator page; ?t=TOKEN signs this browser in and is removed from the address."""
    svc = services()
    token = request.args.get("t")
    room = find_room(code, lambda r: r.code in facilitated() or svc.live.is_facilitator(r, token))
    if token is not None:
        if not svc.live.is_facilitator(room, token):
            return error_page(403, _("This facilitator link is not valid"),
                              _("Use the facilitator link you received when you created the session."))
        remember_facilitator(room.code)
        return redirect(url_for("pages.manage", code=room.code), 303)
    if room.code not in facilitated():
        return error_page(403, _("Only the facilitator can open this page"),
                          _("Open the facilitator link you received when you created the session, on this device."))
    state = svc.screen_state(room)
    projector_url = svc.projector_url(room.code)
    exports = {fmt: url_for("exports.download", code=room.code, fmt=fmt) for fmt in EXPORT_FORMATS}
    text_limits = {"note": NOTE_MAX, "steps": STEPS_MAX, **STEP_FIELD_MAX}
    return render_template("manage.html", projector_url=projector_url, join_url=state["join_url"], text_limits=text_limits,
                           code_display=security.display_code(room.code),
                           page_data=page_data(room, join_url=state["join_url"], projector_url=projector_url,
                                               exports=exports, disciplines=room.disciplines))


@bp.get("/s/<code>/qr.svg")
def qr_image(code: str):
    """The QR code of a session's join URL."""
    room = find_room(code)
    return Response(qr.svg(services().join_url(room.code)), mimetype="image/svg+xml")


@bp.get("/lang/<lang>")
def set_language(lang: str):
    """Switch the language and go back to the page."""
    response = redirect(i18n.safe_next(request.args.get("next")), 303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


@bp.get("/healthz")
def healthz():
    """Liveness probe."""
    return {"ok": True}
