"""Discipline names as a reader sees them: a default discipline in the reader's language, a custom one as typed."""
from __future__ import annotations

from workshop.live.service import DEFAULT_DISCIPLINES


def shown_name(name: str, lang: str) -> str:
    """A default discipline's name in lang (whichever language it was stored in); any other name as typed."""
    for names in DEFAULT_DISCIPLINES.values():
        if name in names and lang in DEFAULT_DISCIPLINES:
            return DEFAULT_DISCIPLINES[lang][names.index(name)]
    return name


def shown_names(disciplines: list[str], lang: str) -> dict[str, str]:
    """Each stored name of a session's disciplines with the name a reader of lang sees.

    The session stores one name per discipline, so answers group the same whoever
    reads which language; a translation that would read like another of the session's
    disciplines is not used (the stored name is shown instead).
    """
    shown = {name: shown_name(name, lang) for name in disciplines}
    taken = set(disciplines)
    return {name: label if label == name or label not in taken else name for name, label in shown.items()}
