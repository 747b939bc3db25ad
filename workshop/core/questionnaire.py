"""The maturity questionnaire: load, validate and score a bilingual quiz.

The questionnaire lives in a TOML file (``data/digitaal_dna.toml``); this
module turns it into frozen dataclasses and rejects malformed files with a
:class:`QuestionnaireError` whose message names the file and the exact field,
e.g. ``digitaal_dna.toml: questions[2].options[1].points: must be a whole
number >= 0``. Pure Python, no web framework.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from workshop.core import publication, tomlfile
from workshop.core.languages import Text, TextList
from workshop.core.publication import Publication
from workshop.core.stats import median_means_something

__all__ = [
    "DEFAULT_PATH",
    "LANGUAGES",
    "SCHEMA",
    "Option",
    "Phase",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Text",
    "TextList",
    "default",
    "load",
]

LANGUAGES: tuple[str, ...] = ("nl", "en")
SCHEMA = 1
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "digitaal_dna.toml"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


class QuestionnaireError(ValueError):
    """A questionnaire file is unreadable or invalid; the message names file and field."""


# ---------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One answer option of a question."""

    id: str
    rank: int
    points: int
    label: Text


@dataclass(frozen=True)
class Question:
    """One multiple-choice question with its options in display order."""

    id: str
    index: int
    short: Text
    text: Text
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        """Return the option with this id, or None."""
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None

    @property
    def max_points(self) -> int:
        """Return the highest number of points any option of this question gives."""
        return max(opt.points for opt in self.options)


@dataclass(frozen=True)
class Phase:
    """A maturity phase: the band of totals starting at ``min_total`` and its texts."""

    id: str
    number: int
    min_total: int
    name: Text
    theme: Text
    band: Text
    description: Text
    closing: Text
    recognise: TextList
    tips: TextList
    publication: "Publication"  # invitation, tools and an experience from the sector (core/publication.py)


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire: questions, scoring phases and attribution."""

    id: str
    version: str
    title: Text
    intro: Text
    attribution: Text
    license: str
    questions: tuple[Question, ...]
    phases: tuple[Phase, ...]
    source: str

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id, or None."""
        for q in self.questions:
            if q.id == question_id:
                return q
        return None

    def phase(self, phase_id: str) -> Phase | None:
        """Return the phase with this id, or None."""
        for p in self.phases:
            if p.id == phase_id:
                return p
        return None

    @property
    def max_total(self) -> int:
        """Return the highest reachable total (sum of each question's max points)."""
        return sum(q.max_points for q in self.questions)

    def phase_for(self, total: float) -> Phase:
        """Return the phase with the highest min_total <= total (the first phase below 0 or for NaN)."""
        found = self.phases[0]
        if isinstance(total, float) and math.isnan(total):
            return found
        for p in self.phases:
            if p.min_total <= total:
                found = p
        return found

    def phase_bounds(self, phase: Phase) -> tuple[int, int]:
        """Return the inclusive (lowest, highest) whole-number totals that fall in ``phase``."""
        i = self.phases.index(phase)
        upper = self.phases[i + 1].min_total - 1 if i + 1 < len(self.phases) else self.max_total
        return phase.min_total, upper

    def total(self, answers: Mapping[str, str | None]) -> int:
        """Return the points for answers (question id -> option id); unknown ids raise KeyError."""
        points = 0
        for question_id, option_id in answers.items():
            q = self.question(question_id)
            if q is None:
                raise KeyError(f"unknown question id {question_id!r}")
            if option_id is None:
                continue
            opt = q.option(option_id)
            if opt is None:
                raise KeyError(f"unknown option id {option_id!r} for question {question_id!r}")
            points += opt.points
        return points

    def to_client(self, lang: str) -> dict[str, Any]:
        """Return a JSON-ready dict of the whole questionnaire in one language."""
        lang = lang if lang in LANGUAGES else LANGUAGES[0]
        return {
            "id": self.id,
            "version": self.version,
            "lang": lang,
            "title": self.title.get(lang),
            "intro": self.intro.get(lang),
            "attribution": self.attribution.get(lang),
            "license": self.license,
            "max_total": self.max_total,
            "questions": [
                {
                    "id": q.id,
                    "index": q.index,
                    "short": q.short.get(lang),
                    "text": q.text.get(lang),
                    "max_points": q.max_points,
                    "median": median_means_something(len(q.options)),  # a median marker means something
                    "options": [
                        {
                            "id": o.id,
                            "rank": o.rank,
                            "points": o.points,
                            "label": o.label.get(lang),
                        }
                        for o in q.options
                    ],
                }
                for q in self.questions
            ],
            "phases": [
                {
                    "id": p.id,
                    "number": p.number,
                    "min_total": p.min_total,
                    "max_total": self.phase_bounds(p)[1],
                    "name": p.name.get(lang),
                    "theme": p.theme.get(lang),
                    "band": p.band.get(lang),
                    "description": p.description.get(lang),
                    "closing": p.closing.get(lang),
                    "recognise": list(p.recognise.get(lang)),
                    "tips": list(p.tips.get(lang)),
                    "publication": p.publication.to_client(lang),
                }
                for p in self.phases
            ],
        }


