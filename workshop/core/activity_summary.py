"""The activities' part of the session summary: challenges and ideas (additive fields of workshop.summary/1)."""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from workshop.core import activities as act
from workshop.core import ideas as idx
from workshop.core.activities import ActivityState
from workshop.core.ideas import Idea
from workshop.core.programme import Programme


def ideas_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[int, Idea]:
    """Ideas rebuilt from their stored rows."""
    return {r["id"]: Idea(r["id"], r["participant_id"], r["prompt"], r["text"], r["status"], r["merged_into"],
                          tuple(json.loads(r["authors"])), r["id"]) for r in rows}


def activity_summary(*, state: ActivityState, programme: Programme, picks: Mapping[int, Iterable[str]],
                     ideas: Mapping[int, Idea], dots: Mapping[int, Mapping[int, int]],
                     disciplines: Mapping[int, str | None], language: str, min_group_size: int) -> dict[str, Any]:
    """`challenges` and `ideas` of the summary; only active participants' picks and dots count."""
    picks = {pid: tuple(p) for pid, p in picks.items() if pid in disciplines}
    dots = {pid: d for pid, d in dots.items() if pid in disciplines}
    ranking = act.challenge_ranking(state, picks, disciplines, min_group_size)
    totals = idx.idea_dots(dots)
    prompts = {p.id: p.text(language) for p in programme.prompts}
    return {
        "activities": {"programme": list(state.programme), "status": {a: state.of(a) for a in act.ACTIVITIES},
                       "auto_approve": state.auto_approve},
        "challenges": ranking,
        "ideas": [{"id": i.id, "text": i.text, "status": i.status, "merged_into": i.merged_into,
                   "dots": totals[i.id], "authors": len(i.all_authors()), "prompt": i.prompt,
                   "prompt_text": prompts.get(i.prompt)} for i in sorted(ideas.values(), key=lambda i: i.id)],
    }
