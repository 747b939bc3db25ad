"""Agreement statistics for ordinal workshop questions (pure Python, stdlib only).

Every measure is computed on option RANKS (0..k-1 in the question's option
order), never on the points an option is worth.  Input is always a sequence of
answer counts per option, in rank order, e.g. ``[3, 0, 5, 2]``.
"""

from __future__ import annotations

import math
import operator
import statistics
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping, Sequence

from workshop.core import reading as _reading

__all__ = [
    "AGREED_TOP_SHARE",
    "POLARISED_DISPERSION",
    "MIN_ANSWERS",
    "MIN_GROUP_SIZE",
    "leik_dispersion",
    "tastle_wierman",
    "van_der_eijk",
    "median_rank",
    "median_means_something",
    "verdict",
    "QuestionStats",
    "question_stats",
    "discuss_first",
    "median_total",
    "group_disciplines",
    "groups_shown",
]

# Diamond et al. 2014 (J Clin Epidemiol 67:401-409): the median consensus
# threshold across the Delphi studies they reviewed was 75 %.
AGREED_TOP_SHARE = 0.75
# Leik's D >= 0.8: most answers sit at the two extremes of the scale.
POLARISED_DISPERSION = 0.8
# Measures are hidden while fewer than 3 people answered, so that no single
# answer can be singled out.
MIN_ANSWERS = 3
# Discipline groups smaller than this are merged into "other".
MIN_GROUP_SIZE = 3


def _as_counts(counts: Sequence[int]) -> tuple[int, ...]:
    """Return counts as a tuple of non-negative ints, raising on bad input."""
    result = tuple(operator.index(c) for c in counts)
    if any(c < 0 for c in result):
        raise ValueError(f"counts must be non-negative, got {list(result)}")
    return result


def _checked(counts: Sequence[int], *, min_k: int = 2) -> tuple[tuple[int, ...], int]:
    """Validate counts (at least ``min_k`` options, total > 0); return (counts, total)."""
    c = _as_counts(counts)
    if len(c) < min_k:
        raise ValueError(f"need at least {min_k} options, got {len(c)}")
    total = sum(c)
    if total == 0:
        raise ValueError("no answers: total count is 0")
    return c, total


def leik_dispersion(counts: Sequence[int]) -> float:
    """Leik's (1966) ordinal dispersion D in [0, 1] (0 = one category, 1 = half at each extreme)."""
    c, n = _checked(counts)
    k = len(c)
    # D = 2/(k-1) * sum_{i=1}^{k-1} d_i with F_i = C_i/n, d_i = F_i if F_i <= 1/2
    # else 1 - F_i, i.e. d_i = min(C_i, n - C_i)/n.  Done in integers so that
    # boundary values (e.g. exactly 0.8) are a single correctly rounded division.
    cumulative = 0
    numerator = 0
    for count in c[:-1]:
        cumulative += count
        numerator += min(cumulative, n - cumulative)
    return (2 * numerator) / ((k - 1) * n)


def tastle_wierman(counts: Sequence[int]) -> float:
    """Tastle & Wierman (2007) consensus Cns in [0, 1] (1 = unanimous, 0 = 50/50 at the extremes)."""
    c, n = _checked(counts)
    d_x = len(c) - 1
    mu = sum(rank * count for rank, count in enumerate(c)) / n
    total = 0.0
    for rank, count in enumerate(c):
        if count == 0:
            continue  # p_i = 0 contributes nothing (avoids log2(0) when mu is at an extreme)
        total += (count / n) * math.log2(1.0 - abs(rank - mu) / d_x)
    return 1.0 + total


def _layer_agreement(pattern: Sequence[int]) -> Fraction:
    """van der Eijk agreement A of one 0/1 layer pattern: U * (1 - (S-1)/(K-1))."""
    k = len(pattern)
    tu = 0  # triples (i < j < l) with pattern 110 or 011: consistent with unimodality
    tdu = 0  # triples with pattern 101: inconsistent with unimodality
    for i in range(k - 2):
        for j in range(i + 1, k - 1):
            for m in range(j + 1, k):
                triple = (pattern[i], pattern[j], pattern[m])
                if triple in ((1, 1, 0), (0, 1, 1)):
                    tu += 1
                elif triple == (1, 0, 1):
                    tdu += 1
                # all other triples (000, 111, 100, 010, 001) are not counted
    s = sum(pattern)
    if tu + tdu == 0:
        # Only possible for S = 1 (a single category: A = 1) or S = K (uniform:
        # the (1 - (S-1)/(K-1)) factor is 0 anyway).  Take U = 1 as in the paper.
        unimodality = Fraction(1)
    else:
        unimodality = Fraction((k - 2) * tu - (k - 1) * tdu, (k - 2) * (tu + tdu))
    return unimodality * (1 - Fraction(s - 1, k - 1))


