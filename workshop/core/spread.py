"""How the group's totals spread over the phases: the totals' distribution and whether the room is split.

Pure functions on a results dict (live aggregate or summary): the projector, the facilitator page and the
report only render what these return.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, Sequence


def totals_histogram(totals: Iterable[int], max_total: int) -> list[int]:
    """How many people have each total 0..max_total (index = total): one mark per person on the strip plot."""
    counter = Counter(totals)
    return [counter.get(total, 0) for total in range(max_total + 1)]


def largest_phases(phase_counts: Mapping[str, int], order: Sequence[str]) -> list[str]:
    """The fewest phases that together hold more than half of the people (most people first), in phase order."""
    total = sum(phase_counts.values())
    chosen: list[str] = []
    held = 0
    for phase in sorted(order, key=lambda p: (-phase_counts.get(p, 0), order.index(p))):
        if 2 * held > total or phase_counts.get(phase, 0) == 0:
            break
        chosen.append(phase)
        held += phase_counts[phase]
    return [p for p in order if p in chosen]


def group_spread(phase_counts: Mapping[str, int], group_phase: str | None) -> dict[str, Any]:
    """Whether the group is split: fewer than half of the people sit in the median's phase.

    Returns {"split", "largest" (phase ids, when split), "in_median_phase", "complete"}.
    """
    order = list(phase_counts)
    complete = sum(phase_counts.values())
    in_median = phase_counts.get(group_phase, 0) if group_phase else 0
    split = group_phase is not None and complete > 0 and 2 * in_median < complete
    return {"split": split, "largest": largest_phases(phase_counts, order) if split else [],
            "in_median_phase": in_median, "complete": complete}
