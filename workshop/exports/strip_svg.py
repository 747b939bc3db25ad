"""The report's strip plot of the totals (one dot per person over the phase bands) and its split headline.

Renders results.totals and results.spread (core/spread.py); summaries written before those fields get
the same figures from their participants' totals and phase counts.
"""
from __future__ import annotations

from typing import Any, Mapping

from workshop.core.spread import group_spread, totals_histogram
from workshop.exports.labels import number

WIDTH, TOP, BASE, PER_ROW, STEP = 600, 46, 118, 4, 11


def _and_list(names: list[str], L: Mapping[str, Any]) -> str:
    """Names joined as 'A, B and C'."""
    return names[0] if len(names) == 1 else L["and_join"].format(list=", ".join(names[:-1]), last=names[-1])


def _people(n: int, L: Mapping[str, Any]) -> str:
    """'1 person' / '4 people'."""
    return L["people_n_one" if n == 1 else "people_n_other"].format(n=n)


def strip(summary: Mapping[str, Any], L: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """Bands, dots, ticks and the median line of the strip plot in a 600-wide SVG; None without totals."""
    r = summary["results"]
    totals = r.get("totals") or totals_histogram(
        [p["total"] for p in summary["participants"] if p.get("total") is not None], r["max_total"])
    if not sum(totals):
        return None
    cw = WIDTH / len(totals)
    counts = r["phase_counts"]
    bands = [{"x": round(p["min_total"] * cw, 2), "width": round((p["max_total"] - p["min_total"] + 1) * cw, 2),
              "centre": round((p["min_total"] + p["max_total"] + 1) * cw / 2, 2), "name": p["name"],
              "people": _people(counts.get(p["id"], 0), L), "shade": "#F2F2F2" if i % 2 == 0 else "#FFFFFF"}
             for i, p in enumerate(summary["phases"])]
    dots = [{"cx": round(total * cw + cw / 2 + (i % PER_ROW - (min(n, PER_ROW) - 1) / 2) * STEP, 2),
             "cy": BASE - 8 - (i // PER_ROW) * STEP}
            for total, n in enumerate(totals) for i in range(n)]
    median = r["median_total"]
    return {
        "caption": L["strip_caption"].format(max=r["max_total"]),
        "bands": bands, "dots": dots,
        "ticks": [{"x": round(t * cw + cw / 2, 2), "text": str(t)} for t in range(len(totals))],
        "median": None if median is None else {"x": round(median * cw + cw / 2, 2),
                                                "text": "▲ " + L["median_is"].format(total=number(median, lang))},
        "spoken": [L["strip_item_one" if n == 1 else "strip_item_other"].format(n=n, total=t)
                   for t, n in enumerate(totals) if n],
        "top": TOP, "base": BASE,
    }


def split(summary: Mapping[str, Any], L: Mapping[str, Any]) -> dict[str, Any] | None:
    """The split headline's words when fewer than half of the people sit in the median's phase, else None."""
    r = summary["results"]
    if r["consensus_phase"]:
        return None
    spread = r.get("spread") or group_spread(r["phase_counts"], r["group_phase"])
    if not spread["split"]:
        return None
    names = {p["id"]: p["name"] for p in summary["phases"]}
    return {"largest": L["split_largest"].format(phases=_and_list([names[p] for p in spread["largest"]], L)),
            "median": L["split_median"].format(phase=names[r["group_phase"]], n=spread["in_median_phase"],
                                               total=spread["complete"])}