def van_der_eijk(counts: Sequence[int]) -> float | None:
    """van der Eijk (2001) agreement A in [-1, 1] via layer decomposition; None when k < 3."""
    c = _as_counts(counts)
    if len(c) < 3:
        return None
    c, n = _checked(c, min_k=3)
    remaining = list(c)
    result = Fraction(0)
    while any(remaining):
        # Layer: the categories still non-empty, each holding `smallest` answers.
        smallest = min(x for x in remaining if x > 0)
        pattern = [1 if x > 0 else 0 for x in remaining]
        weight = Fraction(smallest * sum(pattern), n)  # share of observations in this layer
        result += weight * _layer_agreement(pattern)
        remaining = [x - smallest if x > 0 else 0 for x in remaining]
    return float(result)


def median_rank(counts: Sequence[int]) -> int:
    """Lowest rank whose cumulative count reaches at least half of all answers (lower median)."""
    c = _as_counts(counts)
    n = sum(c)
    if n == 0:
        raise ValueError("no answers: total count is 0")
    cumulative = 0
    for rank, count in enumerate(c):
        cumulative += count
        if 2 * cumulative >= n:  # cumulative >= n/2, in integers
            return rank
    raise AssertionError("unreachable: cumulative count always reaches n")  # pragma: no cover


def median_means_something(options: int) -> bool:
    """Whether a question's median answer is worth marking: only on a scale of at least three options.

    With two options the (lower) median is simply the option most people chose, or the first one on a
    tie: a marker on it reads as "the middle of the room" where there is only a split (17 against 15,
    issue 21). The share per option says all there is.
    """
    return options >= 3


def verdict(
    top_share: float,
    dispersion: float,
    *,
    agreed_top_share: float = AGREED_TOP_SHARE,
    polarised_dispersion: float = POLARISED_DISPERSION,
) -> str:
    """Classify a question as 'agreed', 'polarised' or 'mixed' from top share and Leik's D."""
    if top_share >= agreed_top_share:
        return "agreed"
    if dispersion >= polarised_dispersion:
        return "polarised"
    return "mixed"


def _round(value: float | None) -> float | None:
    """Round to 4 decimals for JSON, normalising -0.0 to 0.0; None passes through."""
    if value is None:
        return None
    return round(value, 4) + 0.0


@dataclass(frozen=True)
class QuestionStats:
    """Answer distribution and agreement measures of one question."""

    n: int  # answered
    joined: int  # N (joined participants)
    counts: tuple[int, ...]
    shares: tuple[float, ...]  # count / n (all 0.0 when n == 0)
    shown: bool  # n >= min_answers
    median_rank: int | None  # None when not shown
    top_share: float | None
    dispersion: float | None  # Leik D
    agreement: float | None  # 1 - D
    consensus: float | None  # Tastle & Wierman Cns
    van_der_eijk: float | None  # None when not shown or k < 3
    verdict: str | None  # None when not shown

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: floats rounded to 4 decimals, tuples as lists."""
        return {
            "n": self.n,
            "joined": self.joined,
            "counts": list(self.counts),
            "shares": [_round(s) for s in self.shares],
            "shown": self.shown,
            "median_rank": self.median_rank,
            "top_share": _round(self.top_share),
            "dispersion": _round(self.dispersion),
            "agreement": _round(self.agreement),
            "consensus": _round(self.consensus),
            "van_der_eijk": _round(self.van_der_eijk),
            "verdict": self.verdict,
            "reading": _reading.reading(self.counts, self.verdict) if self.shown else None,
        }


def question_stats(
    counts: Sequence[int], joined: int, *, min_answers: int = MIN_ANSWERS
) -> QuestionStats:
    """Compute a QuestionStats; measures are None while fewer than min_answers answered."""
    c = _as_counts(counts)
    if len(c) < 2:
        raise ValueError(f"a question needs at least 2 options, got {len(c)}")
    n = sum(c)
    shares = tuple(count / n for count in c) if n else tuple(0.0 for _ in c)
    shown = n >= min_answers and n > 0  # n > 0: measures are undefined without answers
    if not shown:
        return QuestionStats(
            n=n, joined=joined, counts=c, shares=shares, shown=False,
            median_rank=None, top_share=None, dispersion=None, agreement=None,
            consensus=None, van_der_eijk=None, verdict=None,
        )
    top = max(c) / n
    dispersion = leik_dispersion(c)
    return QuestionStats(
        n=n,
        joined=joined,
        counts=c,
        shares=shares,
        shown=True,
        median_rank=median_rank(c),
        top_share=top,
        dispersion=dispersion,
        agreement=1.0 - dispersion,
        consensus=tastle_wierman(c),
        van_der_eijk=van_der_eijk(c),
        verdict=verdict(top, dispersion),
    )


def discuss_first(stats: Mapping[str, QuestionStats]) -> list[str]:
    """Question ids to discuss first: polarised, mixed, agreed, each least agreement first (reading.discuss_key).

    Hidden ones (too few answers) come last; ties keep the input order (sorted() is stable).
    """
    shown = [qid for qid, s in stats.items() if s.shown and s.verdict is not None]
    hidden = [qid for qid in stats if qid not in shown]
    shown.sort(key=lambda qid: _reading.discuss_key(
        stats[qid].verdict, stats[qid].top_share, stats[qid].dispersion))  # type: ignore[arg-type]
    return shown + hidden


def median_total(totals: Sequence[float]) -> float | None:
    """Median of the participants' totals (statistics.median), or None when there are none."""
    if len(totals) == 0:
        return None
    return float(statistics.median(totals))


