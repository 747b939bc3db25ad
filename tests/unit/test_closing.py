"""Issue 21's rules in the core, without Flask: a phase only from a complete answer set, the group's agreed phase
for phones, where a median means something, ties, the per-phone order of the vote, the steps' idea texts, and
moderation on by default."""
from __future__ import annotations

from collections import Counter
from itertools import permutations

import pytest

from workshop.settings import Settings
from workshop.core import activities as act
from workshop.core import state as sm
from workshop.core import stats
from workshop.core.ideas import Idea, phone_seed, vote_key, vote_order
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.tally import agreed_phase, personal_result
from workshop.live import views
from workshop.live.service import Live

Q = default_questionnaire()
LOWEST = {q.id: q.options[0].id for q in Q.questions}
HIGHEST = {q.id: q.options[-1].id for q in Q.questions}


# A phase only from a complete answer set


def test_one_answer_of_four_gives_no_total_and_no_phase_and_names_the_three_missing_in_order():
    result = personal_result(Q, {"begrippen": "nooit"})  # 0 points: "Ik zie, 0 van 10 punten" before
    assert (result["total"], result["phase"], result["complete"]) == (None, None, False)
    assert result["missing"] == ["uitspraak", "projecten", "kennis"]
    assert result["answers"] == {"begrippen": "nooit"}


def test_any_incomplete_answer_set_has_no_phase_and_every_complete_one_has_the_phase_of_its_total():
    ids = [q.id for q in Q.questions]
    for size in range(len(ids) + 1):
        for chosen in permutations(ids, size):
            answers = {qid: HIGHEST[qid] for qid in chosen}
            result = personal_result(Q, answers)
            if size < len(ids):
                assert result["phase"] is None and result["total"] is None
                assert result["missing"] == [qid for qid in ids if qid not in answers]  # questionnaire order
            else:
                assert result["total"] == Q.total(answers) == Q.max_total
                assert result["phase"] == Q.phase_for(Q.max_total).id and result["missing"] == []
    assert personal_result(Q, LOWEST)["phase"] == "ik-zie"


# The group's agreed phase


def agreed_state(**agreed):
    """A session in results with the given agreed options."""
    state = sm.SessionState("paced", tuple(q.id for q in Q.questions),
                            {q.id: sm.QuestionState("revealed", 1, agreed.get(q.id)) for q in Q.questions},
                            stage="results")
    return state


def test_the_agreed_phase_needs_an_agreed_answer_on_every_question():
    assert agreed_phase(Q, agreed_state()) is None
    assert agreed_phase(Q, agreed_state(**dict(list(HIGHEST.items())[:3]))) is None
    assert agreed_phase(Q, agreed_state(**HIGHEST)) == "ik-doe"
    assert agreed_phase(Q, agreed_state(**LOWEST)) == "ik-zie"


@pytest.fixture
def live_room(make_store):
    """A self-paced session with one participant who answered one question."""
    live = Live(make_store("FULL"), Q, Settings())
    room, _ = live.create("Proef", "self")
    member, _ = live.join(room, "Anna")
    live.command(room, "start")
    live.answer(room, member.id, "begrippen", "nooit", 1)
    return live, room, member


def test_phones_hear_the_agreed_phase_only_once_results_show_and_every_answer_is_agreed(live_room):
    live, room, member = live_room
    assert views.public_state(room)["agreed_phase"] is None
    live.command(room, "results")
    assert views.public_state(room)["agreed_phase"] is None  # nothing agreed yet
    for q in Q.questions:
        live.command(room, "agree", question=q.id, option=q.options[-1].id)
    assert views.public_state(room)["agreed_phase"] == "ik-doe"
    mine = views.result(room, member.id)
    assert mine["phase"] is None and mine["missing"] == ["uitspraak", "projecten", "kennis"]
    live.command(room, "end")
    assert views.public_state(room)["agreed_phase"] == "ik-doe"


# Statistics only where they mean something


def test_a_median_means_something_only_from_three_options_on():
    assert [stats.median_means_something(k) for k in (2, 3, 4)] == [False, True, True]
    client = Q.to_client("nl")
    assert {q["id"]: q["median"] for q in client["questions"]} == {
        "begrippen": True, "uitspraak": False, "projecten": True, "kennis": True}
    # the statistic is still computed (the exports keep it): 17 against 15 has a "median" that is just the majority
    assert stats.question_stats([17, 15], joined=32).median_rank == 0