# ---------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------

_TOP_KEYS = {
    "schema", "id", "version", "license", "title", "intro", "attribution", "questions", "phases",
}
_QUESTION_KEYS = {"id", "short", "text", "options"}
_OPTION_KEYS = {"id", "points", "label"}
_PHASE_KEYS = {
    "id", "number", "min_total", "name", "theme", "band", "description", "closing",
    "recognise", "tips", "publication",
}


class _Reader:
    """Validating accessors that raise QuestionnaireError with file and field path."""

    def __init__(self, source: str) -> None:
        """Remember the file name used in error messages."""
        self.source = source

    def fail(self, path: str, message: str) -> QuestionnaireError:
        """Build an error for ``path`` (a field path such as ``questions[0].id``)."""
        where = f"{path}: " if path else ""
        return QuestionnaireError(f"{self.source}: {where}{message}")

    @staticmethod
    def join(base: str, key: str) -> str:
        """Join a field path and a key."""
        return f"{base}.{key}" if base else key

    def table(self, value: Any, path: str) -> dict[str, Any]:
        """Require a table."""
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a table, not {_kind(value)}")
        return value

    def keys(self, table: dict[str, Any], allowed: set[str], path: str) -> None:
        """Reject keys that are not in ``allowed`` (catches typos)."""
        for key in table:
            if key not in allowed:
                raise self.fail(self.join(path, key), "unknown field")

    def field(self, table: dict[str, Any], key: str, path: str) -> Any:
        """Return ``table[key]`` or fail with 'missing'."""
        if key not in table:
            raise self.fail(self.join(path, key), "missing")
        return table[key]

    def string(self, table: dict[str, Any], key: str, path: str) -> str:
        """Return a required non-empty string field."""
        full = self.join(path, key)
        value = self.field(table, key, path)
        if not isinstance(value, str):
            raise self.fail(full, f"must be a string, not {_kind(value)}")
        if not value.strip():
            raise self.fail(full, "must not be empty")
        return value

    def ident(self, table: dict[str, Any], key: str, path: str) -> str:
        """Return a required id field matching ^[a-z0-9][a-z0-9-]{0,31}$."""
        value = self.string(table, key, path)
        if not _ID_RE.match(value):
            raise self.fail(
                self.join(path, key),
                f"{value!r} is not a valid id (lowercase letters, digits and '-', "
                "starting with a letter or digit, at most 32 characters)",
            )
        return value

    def whole(self, table: dict[str, Any], key: str, path: str, minimum: int = 0) -> int:
        """Return a required integer field >= ``minimum``."""
        full = self.join(path, key)
        value = self.field(table, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(full, f"must be a whole number >= {minimum}")
        return value

    def text(self, table: dict[str, Any], key: str, path: str) -> Text:
        """Return a required {nl, en} table of non-empty strings."""
        full = self.join(path, key)
        value = self.table(self.field(table, key, path), full)
        self.keys(value, set(LANGUAGES), full)
        return Text(**{lang: self.string(value, lang, full) for lang in LANGUAGES})

    def text_list(self, table: dict[str, Any], key: str, path: str) -> TextList:
        """Return a required {nl, en} table of equally long, non-empty string lists."""
        full = self.join(path, key)
        value = self.table(self.field(table, key, path), full)
        self.keys(value, set(LANGUAGES), full)
        items: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            lang_path = self.join(full, lang)
            seq = self.field(value, lang, full)
            if not isinstance(seq, list):
                raise self.fail(lang_path, f"must be a list of strings, not {_kind(seq)}")
            if not seq:
                raise self.fail(lang_path, "must not be empty")
            for i, item in enumerate(seq):
                if not isinstance(item, str):
                    raise self.fail(f"{lang_path}[{i}]", f"must be a string, not {_kind(item)}")
                if not item.strip():
                    raise self.fail(f"{lang_path}[{i}]", "must not be empty")
            items[lang] = tuple(seq)
        first = LANGUAGES[0]
        for lang in LANGUAGES[1:]:
            if len(items[lang]) != len(items[first]):
                raise self.fail(
                    full,
                    f"{first} has {len(items[first])} items but {lang} has "
                    f"{len(items[lang])}; every language needs the same number",
                )
        return TextList(**items)

    def table_list(self, table: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
        """Return a required non-empty array of tables."""
        full = self.join(path, key)
        value = self.field(table, key, path)
        if not isinstance(value, list):
            raise self.fail(full, f"must be an array of tables, not {_kind(value)}")
        if not value:
            raise self.fail(full, "must not be empty")
        for i, item in enumerate(value):
            self.table(item, f"{full}[{i}]")
        return value


def _kind(value: Any) -> str:
    """Describe a TOML value's type in words for error messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _check_unique(reader: _Reader, ids: list[str], path_of: Any) -> None:
    """Fail on the first id that repeats an earlier one; path_of(i) gives the field path."""
    seen: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in seen:
            raise reader.fail(
                path_of(i), f"duplicate id {ident!r} (also used at {path_of(seen[ident])})"
            )
        seen[ident] = i


def _parse(data: dict[str, Any], reader: _Reader) -> Questionnaire:
    """Validate parsed TOML and build the Questionnaire."""
    r = reader
    r.keys(data, _TOP_KEYS, "")
    schema = r.field(data, "schema", "")
    if isinstance(schema, bool) or schema != SCHEMA:
        raise r.fail("schema", f"unsupported schema {schema!r} (expected {SCHEMA})")
    qn_id = r.ident(data, "id", "")
    version = r.string(data, "version", "")
    title = r.text(data, "title", "")
    intro = r.text(data, "intro", "")
    attribution = r.text(data, "attribution", "")
    license_ = r.string(data, "license", "")

    questions: list[Question] = []
    raw_questions = r.table_list(data, "questions", "")
    for qi, raw_q in enumerate(raw_questions):
        qpath = f"questions[{qi}]"
        r.keys(raw_q, _QUESTION_KEYS, qpath)
        qid = r.ident(raw_q, "id", qpath)
        short = r.text(raw_q, "short", qpath)
        text = r.text(raw_q, "text", qpath)
        raw_options = r.table_list(raw_q, "options", qpath)
        if len(raw_options) < 2:
            raise r.fail(f"{qpath}.options", f"needs at least 2 options, has {len(raw_options)}")
        options: list[Option] = []
        for oi, raw_o in enumerate(raw_options):
            opath = f"{qpath}.options[{oi}]"
            r.keys(raw_o, _OPTION_KEYS, opath)
            options.append(
                Option(
                    id=r.ident(raw_o, "id", opath),
                    rank=oi,
                    points=r.whole(raw_o, "points", opath),
                    label=r.text(raw_o, "label", opath),
                )
            )
        _check_unique(r, [o.id for o in options], lambda i, p=qpath: f"{p}.options[{i}].id")
        questions.append(
            Question(id=qid, index=qi, short=short, text=text, options=tuple(options))
        )
    _check_unique(r, [q.id for q in questions], lambda i: f"questions[{i}].id")
    max_total = sum(q.max_points for q in questions)

    phases: list[Phase] = []
    raw_phases = r.table_list(data, "phases", "")
    for pi, raw_p in enumerate(raw_phases):
        ppath = f"phases[{pi}]"
        r.keys(raw_p, _PHASE_KEYS, ppath)
        pid = r.ident(raw_p, "id", ppath)
        number = r.whole(raw_p, "number", ppath, minimum=1)
        if number != pi + 1:
            raise r.fail(
                f"{ppath}.number", f"must be {pi + 1} (phases are numbered 1..n in order), not {number}"
            )
        min_total = r.whole(raw_p, "min_total", ppath)
        if pi == 0 and min_total != 0:
            raise r.fail(f"{ppath}.min_total", f"the first phase must start at 0, not {min_total}")
        if pi > 0 and min_total <= phases[-1].min_total:
            raise r.fail(
                f"{ppath}.min_total",
                f"must be greater than the previous phase's min_total ({phases[-1].min_total})",
            )
        if min_total > max_total:
            raise r.fail(
                f"{ppath}.min_total",
                f"{min_total} exceeds the highest reachable total ({max_total})",
            )
        phases.append(
            Phase(
                id=pid,
                number=number,
                min_total=min_total,
                name=r.text(raw_p, "name", ppath),
                theme=r.text(raw_p, "theme", ppath),
                band=r.text(raw_p, "band", ppath),
                description=r.text(raw_p, "description", ppath),
                closing=r.text(raw_p, "closing", ppath),
                recognise=r.text_list(raw_p, "recognise", ppath),
                tips=r.text_list(raw_p, "tips", ppath),
                publication=publication.read(r, raw_p, ppath),
            )
        )
    _check_unique(r, [p.id for p in phases], lambda i: f"phases[{i}].id")

    return Questionnaire(
        id=qn_id,
        version=version,
        title=title,
        intro=intro,
        attribution=attribution,
        license=license_,
        questions=tuple(questions),
        phases=tuple(phases),
        source=reader.source,
    )


def load(path: str | Path) -> Questionnaire:
    """Read, parse and validate a questionnaire TOML file; raise QuestionnaireError on any fault."""
    path = Path(path)
    reader = _Reader(path.name)
    return _parse(tomlfile.read(path, lambda message: reader.fail("", message)), reader)


@functools.lru_cache(maxsize=1)
def default() -> Questionnaire:
    """Return the bundled Digitaal DNA questionnaire (loaded once, then cached)."""
    return load(DEFAULT_PATH)