def group_disciplines(
    disciplines: Mapping[str, str | None],
    *,
    min_size: int = MIN_GROUP_SIZE,
    other: str = "other",
) -> dict[str, str | None]:
    """Map participant id -> display group; every shown group, `other` included, has at least min_size people.

    Groups smaller than min_size merge into `other`. If `other` is still too small, the smallest named
    groups join it until it is big enough: hiding the few instead would not protect them, as the room's
    overall spread minus the shown groups would give their answers away. When no named group is left
    (`other` would be the whole room), everyone maps to None: there is no split to show.
    """

    def _missing(d: str | None) -> bool:
        """True when a participant gave no discipline (None, '' or whitespace only)."""
        return d is None or not d.strip()

    sizes = Counter(d for d in disciplines.values() if not _missing(d))
    groups: dict[str, str | None] = {}
    for pid, d in disciplines.items():
        if _missing(d) or sizes[d] < min_size:
            groups[pid] = other
        else:
            groups[pid] = d
    # `other` also absorbs a real discipline literally named like the `other` label.
    other_size = sum(1 for g in groups.values() if g == other)
    if 0 < other_size < min_size:
        shown = Counter(g for g in groups.values() if g != other)
        for name, size in sorted(shown.items(), key=lambda item: (item[1], item[0])):
            if other_size >= min_size:
                break
            groups.update({pid: other for pid, g in groups.items() if g == name})
            other_size += size
    if other_size and all(g == other for g in groups.values()):
        groups = dict.fromkeys(groups)  # no discipline is big enough: a split would only repeat the room
    return groups


def groups_shown(sizes: Mapping[str, int], *, min_size: int = MIN_GROUP_SIZE, other: str = "other") -> set[str]:
    """The groups whose figures may be shown on their own, from how many people of each group are counted.

    The rule of group_disciplines, on counts: groups with fewer than min_size counted people go to
    `other`, and a too small `other` takes in the smallest groups until it is big enough. A group is shown
    when it stays apart; `other` only when nothing was merged into it and no group is left when all
    would be `other`. Whatever is not shown (the room minus the shown groups) is then empty or holds at
    least min_size people, so subtracting the shown groups from the room singles out no one.
    """
    sizes = {group: n for group, n in sizes.items() if n > 0}
    named = {group: n for group, n in sizes.items() if group != other and n >= min_size}
    merged = len(named) < len(sizes) - (other in sizes)
    other_size = sum(sizes.values()) - sum(named.values())
    for name, size in sorted(named.items(), key=lambda item: (item[1], item[0])):
        if not 0 < other_size < min_size:
            break
        del named[name]
        other_size += size
        merged = True
    if not named:
        return set()  # everything would be `other`: a split would only repeat the room
    if other in sizes and not merged:
        named[other] = sizes[other]
    return set(named)
