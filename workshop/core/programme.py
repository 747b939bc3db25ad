"""The proeftuin programme: which activities follow the questionnaire, the challenges and the idea prompts.

The content is data (``data/activities.toml``); this module turns it into frozen
dataclasses and rejects a malformed file with a :class:`ProgrammeError` whose
message names the file and the field, e.g. ``activities.toml: challenges[2].en:
must be non-empty text``. Pure Python, no web framework.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from workshop.core import tomlfile

ACTIVITIES: tuple[str, ...] = ("challenges", "ideas", "vote")
LANGUAGES: tuple[str, ...] = ("nl", "en")
SCHEMA = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "activities.toml"
TEXT_MAX = 140  # the longest challenge or prompt text in the file, in characters
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


class ProgrammeError(ValueError):
    """An activities file is unreadable or invalid; the message names file and field."""


@dataclass(frozen=True)
class Item:
    """A challenge or an idea prompt: an id and its text in each language."""

    id: str
    nl: str
    en: str

    def text(self, language: str) -> str:
        """The text in a language (Dutch for an unknown one)."""
        return self.en if language == "en" else self.nl


@dataclass(frozen=True)
class Programme:
    """The activities' content: default programme, challenges and prompts."""

    id: str
    version: str
    programme: tuple[str, ...]
    challenges: tuple[Item, ...]
    prompts: tuple[Item, ...]

    def prompt(self, prompt_id: object) -> Item | None:
        """The prompt with this id, or None."""
        return next((p for p in self.prompts if p.id == prompt_id), None)


def _fail(name: str, where: str, why: str) -> ProgrammeError:
    """An error naming the file and the field."""
    return ProgrammeError(f"{name}: {where}: {why}")


def _text(data: Mapping[str, Any], key: str, name: str, where: str) -> str:
    """A required non-empty text field of at most TEXT_MAX characters."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(name, f"{where}.{key}", "must be non-empty text")
    if len(value) > TEXT_MAX:
        raise _fail(name, f"{where}.{key}", f"must be at most {TEXT_MAX} characters")
    return value.strip()


def _items(data: Mapping[str, Any], key: str, name: str) -> tuple[Item, ...]:
    """A non-empty list of items with unique ids and both languages."""
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise _fail(name, key, "must be a non-empty list of tables")
    items, seen = [], set()
    for index, entry in enumerate(raw):
        where = f"{key}[{index}]"
        if not isinstance(entry, dict):
            raise _fail(name, where, "must be a table")
        item_id = entry.get("id")
        if not isinstance(item_id, str) or not _ID_RE.match(item_id):
            raise _fail(name, f"{where}.id", "must be a short lower-case id (a-z, 0-9, -)")
        if item_id in seen:
            raise _fail(name, f"{where}.id", f"duplicate id {item_id!r}")
        seen.add(item_id)
        items.append(Item(item_id, *(_text(entry, lang, name, where) for lang in LANGUAGES)))
    return tuple(items)


def parse(data: Mapping[str, Any], name: str = "activities.toml") -> Programme:
    """Validate parsed TOML and return the programme, or raise ProgrammeError naming the field."""
    if data.get("schema") != SCHEMA:
        raise _fail(name, "schema", f"must be {SCHEMA}")
    for key in ("id", "version"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(name, key, "must be non-empty text")
    programme = data.get("programme")
    if not isinstance(programme, list) or any(a not in ACTIVITIES for a in programme) \
            or len(set(programme)) != len(programme):
        raise _fail(name, "programme", f"must list distinct activities of {', '.join(ACTIVITIES)}")
    return Programme(data["id"], data["version"], tuple(programme), _items(data, "challenges", name),
                     _items(data, "prompts", name))


def load(path: str | Path) -> Programme:
    """Read and validate an activities file."""
    path = Path(path)
    return parse(tomlfile.read(path, lambda message: ProgrammeError(f"{path.name}: {message}")), path.name)


@functools.lru_cache(maxsize=1)
def default() -> Programme:
    """The bundled programme (read once)."""
    return load(DEFAULT_PATH)
