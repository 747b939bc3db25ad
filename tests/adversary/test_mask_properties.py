"""Findings 5 and 12, exhaustively: the projector's mask and the discipline view's rule over any state.

hypothesis draws rooms (members with or without a discipline, answers in several rounds, answers the
state would not even allow) and session states (every stage, view, question status and round).
- Finding 12: the projector's copy (tally.mask_for_screen) is the same whatever the answers to
  unrevealed questions are, and carries none of their counts, spreads or per-discipline figures.
- Finding 5: in the full aggregate (the facilitator's, the exports'), a discipline group's figures for a
  question count at least MIN answers, and the room minus the shown groups is empty or at least MIN.
"""
from __future__ import annotations

import json
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.core import stats
from workshop.core.questionnaire import default
from workshop.core.state import PACINGS, STAGES, STATUSES, VIEWS, QuestionState, SessionState
from workshop.core.tally import Member, Tally, mask_for_screen

Q = default()
QIDS = [q.id for q in Q.questions]
OPTIONS = {q.id: [o.id for o in q.options] for q in Q.questions}
DISCIPLINES = ["D-a", "D-b", "D-c", None]
SCREEN_QUESTION_KEYS = {"round", "answered", "agreed"}
EXAMPLES = settings(max_examples=400, derandomize=True, deadline=None)


def revealed(state: SessionState, qid: str) -> bool:
    """The rule, stated here on its own: a question's answers are public once revealed or in the results."""
    return state.stage in ("results", "ended") or state.questions[qid].status == "revealed"


@st.composite
def states(draw) -> SessionState:
    """Any session state: stage, pacing, view, and each question's status, round and agreed option."""
    questions = {}
    for qid in QIDS:
        status = draw(st.sampled_from(STATUSES))
        agreed = draw(st.none() | st.sampled_from(OPTIONS[qid])) if status in ("closed", "revealed") else None
        questions[qid] = QuestionState(status, draw(st.integers(1, 3)), agreed)
    return SessionState(pacing=draw(st.sampled_from(PACINGS)), order=tuple(QIDS), questions=questions,
                        stage=draw(st.sampled_from(STAGES)), focus=draw(st.none() | st.sampled_from(QIDS)),
                        locked=draw(st.booleans()), view=draw(st.sampled_from(VIEWS)))


@st.composite
def rooms(draw) -> tuple[list[str | None], dict[tuple[int, str, int], int]]:
    """Members' disciplines and their answers: (member, question, round) -> option index."""
    disciplines = draw(st.lists(st.sampled_from(DISCIPLINES), max_size=14))
    answers = {}
    for pid in range(1, len(disciplines) + 1):
        for qid in QIDS:
            for round_ in range(1, draw(st.integers(0, 3)) + 1):
                if draw(st.integers(0, 4)):  # mostly answered
                    answers[(pid, qid, round_)] = draw(st.integers(0, len(OPTIONS[qid]) - 1))
    return disciplines, answers


def build(disciplines, answers, change=frozenset()) -> Tally:
    """A tally of these members and answers; answers to questions in `change` take another option."""
    tally = Tally(Q)
    for pid, discipline in enumerate(disciplines, start=1):
        tally.add(Member(pid, pid, f"nick{pid}", discipline))
    for seq, ((pid, qid, round_), index) in enumerate(sorted(answers.items()), start=1):
        if qid in change:
            index = (index + 1) % len(OPTIONS[qid])
        tally.set_answer(pid, qid, round_, OPTIONS[qid][index], seq)
    return tally


@EXAMPLES
@given(room=rooms(), state=states(), min_size=st.integers(1, 4))
def test_the_projector_sees_nothing_of_an_unrevealed_questions_answers(room, state, min_size):
    disciplines, answers = room
    hidden = frozenset(q for q in QIDS if not revealed(state, q))
    masked = mask_for_screen(build(disciplines, answers).live(state, min_group_size=min_size), state)
    other = mask_for_screen(build(disciplines, answers, hidden).live(state, min_group_size=min_size), state)
    # Non-interference: other answers to the unrevealed questions, not one bit of difference on the screen.
    assert json.dumps(masked, sort_keys=True) == json.dumps(other, sort_keys=True)
    for qid in hidden:
        assert set(masked["questions"][qid]) <= SCREEN_QUESTION_KEYS
        for group in masked["disciplines"]:
            assert qid not in group["questions"]
            assert group["median_total"] is None and group["phase"] is None and group["complete"] is None
    if hidden:
        assert masked["results"] is None
    # ...and what is revealed does reach it (the mask is not simply "show nothing").
    for qid in set(QIDS) - hidden:
        assert "rounds" in masked["questions"][qid]
        for group in masked["disciplines"]:
            assert qid in group["questions"]


@EXAMPLES
@given(room=rooms(), state=states(), min_size=st.integers(1, 4))
def test_no_discipline_figure_rests_on_fewer_than_the_minimum(room, state, min_size):
    disciplines, answers = room
    live = build(disciplines, answers).live(state, min_group_size=min_size)
    groups = live["disciplines"]
    assert sum(g["n"] for g in groups) in (0, len(disciplines))  # every member in one row, or no split at all
    for qid in QIDS:
        round_ = state.questions[qid].round
        room_counts = live["questions"][qid]["rounds"][round_ - 1]["stats"]["counts"]
        cells = [g["questions"][qid] for g in groups]
        shown = [cell["counts"] for cell in cells if cell["counts"] is not None]
        for counts in shown:
            assert sum(counts) >= min_size, (qid, shown)
        rest = sum(room_counts) - sum(sum(c) for c in shown)  # with nothing shown, the rest is just the room
        assert not shown or rest == 0 or rest >= min_size, (qid, room_counts, shown)
        assert all(cell.get("withheld") == (cell["counts"] is None) for cell in cells)
    with_totals = [g for g in groups if g["median_total"] is not None]
    for group in with_totals:
        assert group.get("complete", 0) >= min_size, group
    rest = live["results"]["complete"] - sum(g.get("complete", 0) for g in with_totals)
    assert not with_totals or rest == 0 or rest >= min_size


@EXAMPLES
@given(labels=st.lists(st.sampled_from(["A", "B", "C", "D", "other"]), max_size=20), min_size=st.integers(1, 5))
def test_groups_shown_follows_the_other_rule_of_group_disciplines(labels, min_size):
    """stats.groups_shown works on counts; it must agree with group_disciplines on people (decision 11)."""
    people = {f"p{i}": label for i, label in enumerate(labels)}
    mapping = stats.group_disciplines(people, min_size=min_size)
    expected = {label for label in set(labels)
                if all(mapping[p] == label for p, lb in people.items() if lb == label)
                and not (label == "other" and any(mapping[p] == "other" for p, lb in people.items() if lb != "other"))}
    assert stats.groups_shown(Counter(labels), min_size=min_size) == expected
