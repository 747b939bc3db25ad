"""Ideas for a first small step and the dot vote: moderation, merging and dot rules, and their tallies (pure)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Mapping

from workshop.core.activities import ActivityState, groups, require_open
from workshop.core.state import Rejected

IDEA_STATUSES = ("pending", "approved", "hidden", "merged")
MODERATION = ("approve", "hide", "edit", "merge")


@dataclass(frozen=True)
class Idea:
    """One idea: who wrote it (authors grow by merging), its prompt, text and moderation status."""

    id: int
    author: int
    prompt: str
    text: str
    status: str
    merged_into: int | None = None
    authors: tuple[int, ...] = ()
    seq: int = 0  # order of arrival: the wall shows the newest first

    def all_authors(self) -> tuple[int, ...]:
        """Everyone counted as an author: the writer and the writers of ideas merged into it."""
        return self.authors or (self.author,)


Dots = Mapping[int, Mapping[int, int]]  # participant id -> idea id -> dots


def check_new_idea(state: ActivityState, own: int, most: int) -> None:
    """Raise Rejected unless a phone with `own` ideas may submit another one now."""
    require_open(state, "ideas")
    if own >= most:
        raise Rejected("too_many_ideas", f"At most {most} ideas each", "text")


def moderate(ideas: Mapping[int, Idea], action: str, idea_id: object, *, text: str | None = None,
             target: object = None) -> dict[int, Idea]:
    """The ideas that change by a moderation action (approve, hide, edit, merge), or raise Rejected."""
    idea = ideas.get(idea_id) if isinstance(idea_id, int) else None
    if idea is None or idea.status == "merged":
        raise Rejected("unknown_idea", "Unknown idea", "idea")
    if action == "approve":
        return {idea.id: replace(idea, status="approved")}
    if action == "hide":
        return {idea.id: replace(idea, status="hidden")}
    if action == "edit":
        if not text:
            raise Rejected("bad_request", "text is required", "text")
        return {idea.id: replace(idea, text=text)}
    if action == "merge":
        into = ideas.get(target) if isinstance(target, int) else None
        if into is None or into.status == "merged" or into.id == idea.id:
            raise Rejected("unknown_idea", "Merge into another idea", "target")
        authors = tuple(dict.fromkeys(into.all_authors() + idea.all_authors()))
        status = "approved" if "approved" in (into.status, idea.status) else into.status
        return {idea.id: replace(idea, status="merged", merged_into=into.id),
                into.id: replace(into, authors=authors, status=status)}
    raise Rejected("unknown_action", "Unknown action", "action")


def carry_dots(dots: Dots, source: int, target: int, per_idea: int) -> dict[int, dict[int, int]]:
    """The voters whose dots change when `source` merges into `target`: dots move over, at most per_idea stay.

    A voter with dots on both keeps at most per_idea on the merged idea; the rest return to the voter.
    """
    changed: dict[int, dict[int, int]] = {}
    for pid, placed in dots.items():
        if placed.get(source):
            mine = {k: v for k, v in placed.items() if k != source}
            mine[target] = min(per_idea, mine.get(target, 0) + placed[source])
            changed[pid] = mine
    return changed


def place_dots(state: ActivityState, ideas: Mapping[int, Idea], mine: Mapping[int, int], idea_id: object,
               count: object, *, total: int, per_idea: int) -> dict[int, int]:
    """A voter's dots after setting `count` dots on one approved idea, or raise Rejected (moving = set one lower, another higher)."""
    require_open(state, "vote")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise Rejected("bad_request", "count must be a whole number", "count")
    idea = ideas.get(idea_id) if isinstance(idea_id, int) else None
    if idea is None or idea.status != "approved":
        raise Rejected("unknown_idea", "Vote only on ideas on the wall", "idea")
    if count > per_idea:
        raise Rejected("too_many_dots", f"At most {per_idea} dots on one idea", "count")
    result = {k: v for k, v in mine.items() if k != idea_id}
    if count:
        result[idea_id] = count
    if sum(result.values()) > total:
        raise Rejected("too_many_dots", f"You have {total} dots", "count")
    return result


def wall(ideas: Mapping[int, Idea]) -> list[dict[str, Any]]:
    """The approved ideas, anonymous, newest first: what the projector and phones show."""
    approved = sorted((i for i in ideas.values() if i.status == "approved"), key=lambda i: -i.seq)
    return [{"id": i.id, "text": i.text, "prompt": i.prompt} for i in approved]


def _totals(dots: Dots, voters: list[int]) -> Counter:
    """Dots per idea from some voters."""
    counts: Counter = Counter()
    for pid in voters:
        counts.update(dots.get(pid, {}))
    return counts


def vote_ranking(ideas: Mapping[int, Idea], dots: Dots, disciplines: Mapping[int, str | None],
                 min_group_size: int, top: int) -> dict[str, Any]:
    """The approved ideas with the most dots (room and per discipline group by the small-group rule)."""
    voters = [pid for pid, placed in dots.items() if placed and pid in disciplines]

    def ranked(people: list[int]) -> dict[str, Any]:
        """The top ideas among some voters."""
        counts = _totals(dots, people)
        items = [{"id": i.id, "text": i.text, "dots": counts[i.id]}
                 for i in ideas.values() if i.status == "approved" and counts[i.id]]
        items.sort(key=lambda item: (-item["dots"], item["id"]))
        return {"voters": len(people), "items": items[:top]}

    room = ranked(voters)
    split = groups({pid: disciplines[pid] for pid in voters}, min_group_size)
    room["by_discipline"] = [dict(ranked(split[g]), group=g) for g in sorted(split, key=lambda g: (g == "other", g))]
    return room


def idea_dots(dots: Dots) -> Counter:
    """Dots per idea from everyone (the facilitator's and the export's count)."""
    return _totals(dots, list(dots))
