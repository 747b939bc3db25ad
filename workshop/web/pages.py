"""HTML pages: start, join, phone, projector, facilitator, language switch, and the QR codes of the publication's
links per phase."""
from __future__ import annotations

import logging
import math
from typing import Any

from flask import (
    abort, Blueprint, current_app, g, make_response, redirect, render_template, request, Response, url_for,
)
from flask_babel import gettext as _, ngettext
from markupsafe import Markup

from workshop.core import localtime, security
from workshop.core.questionnaire import default
from workshop.core.state import Rejected
from workshop.exports import FORMATS as EXPORT_FORMATS
from workshop.live import disciplines
from workshop.live.service import DEFAULT_DISCIPLINES, Room, STEP_FIELDS
from workshop.web import i18n, jsstrings, links
from workshop.web.auth import (
    error_page, facilitator_required, find_room, link_parts, projector_key_required, proven_rooms,
    remember_facilitator, room_required, signed_in,
)

from workshop.web.services import services

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)


# The scripts of each page (templates load them with page_scripts: the vendor library, then js/PAGE.js, the page's
# entry module, which imports the rest); the page data carries only the strings these scripts use
# (jsstrings.for_scripts): the projector does not carry the facilitator's words.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "start": ("js/start.js",),
    "join_code": (),
    "participant": ("vendor/socket.io.min.js", "js/common.js", "js/store.js", "js/outbox.js", "js/publication.js",
                    "js/timer.js", "js/activities_phone.js", "js/participant.js"),
    "screen": ("vendor/socket.io.min.js", "js/common.js", "js/store.js", "js/fit.js", "js/strip.js", "js/publication.js",
               "js/timer.js", "js/projector_chrome.js", "js/activities_screen.js", "js/followup_screen.js",
               "js/steps_screen.js", "js/screen.js"),
    "manage": ("vendor/socket.io.min.js", "js/common.js", "js/store.js", "js/request.js", "js/shortcuts.js",
               "js/strip.js", "js/timer.js", "js/panels.js", "js/notes.js", "js/activities_manage.js",
               "js/followup_manage.js", "js/projector_controls.js", "js/remote.js", "js/manage.js"),
}


@bp.app_template_global()
def page_scripts(page: str) -> tuple[str, ...]:
    """The static scripts a page loads (SCRIPTS), for its template."""
    return SCRIPTS[page]


def page_data(page: str, room: Room | None = None, **extra: Any) -> dict[str, Any]:
    """Data every page script reads: the strings its scripts use, language and the page's own values."""
    lang = i18n.select_locale()
    data: dict[str, Any] = {"strings": jsstrings.for_scripts(SCRIPTS[page]), "lang": lang}
    if room is not None:
        data.update(code=room.code, title=room.title,
                    questionnaire=services().live.questionnaire.to_client(lang))
    data.update(extra)
    return data


def my_sessions() -> list[dict[str, Any]]:
    """The sessions this browser facilitates, for the start page's archive."""
    svc = services()
    mine = signed_in()
    items = []
    for item in svc.live.sessions(list(mine)):
        room = svc.live.peek(item["code"])  # another worker may hold it: read, do not keep a copy here
        if room is None or not svc.live.signed_in_with(room, *mine[item["code"]]):
            continue
        items.append(item)
        first = svc.aggregate(room, "facilitator")["results"]["headline"]
        phase = svc.live.questionnaire.phase(first["phase"]) if first["phase"] else None
        item["phase_name"] = phase.name.get(i18n.select_locale()) if phase else None
        item["phase_agreed"] = first["agreed"]  # else the median's, not yet agreed
        item["manage_url"] = url_for("pages.manage", code=item["code"])
        item["created_local"] = localtime.local_minute(item["created_at"], svc.config.time_zone)
    return items


@bp.get("/")
def start():
    """The start page: create a session, join one, or reopen one."""
    lang = i18n.select_locale()
    form = {"title": "", "pacing": "paced", "disciplines": "\n".join(DEFAULT_DISCIPLINES[lang]), "language": lang}
    return render_template("start.html", form=form, errors={}, default_disciplines=DEFAULT_DISCIPLINES[lang],
                           my_sessions=my_sessions(), page_data=page_data("start"))


