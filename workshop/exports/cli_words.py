"""The command line's words, from the gettext catalog (workshop/translations, loaded as for the exports), in the operator's language.

The language is WORKSHOP_CLI_LANGUAGE when set, else Dutch when the locale (LC_ALL, LC_MESSAGES, LANG)
is Dutch, else English, the catalog's source language.
"""
from __future__ import annotations

import os

from workshop.exports.labels import translations

LANGUAGES = ("nl", "en")


def language() -> str:
    """The CLI's language: WORKSHOP_CLI_LANGUAGE, else the locale's when it is Dutch, else English."""
    chosen = os.environ.get("WORKSHOP_CLI_LANGUAGE", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


def _(msgid: str, **values: object) -> str:
    """A message from the catalog, its {placeholders} filled."""
    return translations(language()).gettext(msgid).format(**values)


def n_(singular: str, plural: str, n: int, **values: object) -> str:
    """A message whose noun follows the number n, {n} and the other placeholders filled."""
    return translations(language()).ngettext(singular, plural, n).format(n=n, **values)
