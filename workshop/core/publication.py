"""The rest of the Digitaal DNA publication per phase (seed 004): the 'Klinkt dit bekend?' invitation, the
tools with what each is for and its link, and an experience from the sector (organisation, quote, link).

Read from the phase's `publication` table of the questionnaire TOML with the questionnaire's validating
reader, so every error names the file and the field. Links are shown as text and QR code; nothing is fetched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workshop.core.languages import Text

URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s<>\"]*)?$")
URL_MAX = 300
KEYS = {"invitation", "translated", "tools", "experience"}
TOOL_KEYS = {"name", "purpose", "url"}
EXPERIENCE_KEYS = {"organisation", "person", "quote", "url"}


@dataclass(frozen=True)
class Tool:
    """A tool the publication offers for a phase: its name, what it is for and its link."""

    name: Text
    purpose: Text
    url: str


@dataclass(frozen=True)
class Experience:
    """An experience from the sector: who, their quote (Dutch as in the source) and the link to the video."""

    organisation: str
    person: str
    quote: Text
    url: str


@dataclass(frozen=True)
class Publication:
    """A phase's invitation, tools and experience; `translated` names the languages that are our translation."""

    invitation: Text
    tools: tuple[Tool, ...]
    experience: Experience
    translated: tuple[str, ...]

    def to_client(self, lang: str) -> dict[str, Any]:
        """The publication in one language, JSON-ready; `translated` tells the page to mark it as such."""
        return {
            "invitation": self.invitation.get(lang),
            "tools": [{"name": t.name.get(lang), "purpose": t.purpose.get(lang), "url": t.url} for t in self.tools],
            "experience": {"organisation": self.experience.organisation, "person": self.experience.person,
                           "quote": self.experience.quote.get(lang), "url": self.experience.url},
            "translated": lang in self.translated,
        }


def read(reader: Any, phase: dict[str, Any], path: str) -> Publication:
    """Validate and return a phase's `publication` table (errors name the field)."""
    full = reader.join(path, "publication")
    table = reader.table(reader.field(phase, "publication", path), full)
    reader.keys(table, KEYS, full)
    tools = []
    for i, raw in enumerate(reader.table_list(table, "tools", full)):
        tpath = f"{full}.tools[{i}]"
        reader.keys(raw, TOOL_KEYS, tpath)
        tools.append(Tool(name=reader.text(raw, "name", tpath), purpose=reader.text(raw, "purpose", tpath),
                          url=_url(reader, raw, tpath)))
    epath = reader.join(full, "experience")
    raw_e = reader.table(reader.field(table, "experience", full), epath)
    reader.keys(raw_e, EXPERIENCE_KEYS, epath)
    experience = Experience(organisation=reader.string(raw_e, "organisation", epath),
                            person=reader.string(raw_e, "person", epath),
                            quote=reader.text(raw_e, "quote", epath), url=_url(reader, raw_e, epath))
    translated = reader.string(table, "translated", full)
    if translated not in ("nl", "en"):
        raise reader.fail(reader.join(full, "translated"), "must be 'nl' or 'en': the language we translated")
    return Publication(invitation=reader.text(table, "invitation", full), tools=tuple(tools),
                       experience=experience, translated=(translated,))


def _url(reader: Any, table: dict[str, Any], path: str) -> str:
    """A required https link (shown as text and QR code, never fetched)."""
    value = reader.string(table, "url", path)
    if len(value) > URL_MAX or not URL_RE.match(value):
        raise reader.fail(reader.join(path, "url"), f"must be an https:// link of at most {URL_MAX} characters")
    return value
