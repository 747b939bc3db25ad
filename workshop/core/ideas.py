"""Ideas for a first small step and the dot vote: moderation, merging and dot rules, and their tallies (pure)."""
from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Mapping

from workshop.core.activities import ActivityState, groups, require_open
from workshop.core.state import Rejected

IDEA_STATUSES = ("pending", "approved", "hidden", "merged")
MODERATION = ("approve", "hide", "edit", "merge", "approve_all")


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


def merge_target(idea: Idea) -> bool:
    """Whether other ideas may be merged into this one: only an approved idea (on the wall) is a target."""
    return idea.status == "approved"


def moderate(ideas: Mapping[int, Idea], action: str, idea_id: object, *, text: str | None = None,
             target: object = None) -> dict[int, Idea]:
    """The ideas that change by a moderation action (approve, hide, edit, merge, approve_all), or raise Rejected.

    approve_all puts every idea waiting for approval on the wall at once (no idea id; none waiting changes nothing).
    """
    if action == "approve_all":
        return {i.id: replace(i, status="approved") for i in ideas.values() if i.status == "pending"}
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
        if not merge_target(into):  # merging must never publish a hidden or pending text (issue 20, finding 11)
            raise Rejected("merge_target_not_approved", "Merge only into an idea on the wall", "target")
        authors = tuple(dict.fromkeys(into.all_authors() + idea.all_authors()))
        return {idea.id: replace(idea, status="merged", merged_into=into.id),
                into.id: replace(into, authors=authors)}
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


def wall(ideas: Mapping[int, Idea], limit: int | None = None) -> list[dict[str, Any]]:
    """The approved ideas, anonymous, newest first: what the projector and phones show (the newest `limit`).

    `ideas` is in order of arrival, as the board keeps it (by id, which the store hands out in that order):
    the newest are found from the end, so the projector's wall (sent many times a second) costs its length.
    """
    newest: list[Idea] = []
    if limit == 0:
        return []
    for idea in reversed(ideas.values()):
        if idea.status == "approved":
            newest.append(idea)
            if len(newest) == limit:
                break
    return [{"id": i.id, "text": i.text, "prompt": i.prompt} for i in newest]


def phone_seed(code: str, participant_id: int) -> int:
    """A phone's own 32-bit seed for the order of the vote's ideas: from the session and the participant id.

    The same phone gets the same seed after a reload or a reconnect; two phones of a session, or one
    person's phones in two sessions, get different ones.
    """
    digest = hashlib.sha256(f"{code}:{participant_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _mix32(x: int) -> int:
    """MurmurHash3's 32-bit finaliser: every input bit moves every output bit (static/js/activities_phone.js
    does the same with Math.imul, so the phone orders exactly as vote_order does)."""
    x &= 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & 0xFFFFFFFF
    return x ^ (x >> 16)


def vote_key(seed: int, idea_id: int) -> int:
    """Where an idea goes in one phone's vote list: a pseudo-random key from the phone's seed and the idea."""
    return _mix32(seed ^ _mix32(idea_id))


def vote_order(idea_ids: list[int], seed: int) -> list[int]:
    """The vote's ideas in one phone's own random order (issue 21: no order bias from newest-first for all).

    Each idea's place comes from its own key, so the order is stable for the phone: an idea approved
    during the vote slots in without reshuffling the others, and a reload gives the same list.
    """
    return sorted(idea_ids, key=lambda i: (vote_key(seed, i), i))


def _top(counts: Mapping[int, int], ideas: Mapping[int, Idea], top: int) -> list[tuple[int, int]]:
    """The `top` approved ideas with the most dots (fewer ids first on a tie), as (id, dots)."""
    on_wall = {i: n for i, n in counts.items() if n and i in ideas and ideas[i].status == "approved"}
    if len(on_wall) > top > 0:  # only ideas with at least the top-th count can be in the top
        floor = heapq.nlargest(top, on_wall.values())[-1]
        on_wall = {i: n for i, n in on_wall.items() if n >= floor}
    return sorted(on_wall.items(), key=lambda pair: (-pair[1], pair[0]))[:top]


def vote_voters(dots: Dots, disciplines: Mapping[int, str | None]) -> list[int]:
    """The members who placed at least one dot (what the projector may show before the reveal: their number)."""
    return [pid for pid, placed in dots.items() if placed and pid in disciplines]


def vote_ranking(ideas: Mapping[int, Idea], dots: Dots, disciplines: Mapping[int, str | None],
                 min_group_size: int, top: int) -> dict[str, Any]:
    """The approved ideas with the most dots (room and per discipline group by the small-group rule).

    One pass over the voters fills the room's and every group's counts; only ideas that have dots are ranked.
    """
    voters = vote_voters(dots, disciplines)
    split = groups({pid: disciplines[pid] for pid in voters}, min_group_size)
    room_counts: dict[int, int] = {}
    group_counts: dict[str, dict[int, int]] = {g: {} for g in split}
    counts_of = {pid: group_counts[g] for g, people in split.items() for pid in people}
    for pid in voters:
        group = counts_of.get(pid)
        for idea_id, n in dots[pid].items():
            room_counts[idea_id] = room_counts.get(idea_id, 0) + n
            if group is not None:
                group[idea_id] = group.get(idea_id, 0) + n

    def ranked(counts: dict[int, int], people: int) -> dict[str, Any]:
        """The top ideas by some voters' counts."""
        return {"voters": people,
                "items": [{"id": i, "text": ideas[i].text, "dots": n} for i, n in _top(counts, ideas, top)]}

    room = ranked(room_counts, len(voters))
    room["by_discipline"] = [dict(ranked(group_counts[g], len(split[g])), group=g)
                             for g in sorted(split, key=lambda g: (g == "other", g))]
    return room


def idea_dots(dots: Dots) -> Counter:
    """Dots per idea from everyone (the facilitator's and the export's count)."""
    counts: Counter = Counter()
    for placed in dots.values():
        for idea_id, n in placed.items():
            counts[idea_id] += n
    return counts
