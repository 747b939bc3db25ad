"""The totals' distribution and the split headline (issue 12 point 3), without Flask."""
from __future__ import annotations

import itertools

from workshop.core import commands
from workshop.core import state as sm
from workshop.core.questionnaire import default
from workshop.core.spread import group_spread, largest_phases, totals_histogram
from workshop.core.tally import Member, Tally, headline, mask_for_screen

Q = default()
ORDER = [p.id for p in Q.phases]


def answers_for(total):
    """Some complete set of answers worth exactly `total` points."""
    for combo in itertools.product(*[q.options for q in Q.questions]):
        if sum(o.points for o in combo) == total:
            return {q.id: o.id for q, o in zip(Q.questions, combo)}
    raise AssertionError(total)


def results_for(totals):
    """The live results of a room whose people have these totals (everything revealed)."""
    t = Tally(Q)
    for pid, total in enumerate(totals, start=1):
        t.add(Member(pid, pid, None, None))
        for seq, (qid, oid) in enumerate(answers_for(total).items()):
            t.set_answer(pid, qid, 1, oid, seq)
    state = commands.apply(sm.initial("self", [q.id for q in Q.questions]), "start")
    return t.live(state)["results"]


def test_the_issue_example_says_split_with_the_phases_holding_most_people():
    """8 people, 1 in Ik kan and 4 in Ik doe: the median (6) is in Ik kan, which holds 1 of 8."""
    results = results_for([1, 1, 3, 5, 7, 7, 8, 9])
    assert results["group_phase"] == "ik-kan"
    assert results["phase_counts"] == {"ik-zie": 2, "ik-wil": 1, "ik-kan": 1, "ik-doe": 4}
    assert results["totals"] == [0, 2, 0, 1, 0, 1, 0, 2, 1, 1, 0]
    head = headline(results)
    assert head == {"phase": "ik-kan", "agreed": False, "split": True, "largest": ["ik-zie", "ik-doe"]}


def test_a_room_mostly_in_the_median_phase_is_not_split():
    results = results_for([5, 5, 6, 8, 1])
    assert results["group_phase"] == "ik-kan"
    assert headline(results)["split"] is False and headline(results)["largest"] == []


def test_exactly_half_in_the_median_phase_is_not_split():
    spread = group_spread({"ik-zie": 2, "ik-wil": 0, "ik-kan": 2, "ik-doe": 0}, "ik-kan")
    assert spread["split"] is False


def test_an_agreed_phase_is_never_called_split():
    results = {**results_for([1, 1, 3, 5, 7, 7, 8, 9]), "consensus_phase": "ik-doe"}
    assert headline(results) == {"phase": "ik-doe", "agreed": True, "split": False, "largest": []}


def test_a_summary_without_spread_gets_the_same_headline():
    results = results_for([1, 1, 3, 5, 7, 7, 8, 9])
    old = {k: v for k, v in results.items() if k not in ("spread", "totals")}
    assert headline(old) == headline(results)


def test_largest_phases_hold_more_than_half_in_phase_order():
    assert largest_phases({"a": 3, "b": 3, "c": 0}, ["a", "b", "c"]) == ["a", "b"]
    assert largest_phases({"a": 1, "b": 5, "c": 2}, ["a", "b", "c"]) == ["b"]
    assert largest_phases({"a": 0, "b": 0}, ["a", "b"]) == []


def test_totals_histogram_has_one_slot_per_total():
    assert totals_histogram([0, 10, 10, 4], 10) == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2]


def test_the_projector_gets_the_spread_and_the_split_headline_once_results_are_public():
    t = Tally(Q)
    for pid, total in enumerate([1, 1, 3, 5, 7, 7, 8, 9], start=1):
        t.add(Member(pid, pid, None, None))
        for seq, (qid, oid) in enumerate(answers_for(total).items()):
            t.set_answer(pid, qid, 1, oid, seq)
    state = commands.apply(commands.apply(sm.initial("self", [q.id for q in Q.questions]), "start"), "results")
    screen = mask_for_screen(t.live(state), state)
    assert screen["results"]["totals"] == [0, 2, 0, 1, 0, 1, 0, 2, 1, 1, 0]
    assert screen["results"]["headline"]["split"] is True
