"""The words beside a verdict in the report: the figure it rests on (stats.reading), worded from the catalog.

The same msgids as the pages' JavaScript (W.reading in static/js/common.js), so both read alike.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from workshop.core.reading import reading as core_reading


def option_name(label: str) -> str:
    """An option's label as a name inside a sentence: without the full stop a sentence-long label ends with."""
    return label[:-1] if label.endswith(".") else label


def option_list(labels: Sequence[str], ranks: Sequence[int], L: Mapping[str, Any], join: str = "or_join") -> str:
    """Option labels by rank, joined as 'A, B or C' (or with join='and_join' as 'A and B': a tie)."""
    if len(ranks) < 2:
        return "".join(labels[rank] for rank in ranks)
    words = [option_name(labels[rank]) for rank in ranks]  # "… aanwezig is and De meeste …", no full stop between
    return L[join].format(list=", ".join(words[:-1]), last=words[-1])


def reading_text(reading: Mapping[str, Any] | None, labels: Sequence[str], L: Mapping[str, Any],
                 lang: str = "en") -> str | None:
    """'75% choose X', '4 say X, 5 say Y' or the spread in words; None without a reading."""
    if not reading:
        return None
    if reading["verdict"] == "polarised" and reading["camps"]:
        return ", ".join(L["camp_one" if camp["count"] == 1 else "camp_other"].format(
            n=camp["count"], option=option_list(labels, camp["ranks"], L)) for camp in reading["camps"])
    # several most chosen options are a tie: "most chosen: A and B" (every top rank, core.reading)
    words = {"pct": f"{reading['top_pct']}%", "option": option_list(labels, reading["top_ranks"], L, "and_join"),
             "n": reading["chosen"]}
    if reading["verdict"] == "agreed":
        return L["reading_agreed"].format(**words)
    return L["reading_mixed_one" if reading["chosen"] == 1 else "reading_mixed_other"].format(**words)


def verdict_text(stats: Mapping[str, Any], labels: Sequence[str], L: Mapping[str, Any]) -> str:
    """'agreed · 75% choose X', or why there is no verdict."""
    if not stats.get("shown"):
        return L["too_few"]
    # a summary written before `reading` existed: the same figures from its counts
    reading = stats.get("reading") or core_reading(stats["counts"], stats["verdict"])
    return f"{L['verdicts'][stats['verdict']]} · {reading_text(reading, labels, L)}"
