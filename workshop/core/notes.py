"""Facilitator notes typed on several devices at once: a save based on an older version never replaces the
newer text; both are kept, the part where they differ marked so the facilitator can tidy it (issue 22)."""
from __future__ import annotations

from dataclasses import dataclass

# The lines around the two texts of a conflict; the web layer passes them in the session's language.
MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


@dataclass(frozen=True)
class Saved:
    """What a save stored: the text, its new version, and whether it had to be merged with a newer one."""

    text: str
    version: int
    conflict: bool = False

    def to_dict(self) -> dict[str, object]:
        """The JSON-ready form (the acknowledgement and the `note` event)."""
        return {"text": self.text, "version": self.version, "conflict": self.conflict}


def _line_start(text: str, index: int) -> int:
    """The start of the line that holds text[index]."""
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The end of the line that holds text[index - 1] (index itself when it is at a line's end)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def merge(stored: str, mine: str, markers: tuple[str, str, str] = MARKERS) -> str:
    """Both texts in one: their common beginning and end once, the lines where they differ both, marked.

    Nothing of either text is lost (a line one of them removed stays, in the other's part).
    """
    if mine == stored or not mine.strip():
        return stored
    if not stored.strip():
        return mine
    limit = min(len(stored), len(mine))
    head = 0
    while head < limit and stored[head] == mine[head]:
        head += 1
    tail = 0
    while tail < limit - head and stored[-1 - tail] == mine[-1 - tail]:
        tail += 1
    head = _line_start(stored, head)  # whole lines on both sides of the difference (the texts agree up to head)
    cut_stored, cut_mine = _line_end(stored, len(stored) - tail), _line_end(mine, len(mine) - tail)
    tail_text = stored[cut_stored:]
    if mine[cut_mine:] != tail_text:  # the line ends differ after all: keep the rest of each whole
        cut_stored, cut_mine, tail_text = len(stored), len(mine), ""
    first, then, end = markers
    middle = [first, stored[head:cut_stored].strip("\n"), then, mine[head:cut_mine].strip("\n"), end]
    return stored[:head] + "\n".join(middle) + tail_text


def save(stored: str, version: int, mine: str, based_on: int, markers: tuple[str, str, str] = MARKERS) -> Saved:
    """What to store when a device saves `mine`, typed on version `based_on`, over `stored` at `version`."""
    if mine == stored:
        return Saved(stored, version)
    if based_on == version:
        return Saved(mine, version + 1)
    merged = merge(stored, mine, markers)
    return Saved(merged, version + 1 if merged != stored else version, merged != mine)
