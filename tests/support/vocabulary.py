"""Is a visible string a word of the catalog (in the session language), user data or a number?

Used by the one-vocabulary tests (issue 12): a text is known when it is
- a number, a percentage, a date, a code or punctuation only;
- one of the given data strings (questionnaire content, titles, notes, names: what people typed or the
  seeds provide);
- a catalog translation, its {placeholders} filled with known texts; or
- known pieces joined by the separators the pages use (" · ", ", ", ": ", " — ").
Anything else, e.g. an English word on a Dutch page or a word from a second dictionary, is unknown.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Iterable

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "workshop" / "translations" / "{lang}" / "LC_MESSAGES" / "messages.po"
NUMERIC = re.compile(r"[\d\s.,:;%‰–\-+×/()#\[\]▲▼●◐◑✓✔!?…·|'’“”\"°€←→↑↓]*")
# a session code (spaced as on the pages) or a single key of a keyboard shortcut
CODE = re.compile(r"[A-Z0-9]{3} ?[A-Z0-9]{3}|[A-Z]")
SEPARATORS = (" · ", " — ", "; ", ": ", ", ", " (", ". ")  # ". ": sentences the pages put one after the other
DATE = re.compile(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
                  r"|January|February|March|April|May|June|July|August|September|October|November|December) \d{4}")
TRIM = " ·:;,–—▲▼✓●◐◑()"
PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)[ds]")


def _catalog_texts(lang: str) -> list[str]:
    """Every translation of the catalog (English: the msgids themselves)."""
    with open(str(PO).format(lang="nl"), "rb") as f:
        catalog = read_po(f)
    texts = []
    for message in catalog:
        if not message.id:
            continue
        if lang == "en":
            texts.extend(message.id if isinstance(message.id, tuple) else [message.id])
        else:
            texts.extend(s for s in (message.string if isinstance(message.string, tuple) else [message.string]) if s)
    return texts


def _pattern(text: str) -> re.Pattern[str]:
    """A catalog text as a full-match pattern whose placeholders capture anything."""
    parts, last = [], 0
    for m in PLACEHOLDER.finditer(text):
        parts.append(re.escape(text[last:m.start()]))
        parts.append("(.+?)")
        last = m.end()
    parts.append(re.escape(text[last:]))
    return re.compile("".join(parts), re.S | re.I)


class Vocabulary:
    """The known texts of one language plus the data of one session."""

    def __init__(self, lang: str, data: Iterable[str] = ()):
        """Load the catalog of `lang`; `data` are the texts people or the seeds supplied."""
        texts = _catalog_texts(lang)
        self.exact = {_norm(t).casefold() for t in texts} | {_trim(_norm(t)).casefold() for t in texts}
        self.patterns = [_pattern(_norm(t)) for t in texts if PLACEHOLDER.search(t)]
        self.data = {_norm(d).casefold() for d in data if d and d.strip()}
        # a sentence-long option label named in a list loses its full stop ("… aanwezig is en De meeste …")
        self.data |= {d[:-1] for d in self.data if d.endswith(".")}

    @functools.lru_cache(maxsize=None)
    def known(self, text: str, depth: int = 0) -> bool:
        """Whether a visible text is a catalog word, user data or a number (see the module docstring)."""
        t = _norm(text)
        for candidate in (t, _trim(t)):
            if not candidate or NUMERIC.fullmatch(candidate) or DATE.fullmatch(candidate) or CODE.fullmatch(candidate) \
                    or candidate.casefold() in self.exact or candidate.casefold() in self.data:
                return True
        if depth > 6:
            return False
        for candidate in dict.fromkeys((t, _trim(t))):
            for pattern in self.patterns:
                m = pattern.fullmatch(candidate)
                if m and all(self.known(g, depth + 1) for g in m.groups()):
                    return True
        t = _trim(t)
        return any(self._joined(t, sep, depth) for sep in SEPARATORS if sep in t)

    def _joined(self, text: str, sep: str, depth: int) -> bool:
        """Whether text is known pieces joined by sep (pieces may hold sep themselves: tried in every grouping)."""
        pieces = text.split(sep)
        n = len(pieces)
        ok = [True] + [False] * n
        end = "." if sep == ". " else ""  # a sentence keeps its full stop
        for i in range(1, n + 1):
            ok[i] = any(ok[j] and (j, i) != (0, n) and self.known(sep.join(pieces[j:i]) + (end if i < n else ""), depth + 1)
                        for j in range(i))
        return ok[n]

    def unknown(self, texts: Iterable[str]) -> list[str]:
        """The texts that are not known, each once, in order."""
        seen, result = set(), []
        for text in texts:
            if text not in seen and not self.known(text):
                result.append(text)
            seen.add(text)
        return result


def _trim(text: str) -> str:
    """Without a list number ("3. ") and the punctuation and marks around a text."""
    return re.sub(r"^\d+\.\s+", "", text.strip(TRIM)).strip(TRIM)


def _norm(text: str) -> str:
    """Whitespace collapsed, the text-presentation selector and zero-width spaces (break points) dropped, trimmed."""
    return re.sub(r"\s+", " ", (text or "").replace("\ufe0e", "").replace("\u200b", "")).strip()


def strings_in(value) -> list[str]:
    """Every string inside a JSON-like value (dict values, list items), recursively."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings_in(v)]
    return []
