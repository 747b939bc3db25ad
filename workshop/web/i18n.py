"""Language choice: Dutch by default, English one tap away (Flask-Babel catalogs)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for
from flask_babel import Babel, force_locale, get_translations, refresh

LANGUAGES = ("nl", "en")
COOKIE = "lang"


def select_locale() -> str:
    """Pick the language: ?lang=, the visitor's cookie, the browser's (not for the room's screen), the session's, the default.

    A phone or a facilitator's laptop follows its reader (Accept-Language, so en-GB
    reads English); the projector, which the whole room reads, follows the session's
    language unless someone chose another one on that very browser (room_screen()).
    """
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    if not g.get("room_screen"):
        reader = request.accept_languages.best_match(LANGUAGES)
        if reader in LANGUAGES:
            return reader
    if g.get("session_language") in LANGUAGES:
        return g.session_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]  # the DEFAULT_LANGUAGE setting (init_app)


def room_screen() -> None:
    """Mark this request as the room's shared screen: the session's language, not the browser's."""
    g.room_screen = True
    refresh()  # a language picked before this point is picked again


def safe_next(target: str | None) -> str:
    """Return a same-site path to go back to, or the start page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def init_app(app: Flask, default_language: str) -> None:
    """Attach Flask-Babel and the template helpers for language switching."""
    app.config["BABEL_DEFAULT_LOCALE"] = default_language
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    with app.app_context():  # every catalog read now: a first read later could meet a process out of descriptors
        for language in LANGUAGES:
            with force_locale(language):
                get_translations()

    @app.context_processor
    def language_helpers():
        """Give templates the current and other language and the switch URL."""
        lang = select_locale()

        def lang_url(code: str) -> str:
            """URL that switches to a language and returns to this page."""
            here = request.full_path.rstrip("?") if request.query_string else request.path
            return url_for("pages.set_language", lang=code, next=here)

        return {"lang": lang, "other_lang": "en" if lang == "nl" else "nl", "lang_url": lang_url}
