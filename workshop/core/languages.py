"""Texts in every language the questionnaire and the publication are written in (Dutch, English)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A short text in every supported language."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang``, falling back to Dutch for unknown languages."""
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class TextList:
    """A list of texts (bullets) in every supported language, same length in each."""

    nl: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, lang: str) -> tuple[str, ...]:
        """Return the items in ``lang``, falling back to Dutch for unknown languages."""
        return self.en if lang == "en" else self.nl
