"""Sessions side by side: the comparison of several summaries (schema workshop.comparison/1), pure Python.

Documented field by field in docs/comparison.md. Every number is taken from the sessions'
summaries (core/summary.py, itself built from the live tally), so a comparison and each
session's own report cannot disagree; the only arithmetic here is the change from one
column to the next and the tallies of what became of carried-over steps.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

COMPARISON_SCHEMA = "workshop.comparison/1"
GROUPINGS = ("session", "organisation")
STEP_STATUSES = ("done", "partly", "not_yet")
STATS_KEYS = ("n", "joined", "counts", "shares", "shown", "median_rank", "agreement", "verdict")


class NotComparable(ValueError):
    """The summaries cannot stand side by side (none given, or different questionnaires)."""


def follow_depth(summary: Mapping[str, Any], by_code: Mapping[str, Mapping[str, Any]]) -> int:
    """How many of the named sessions come before this one in its chain of follow-ups."""
    depth, seen = 0, {summary["session"]["code"]}
    follows = summary["session"].get("follows")
    while follows in by_code and follows not in seen:
        depth, seen = depth + 1, seen | {follows}
        follows = by_code[follows]["session"].get("follows")
    return depth


def in_date_order(summaries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The summaries oldest first, each session once; within one second a follow-up after the session it follows."""
    unique = {s["session"]["code"]: s for s in summaries}
    return sorted(unique.values(), key=lambda s: (s["session"]["created_at"], follow_depth(s, unique),
                                                  s["session"]["code"]))


def organisation_key(summary: Mapping[str, Any]) -> str:
    """Which organisation a session belongs to: its label, else (no label) the session on its own."""
    return summary["session"].get("organisation") or f"session:{summary['session']['code']}"


def columns_by_organisation(summaries: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Per organisation its sessions in date order; organisations in the order of their latest session."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for summary in in_date_order(summaries):
        groups.setdefault(organisation_key(summary), []).append(summary)
    return sorted(groups.values(), key=lambda g: (g[-1]["session"]["created_at"], g[-1]["session"]["code"]))


def phase_number(summary: Mapping[str, Any], phase_id: str | None) -> int | None:
    """A phase's number (1 = Ik zie … 4 = Ik doe), None for no phase."""
    return next((p["number"] for p in summary["phases"] if p["id"] == phase_id), None)


def step_tally(steps: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many steps were agreed, and what became of those carried over (by status; `unjudged` for null)."""
    carried = [s for s in steps if s.get("carried")]
    tally = {status: sum(1 for s in carried if s.get("status") == status) for status in STEP_STATUSES}
    return {"agreed": len(steps) - len(carried), "carried": len(carried), **tally,
            "unjudged": sum(1 for s in carried if s.get("status") is None)}


def column(group: Sequence[Mapping[str, Any]], by: str) -> dict[str, Any]:
    """One column: the latest session of the group (the group itself when by session), with its phases and steps."""
    latest = group[-1]
    session, results = latest["session"], latest["results"]
    headline = results["consensus_phase"] or results["group_phase"]
    return {
        "key": session["code"] if by == "session" else organisation_key(latest),
        "organisation": session.get("organisation"),
        "title": session["title"],
        "code": session["code"],
        "date": session["created_at"],
        "follows": session.get("follows"),
        "earlier": [s["session"]["code"] for s in group[:-1]],
        "joined": results["joined"],
        "complete": results["complete"],
        "median_total": results["median_total"],
        "group_phase": results["group_phase"],
        "consensus_phase": results["consensus_phase"],
        "headline_phase": headline,
        "headline_number": phase_number(latest, headline),
        "phase_counts": dict(results["phase_counts"]),
        "steps": [{k: s.get(k) for k in ("what", "who", "due", "carried", "status") if k in s}
                  for s in latest["steps"]],
        "step_tally": step_tally(latest["steps"]),
    }


def latest_round(question: Mapping[str, Any]) -> dict[str, Any]:
    """A summary question's figures in its latest round, with the agreed option."""
    stats = question["rounds"][-1]["stats"] if question["rounds"] else {}
    return {**{k: stats.get(k) for k in STATS_KEYS}, "round": question["round"], "agreed": question["agreed"]}


def change(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, key: str) -> float | int | None:
    """The change of one figure from a column to the next, None when either side lacks it."""
    if before is None or after is None or before.get(key) is None or after.get(key) is None:
        return None
    difference = after[key] - before[key]
    return round(difference, 4) if isinstance(difference, float) else difference


def question_rows(latest: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per question of the first column's questionnaire: its cells per column and the change between them."""
    rows = []
    for question in latest[0]["questions"]:
        cells = []
        for summary in latest:
            found = next((q for q in summary["questions"] if q["id"] == question["id"]), None)
            cells.append(latest_round(found) if found else None)
        rows.append({
            "id": question["id"], "number": question["number"], "short": question["short"],
            "options": [dict(o) for o in question["options"]],
            "cells": cells,
            "changes": [{"median_rank": change(a, b, "median_rank"), "agreement": change(a, b, "agreement")}
                        for a, b in zip(cells, cells[1:])],
        })
    return rows


def build_comparison(summaries: Iterable[Mapping[str, Any]], *, by: str = "session",
                     generated_at: str, language: str | None = None) -> dict[str, Any]:
    """Return the comparison of sessions (schema COMPARISON_SCHEMA): one column per session or per organisation."""
    if by not in GROUPINGS:
        raise NotComparable(f"by must be one of {', '.join(GROUPINGS)}")
    ordered = in_date_order(summaries)
    if not ordered:
        raise NotComparable("no sessions to compare")
    if len({s["session"]["questionnaire"]["id"] for s in ordered}) > 1:
        raise NotComparable("the sessions use different questionnaires")
    groups = [[s] for s in ordered] if by == "session" else columns_by_organisation(ordered)
    latest = [g[-1] for g in groups]
    columns = [column(g, by) for g in groups]
    first = latest[0]
    return {
        "schema": COMPARISON_SCHEMA,
        "generated_at": generated_at,
        "by": by,
        "language": language or first["session"]["language"],
        "questionnaire": dict(first["session"]["questionnaire"]),
        "max_total": first["results"]["max_total"],
        "phases": [{k: p[k] for k in ("id", "number", "name")} for p in first["phases"]],
        "columns": columns,
        "phase_changes": [change(a, b, "headline_number") for a, b in zip(columns, columns[1:])],
        "questions": question_rows(latest),
        "attribution": dict(first["attribution"]),
    }
