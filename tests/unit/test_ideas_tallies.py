"""The wall and the vote ranking agree with their plain definitions on random rooms (they are written for speed)."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.core import activities as act
from workshop.core import ideas as idx
from workshop.core.ideas import Idea
from workshop.live.activities import Board

STATUSES = st.sampled_from(idx.IDEA_STATUSES)


@st.composite
def rooms(draw):
    """Ideas in order of arrival (ids with gaps, as the store hands them out), members with disciplines, dots."""
    ids = sorted(draw(st.sets(st.integers(1, 60), max_size=25)))
    ideas = {i: Idea(i, 100 + i, "project", f"idee {i}", draw(STATUSES), seq=i) for i in ids}
    n = max(ids, default=0)
    members = draw(st.dictionaries(st.integers(1, 40), st.sampled_from([None, "Directie", "ICT", "Publiek"]),
                                   max_size=30))
    voters = list(members) + [99]  # 99 left the room: its dots no longer count
    dots = {pid: draw(st.dictionaries(st.integers(1, max(n, 1) + 2), st.integers(0, 2), max_size=3))
            for pid in draw(st.lists(st.sampled_from(voters), unique=True))}
    return ideas, members, dots


def plain_wall(ideas):
    """The definition: every approved idea, newest arrival first."""
    approved = sorted((i for i in ideas.values() if i.status == "approved"), key=lambda i: -i.seq)
    return [{"id": i.id, "text": i.text, "prompt": i.prompt} for i in approved]


def plain_ranking(ideas, dots, disciplines, min_group_size, top):
    """The definition: count the dots of members, rank the approved ideas that have some."""
    def ranked(people):
        counts = Counter()
        for pid in people:
            counts.update(dots.get(pid, {}))
        items = [{"id": i.id, "text": i.text, "dots": counts[i.id]}
                 for i in ideas.values() if i.status == "approved" and counts[i.id]]
        items.sort(key=lambda item: (-item["dots"], item["id"]))
        return {"voters": len(people), "items": items[:top]}
    voters = [pid for pid, placed in dots.items() if placed and pid in disciplines]
    room = ranked(voters)
    split = act.groups({pid: disciplines[pid] for pid in voters}, min_group_size)
    room["by_discipline"] = [dict(ranked(split[g]), group=g) for g in sorted(split, key=lambda g: (g == "other", g))]
    return room


@settings(max_examples=300, deadline=None)
@given(rooms(), st.integers(0, 30))
def test_the_wall_is_the_newest_approved_ideas(room, limit):
    ideas, _, _ = room
    assert idx.wall(ideas) == plain_wall(ideas)
    assert idx.wall(ideas, limit) == plain_wall(ideas)[:limit]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30), STATUSES), max_size=40))
def test_the_board_keeps_ideas_in_arrival_order_and_counts_the_wall(steps):
    board = Board(act.initial(("ideas",), []))
    next_id = 1
    for new, pick, status in steps:
        if new or not board.ideas:
            next_id += pick % 3  # the store's ids can have gaps
            board.put(Idea(next_id, 1, "project", "x", status, seq=next_id))
            next_id += 1
        else:
            old = list(board.ideas.values())[pick % len(board.ideas)]
            board.put(replace(old, status=status))
        assert board.approved == sum(1 for i in board.ideas.values() if i.status == "approved")
        assert list(board.ideas) == sorted(board.ideas)
        assert idx.wall(board.ideas) == plain_wall(board.ideas)


def test_a_new_idea_with_an_older_id_is_refused_by_the_board():
    board = Board(act.initial(("ideas",), []))
    board.put(Idea(5, 1, "project", "five", "approved", seq=5))
    with pytest.raises(ValueError):
        board.put(Idea(3, 1, "project", "three", "approved", seq=3))
    assert list(board.ideas) == [5] and board.approved == 1


@settings(max_examples=300, deadline=None)
@given(rooms(), st.integers(1, 4), st.integers(1, 6))
def test_the_vote_ranking_matches_its_definition(room, min_group_size, top):
    ideas, members, dots = room
    got = idx.vote_ranking(ideas, dots, members, min_group_size, top)
    assert got == plain_ranking(ideas, dots, members, min_group_size, top)
    assert len(idx.vote_voters(dots, members)) == got["voters"]
