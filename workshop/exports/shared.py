"""Lookups every renderer needs, and the one place the exports pick the headline phase."""
from __future__ import annotations

from typing import Any, Mapping


def headline_phase(summary: Mapping[str, Any]) -> str | None:
    """The headline phase's id: the agreed phase, else the group's (provisional), else None."""
    results = summary["results"]
    return results["consensus_phase"] or results["group_phase"]


def phase_name(summary: Mapping[str, Any], phase_id: str | None) -> str | None:
    """A phase's name in the session language."""
    return next((p["name"] for p in summary["phases"] if p["id"] == phase_id), None)


def lookups(summary: Mapping[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, str], Any], dict[str, Any]]:
    """Questions by id, options by (question, option) and participants by anonymous id."""
    questions = {q["id"]: q for q in summary["questions"]}
    options = {(q["id"], o["id"]): o for q in summary["questions"] for o in q["options"]}
    people = {p["id"]: p for p in summary["participants"]}
    return questions, options, people
