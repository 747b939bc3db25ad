"""The then-and-now view of a follow-up session: the earlier session beside this one (pure, no Flask).

Both sides come from the live aggregate (views.aggregate with its masking). The earlier session's side
is always what its own projector may show, also on the follow-up's facilitator page: whoever created the
follow-up proved the earlier session's secret once, and must not keep reading its facilitator-level
figures after its owner rotated the links (issue 20, finding 6). Nothing identifies a participant: counts
per option, phases and the steps' texts; the projector's copy leaves out who took a step on.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workshop.live.views import AUDIENCES, Audience, aggregate

if TYPE_CHECKING:
    from workshop.live.service import Room

STEP_KEYS = {"facilitator": ("position", "what", "who", "due", "status"),
             "projector": ("position", "what", "due", "status")}
STATS_KEYS = ("n", "joined", "counts", "shares", "shown", "median_rank", "agreement", "verdict")


def latest_stats(live: dict[str, Any], question_id: str) -> dict[str, Any] | None:
    """A question's statistics in its latest round, None where the audience may not see them."""
    rounds = (live["questions"].get(question_id) or {}).get("rounds")
    if not rounds:
        return None
    stats = rounds[-1]["stats"]
    return {k: stats.get(k) for k in STATS_KEYS}


def side(room: "Room", audience: Audience, min_group_size: int) -> dict[str, Any]:
    """One session's part of the view: when it was, its phases and per question its spread and agreed answer."""
    live = aggregate(room, audience, min_group_size=min_group_size)
    results = live.get("results") or {}
    return {
        "title": room.title,
        "created_at": room.created_at,
        "joined": live["joined"],
        "complete": results.get("complete"),
        "group_phase": results.get("group_phase"),
        "consensus_phase": results.get("consensus_phase"),
        "median_total": results.get("median_total"),
        "questions": {qid: {"stats": latest_stats(live, qid), "agreed": live["questions"][qid].get("agreed")}
                      for qid in room.state.order},
    }


def followup_view(room: "Room", earlier: "Room | None", audience: Audience, *,
                  min_group_size: int) -> dict[str, Any] | None:
    """The then-and-now view for an audience; None when the session follows up no session.

    `then` is None when the followed session was deleted; its carried-over steps stay, as they
    were copied into this session when it was created.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    if not room.follows:
        return None
    return {
        "organisation": room.organisation or None,
        "then": side(earlier, "projector", min_group_size) if earlier is not None else None,
        "now": side(room, audience, min_group_size),
        "steps": [{k: step.get(k) for k in STEP_KEYS[audience]} for step in room.carried],
    }
