"""Text typed by people: cleaned of invisible tricks, limited in characters as a reader counts them."""
from __future__ import annotations

import unicodedata

import regex

from workshop.core.state import Rejected

# What a reader counts as one character: a grapheme cluster (stdlib `re` has no \X).
GRAPHEME = regex.compile(r"\X")
# The format characters (Unicode category Cf) that text needs: the zero-width non-joiner and
# joiner (emoji sequences such as families; Persian, Indic scripts). JOINERS alone at a text's
# edges show nothing and are trimmed.
JOINERS = "\u200c\u200d"
# Kept: an emoji flag tag sequence (England, Scotland, Wales: U+1F3F4, tag letters, cancel tag).
# Replaced by a space: control characters (Cc). Dropped: every other format character (bidi
# embeddings, overrides, isolates and marks, which reorder text on the projector; zero-width
# spaces, word joiners, byte-order marks, soft hyphens, stray tags), lone surrogates, private
# use and unassigned code points (by the `regex` module's newer Unicode tables, so new emoji stay).
UNSAFE = regex.compile(
    r"(?P<flag>\U0001F3F4[\U000E0030-\U000E0039\U000E0061-\U000E007A]{1,12}\U000E007F)"
    r"|(?P<control>\p{Cc})"
    r"|[[\p{Cf}\p{Cs}\p{Co}\p{Cn}]--[\u200c\u200d]]",
    regex.V1,
)


def clean_text(value: object, *, max_length: int, field_name: str, required: bool = False,
               max_bytes: int | None = None, field: str | None = None) -> str | None:
    """Return one line of user text, cleaned and at most max_length characters, or raise Rejected naming the field.

    Characters are grapheme clusters (what a reader counts: a family emoji or an
    accented letter is one). max_bytes (default 4 per character, the old worst case)
    caps the UTF-8 size, as one cluster may hold any number of code points. A text
    too long is refused with `bad_<field_name>`; the refusal's field is `field`, the
    payload key the text came in (default field_name).
    """
    field = field or field_name
    if value is None or value == "":
        if required:
            raise Rejected("bad_request", f"{field_name} is required", field)
        return None
    if not isinstance(value, str):
        raise Rejected("bad_request", f"{field_name} must be text", field)
    limit = 4 * max_length if max_bytes is None else max_bytes
    if len(value) > 4 * limit:  # far too long even before cleaning: spare the work
        raise Rejected(f"bad_{field_name}", f"{field_name} is longer than {max_length} characters", field)
    text = " ".join(strip_invisible(unicodedata.normalize("NFC", value)).split()).strip(JOINERS + " ")
    if not text:
        if required:
            raise Rejected("bad_request", f"{field_name} is required", field)
        return None
    if len(text.encode("utf-8", "surrogatepass")) > limit or len(GRAPHEME.findall(text)) > max_length:
        raise Rejected(f"bad_{field_name}", f"{field_name} is longer than {max_length} characters", field)
    return text


def strip_invisible(text: str) -> str:
    """Return text with control characters as spaces and invisible format characters dropped (joiners and flag tags kept)."""
    return UNSAFE.sub(lambda m: m.group(0) if m.group("flag") else (" " if m.group("control") else ""), text)


def clean_multiline(text: str) -> str:
    """Return typed text (a note) in NFC with line breaks and tabs kept, other control and invisible format characters dropped."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return UNSAFE.sub(lambda m: m.group(0) if m.group("flag") or m.group(0) in "\n\t" else "", text)
