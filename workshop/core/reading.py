"""What a verdict rests on, as the ingredients of the words next to it (no words here: the clients and the
report render them from the catalog).

agreed    -> the top option and its share ("75% choose Regularly")
polarised -> the two camps: the lower and the upper half of the scale ("4 say Never, 5 say Daily")
mixed     -> the spread: how many options were chosen and the most chosen one(s)
"""
from __future__ import annotations

from typing import Any, Sequence

VERDICT_ORDER = ("polarised", "mixed", "agreed")  # discuss first: the least agreement first


def percent(count: int, n: int) -> int:
    """count/n as a whole percentage, rounded DOWN: a share just under the 75% threshold never reads as 75%."""
    return (100 * count) // n


def camps(counts: Sequence[int]) -> list[dict[str, Any]]:
    """The lower and the upper half of the scale (a middle option belongs to neither): count and chosen ranks."""
    k = len(counts)
    half = k // 2
    halves = (range(0, half), range(k - half, k))
    return [{"count": sum(counts[r] for r in ranks), "ranks": [r for r in ranks if counts[r] > 0]}
            for ranks in halves]


def reading(counts: Sequence[int], verdict: str | None) -> dict[str, Any] | None:
    """The figures a verdict rests on, for the words beside it; None while there is no verdict."""
    n = sum(counts)
    if verdict is None or n == 0:
        return None
    top = max(counts)
    return {
        "verdict": verdict,
        "n": n,
        "top_count": top,
        "top_pct": percent(top, n),
        "top_ranks": [rank for rank, count in enumerate(counts) if count == top],
        "chosen": sum(1 for count in counts if count > 0),
        "camps": camps(counts) if verdict == "polarised" else None,
    }


def discuss_key(verdict: str, top_share: float, dispersion: float) -> tuple[int, float]:
    """Sort key for 'discuss first': polarised, then mixed, then agreed; within a class the least agreement first.

    Polarised questions by Leik's D (most polarised first); mixed and agreed ones by the share of the most
    chosen option, the figure shown beside their verdict (smallest first).
    """
    rank = VERDICT_ORDER.index(verdict)
    return (rank, -dispersion if verdict == "polarised" else top_share)