def test_a_tie_names_every_most_chosen_option_and_one_top_names_one():
    assert stats.question_stats([1, 4, 4], joined=9).to_dict()["reading"]["top_ranks"] == [1, 2]
    assert stats.question_stats([1, 2, 4], joined=7).to_dict()["reading"]["top_ranks"] == [2]
    assert stats.question_stats([3, 3], joined=6).to_dict()["reading"]["top_ranks"] == [0, 1]


# The vote's ideas in each phone's own order


def test_a_phones_order_is_a_permutation_the_same_every_time_and_its_own():
    ideas = list(range(101, 149))  # 48 ideas
    one = vote_order(ideas, phone_seed("K7QX2M", 1))
    assert sorted(one) == ideas and one != ideas
    assert vote_order(list(reversed(ideas)), phone_seed("K7QX2M", 1)) == one  # whatever order they arrive in
    assert vote_order(ideas, phone_seed("K7QX2M", 1)) == one  # stable for that phone
    others = {tuple(vote_order(ideas, phone_seed("K7QX2M", pid))) for pid in range(2, 40)}
    assert tuple(one) not in others and len(others) == 38  # every phone its own order
    assert vote_order(ideas, phone_seed("P4WN8R", 1)) != one  # the same person in another session


def test_an_idea_approved_during_the_vote_slots_in_without_reshuffling_the_others():
    seed = phone_seed("K7QX2M", 7)
    before = vote_order([1, 2, 3, 4, 5, 6], seed)
    after = vote_order([1, 2, 3, 4, 5, 6, 7], seed)
    assert [i for i in after if i != 7] == before


def test_every_idea_stands_first_about_equally_often_over_many_phones():
    ideas = [1, 2, 3, 4, 5, 6]
    firsts = Counter(vote_order(ideas, phone_seed("K7QX2M", pid))[0] for pid in range(1, 6001))
    assert set(firsts) == set(ideas)
    assert all(800 <= n <= 1200 for n in firsts.values()), firsts  # 1000 each expected


def test_the_order_key_is_the_32_bit_mix_the_phone_repeats():
    # static/js/activities_phone.js computes mix32(seed ^ mix32(id)) with Math.imul; these are its values (node)
    assert vote_key(0, 0) == 0
    assert [vote_key(0, 1), vote_key(0xFFFFFFFF, 123456), vote_key(2654435769, 42), vote_key(1, 7)] == [
        804215951, 1771602483, 1867726200, 2520902017]
    assert 0 <= phone_seed("K7QX2M", 1) <= 0xFFFFFFFF


# The steps' idea texts, moderation by default, the end


def test_a_step_names_its_idea_while_it_is_on_the_wall_following_merges():
    ideas = {1: Idea(1, 9, "project", "Podcast", "approved"),
             2: Idea(2, 9, "project", "Een podcast", "merged", merged_into=1),
             3: Idea(3, 9, "project", "Geheim", "hidden"),
             4: Idea(4, 9, "project", "Wacht", "pending")}
    steps = [{"what": s, "who": "", "due": "", "idea": i} for s, i in
             (("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", None), ("f", 99))]
    assert [s["idea_text"] for s in views.shared_steps(steps, ideas)] == ["Podcast", "Podcast", None, None, None, None]
    loop = {5: Idea(5, 9, "project", "x", "merged", merged_into=6), 6: Idea(6, 9, "project", "y", "merged", merged_into=5)}
    assert views.shared_steps([{"what": "g", "idea": 5}], loop)[0]["idea_text"] is None  # never loops


def test_a_new_session_moderates_its_ideas_and_the_end_leaves_no_activity_shown():
    state = act.initial(("challenges", "ideas", "vote"), [])
    assert state.auto_approve is False
    assert act.ActivityState.from_dict({**state.to_dict(), "auto_approve": True}).auto_approve is True
    shown = act.apply(state, "open", activity="ideas")
    assert shown.current == "ideas"
    closed = act.close_all(shown, unshow=True)
    assert closed.current is None and closed.status["ideas"] == "closed"
    assert act.close_all(shown).current == "ideas"  # without unshow: only closed
    assert act.close_all(closed, unshow=True) is closed  # nothing to change