@bp.post("/sessions")
def create():
    """Create a session from the start page form."""
    wait = services().may_create(request.remote_addr)
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        response = error_page(429, _("Too many new sessions"),
                              ngettext("This device created many sessions in a short time. "
                                       "Try again in %(num)d minute.",
                                       "This device created many sessions in a short time. "
                                       "Try again in %(num)d minutes.", minutes))
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    form = {k: request.form.get(k, "") for k in ("title", "pacing", "disciplines", "language", "organisation",
                                                   "follows", "follows_link")}
    form["activities"] = request.form.getlist("activities")
    disciplines = [line.strip() for line in form["disciplines"].splitlines() if line.strip()]
    try:
        followed = followed_by_form(form["follows"], form["follows_link"])
        room, _token = services().live.create(form["title"], form["pacing"] or "paced", disciplines,
                                              form["language"] or "nl", form["organisation"], followed,
                                              activities=request.form.getlist("activities") if "activities_form" in request.form
                                              else None)
    except Rejected as exc:
        lang = i18n.select_locale()
        errors = {exc.field or "title": _field_error(exc)}
        html = render_template("start.html", form=form, errors=errors, default_disciplines=DEFAULT_DISCIPLINES[lang],
                               my_sessions=my_sessions(), page_data=page_data("start"))
        return make_response(html, 400)
    remember_facilitator(room, _token)
    links.keep_once(room, _token)  # shown once on the manage page
    return redirect(url_for("pages.manage", code=room.code), 303)


def followed_by_form(code: str, link: str) -> Room | None:
    """The earlier session the form names: a pasted facilitator link (its token proves it), else one of this browser's."""
    if link.strip():
        code, token = link_parts(link)
        if code is None:
            raise Rejected("bad_request", "Not a facilitator link", "follows")
        return proven_rooms([code], {code: token}, cookie=False)[0]
    return proven_rooms([code])[0] if code else None


def _field_error(exc: Rejected) -> str:
    """A form field's error message in the page language."""
    cfg = services().config
    messages = {
        "title": _("Give the session a title (at most %(max)s characters).", max=cfg.title_max),
        "pacing": _("Choose how the questions are paced."),
        "language": _("Choose Dutch or English."),
        "organisation": _("Give the organisation at most %(max)s characters.", max=cfg.organisation_max),
        "follows": (_("Wait a minute and try again.") if exc.code == "rate_limited" else
                    _("Choose one of your sessions, or paste the facilitator link you received for the earlier session.")),
        "disciplines": ngettext("Give at most %(num)d discipline of at most %(max)s characters.",
                                "Give at most %(num)d disciplines of at most %(max)s characters each.",
                                cfg.max_disciplines, max=cfg.discipline_max),
    }
    return messages.get(exc.field or "title", exc.message)


@bp.get("/j")
def join_code():
    """Ask for a session code, or go to the session when one is given."""
    raw = request.args.get("code")
    if raw is not None:
        try:  # rate-limited like every code lookup: no enumeration through ?code=
            room = find_room(raw)
        except Rejected:
            return make_response(render_template("join_code.html", code=raw[:12], page_data=page_data("join_code"),
                                                 error=_("Wait a minute and try the code again.")), 429)
        if room:
            return redirect(url_for("pages.join", code=room.code), 303)
        return make_response(render_template("join_code.html", code=raw[:12], page_data=page_data("join_code"),
                                             error=_("There is no session with this code. Check the code on the screen.")), 404)
    return render_template("join_code.html", code="", error=None, page_data=page_data("join_code"))


@bp.get("/j/<code>")
@room_required
def join(code: str):
    """The phone page of a session."""
    room = g.room
    if room.code != code:
        return redirect(url_for("pages.join", code=room.code), 303)
    privacy = _("We keep your answers, and your name and discipline if you give them, on this "
                "workshop's own server. The facilitator sees them; the projector shows your name but only the "
                "group's totals of the answers. Nothing else about you is stored. "
                "The session is deleted after %(days)s days.",
                days=services().config.retention_days)
    names = disciplines.shown_names(room.disciplines, i18n.select_locale())
    choices = [{"value": name, "label": names[name]} for name in room.disciplines]
    return render_template("participant.html", privacy_text=privacy, discipline_choices=choices,
                           page_data=page_data("participant", room, disciplines=room.disciplines, discipline_names=names,
                                               privacy=privacy))


@bp.get("/s/<code>/screen")
@projector_key_required
def screen(code: str):
    """The projector page (read-only link with its own key in ?k=), in the session's language."""
    i18n.room_screen()
    svc, room, key = services(), g.room, request.args["k"]
    state = svc.screen_state(room)
    preview = request.args.get("preview") == "1"
    response = make_response(render_template(
        "screen.html", qr_svg=qr_markup(state["join_url"]), join_url=state["join_url"],
        code_display=security.display_code(room.code),
        page_data=page_data("screen", room, key=key, join_url=state["join_url"], join_url_local=state["join_url_local"],
                            preview=preview)))
    if preview:  # the facilitator page's live copy: framed by this origin only (docs/decisions.md)
        response.headers["Content-Security-Policy"] = PREVIEW_CSP.format(host=request.host)
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


# The app's policy (app.security_headers) with frame-ancestors 'self' instead of 'none'.
PREVIEW_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self' ws://{host} wss://{host}; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'self'")


def qr_markup(url: str):
    """The QR code of a URL as markup safe to place inline."""
    from markupsafe import Markup

    return Markup(links.qr_svg(url))


@bp.get("/s/<code>/manage")
@facilitator_required(sign_in=True)
def manage(code: str):
    """The facilitator page; ?t=TOKEN signs this browser in and is removed from the address."""
    svc, room = services(), g.room
    state = svc.screen_state(room)
    projector_url = svc.projector_url(room.code)
    exports = {fmt: url_for("exports.download", code=room.code, fmt=fmt) for fmt in EXPORT_FORMATS}
    text_limits = {"note": svc.config.note_max, "steps": svc.config.steps_max,
                   **{name: getattr(svc.config, f"step_{name}_max") for name in STEP_FIELDS}}
    new_link = links.take_once(room)
    if new_link:
        new_link["qr"] = Markup(new_link["qr"])
    follows = {"follows": room.follows,
               "compare_url": url_for("compare.page", c=[room.follows, room.code]) if room.follows else None}
    return render_template("manage.html", projector_url=projector_url, join_url=state["join_url"], text_limits=text_limits,
                           session_language=room.language,
                           **follows,
                           code_display=security.display_code(room.code), new_link=new_link,
                           # a path: the live copy loads from the address this page was opened at (issue 22)
                           preview_url=url_for("pages.screen", code=room.code, k=svc.projector_key(room.code),
                                               preview="1"),
                           page_data=page_data("manage", room, join_url=state["join_url"], projector_url=projector_url,
                                               exports=exports, disciplines=room.disciplines))


@bp.get("/s/<code>/qr.svg")
@room_required
def qr_image(code: str):
    """The QR code of a session's join URL."""
    return Response(links.qr_svg(services().join_url(g.room.code)), mimetype="image/svg+xml")


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
    """Health probe: 200 {"ok": true} when the database takes a write, else 503 with the reason (issue 24)."""
    problem = services().live.store.health()
    if problem is not None:
        log.error("unhealthy: %s", problem)
        return {"ok": False, "error": {"code": "unhealthy", "message": problem}}, 503
    return {"ok": True}


# QR codes of the publication's links per phase (issue 12): drawn here so the projector shows them without
# loading anything from elsewhere. Only the questionnaire's own links can be drawn, never arbitrary text.
publication_bp = Blueprint("publication", __name__)


def publication_link(phase_id: str, key: str) -> str | None:
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


@publication_bp.get("/publication/<phase_id>/<key>.svg")
def qr_code(phase_id: str, key: str):
    """The QR code (SVG) of one publication link; 404 for anything else."""
    url = publication_link(phase_id, key)
    if url is None:
        abort(404)
    response = Response(links.qr_svg(url), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
