"""The in-memory tally and the live aggregate, without Flask."""
from __future__ import annotations

from workshop.core import commands
from workshop.core import state as sm
from workshop.core.questionnaire import default
from workshop.core.tally import Member, Tally, mask_for_screen

Q = default()
ALL_LOW = {"begrippen": "nooit", "uitspraak": "ten-koste-van", "projecten": "0-procent", "kennis": "heel-weinig"}


def tally_with(*people):
    """A tally with members 1..n answering round 1 as given."""
    t, seq = Tally(Q), 0
    for pid, (discipline, answers) in enumerate(people, start=1):
        t.add(Member(pid, pid, f"p{pid}", discipline))
        for question, option in answers.items():
            seq += 1
            t.set_answer(pid, question, 1, option, seq)
    return t


def test_changing_an_answer_moves_the_count():
    t = tally_with((None, {"begrippen": "nooit"}))
    t.set_answer(1, "begrippen", 1, "dagelijks", 2)
    assert t.counts_for("begrippen", 1) == [0, 0, 0, 1]
    assert t.seq == 2


def test_removing_a_member_takes_its_answers_out():
    t = tally_with((None, ALL_LOW), (None, ALL_LOW))
    t.remove(1)
    assert t.counts_for("kennis", 1) == [1, 0, 0]
    assert list(t.members) == [2]


def test_result_has_a_phase_only_from_a_complete_answer_set_and_names_the_missing_questions():
    t = tally_with((None, {}), (None, {"begrippen": "dagelijks"}))
    assert t.result(1) is None  # nothing answered: no result at all
    # 1 of 4 answered: no total and no phase from the partial 3 points (issue 21), the missing ones in order
    assert t.result(2) == {"total": None, "max_total": 10, "phase": None, "complete": False,
                           "missing": ["uitspraak", "projecten", "kennis"], "answers": {"begrippen": "dagelijks"}}
    for q, o in {"uitspraak": "kan-helpen", "projecten": "30-100-procent", "kennis": "meeste-collegas"}.items():
        t.set_answer(2, q, 1, o, 9)
    assert t.result(2) == {"total": 10, "max_total": 10, "phase": "ik-doe", "complete": True, "missing": [],
                           "answers": {"begrippen": "dagelijks", "uitspraak": "kan-helpen",
                                       "projecten": "30-100-procent", "kennis": "meeste-collegas"}}


def test_latest_prefers_the_highest_round_and_can_be_capped():
    t = tally_with((None, {"begrippen": "nooit"}))
    t.set_answer(1, "begrippen", 2, "zelden", 2)
    assert t.latest(1) == {"begrippen": "zelden"}
    assert t.latest(1, max_round=1) == {"begrippen": "nooit"}


def test_group_phase_is_the_phase_of_the_median_total():
    mid = {**ALL_LOW, "begrippen": "dagelijks", "uitspraak": "kan-helpen"}  # 5
    t = tally_with((None, ALL_LOW), (None, mid), (None, mid))  # totals 0, 5, 5
    s = commands.apply(sm.initial("self", [q.id for q in Q.questions]), "start")
    results = t.live(s)["results"]
    assert results["median_total"] == 5 and results["group_phase"] == "ik-kan"
    assert results["phase_counts"] == {"ik-zie": 1, "ik-wil": 0, "ik-kan": 2, "ik-doe": 0}


def test_names_keep_the_latest_nicknames_only():
    t = Tally(Q)
    for pid in range(1, 70):
        t.add(Member(pid, pid, None if pid % 2 else f"n{pid}", None))
    names = t.names()
    assert len(names) == 34 and names[-1] == "n68" and names[0] == "n2"


def test_screen_mask_hides_unrevealed_spreads_and_early_results():
    t = tally_with((None, ALL_LOW))
    s = commands.apply(sm.initial("self", [q.id for q in Q.questions]), "start")
    s = commands.apply(s, "reveal", question="kennis")
    masked = mask_for_screen(t.live(s), s)
    assert "rounds" in masked["questions"]["kennis"]
    assert set(masked["questions"]["begrippen"]) == {"round", "answered", "agreed"}
    assert masked["results"] is None and masked["disciplines"] == []
    done = commands.apply(s, "results")
    assert mask_for_screen(t.live(done), done)["results"]["complete"] == 1


def test_discipline_counts_kept_up_to_date_equal_counts_built_afresh():
    """The discipline view's cached counts follow every answer, change, join and removal (issue 10, finding 5)."""
    import random

    rng = random.Random(5)
    s = commands.apply(sm.initial("self", [q.id for q in Q.questions]), "start")
    t, seq = Tally(Q), 0
    for step in range(400):
        if step % 25 == 0 or not t.members:
            pid = max(t.members, default=0) + 1
            t.add(Member(pid, pid, None, rng.choice(["A", "B", None])))
        elif step % 97 == 0:
            t.remove(rng.choice(list(t.members)))
        else:
            question = rng.choice(Q.questions)
            seq += 1
            t.set_answer(rng.choice(list(t.members)), question.id, 1, rng.choice(question.options).id, seq)
        if step % 7 == 0:
            fresh = Tally.from_rows(Q, [{"id": m.id, "number": m.number, "nickname": None, "discipline": m.discipline,
                                         "removed_at": None} for m in t.members.values()],
                                    [{"participant_id": pid, "question_id": q, "round": r, "option_id": o, "seq": 1}
                                     for pid, qs in t.answers.items() for q, rounds in qs.items()
                                     for r, o in rounds.items()])
            for size in (1, 3):
                assert t.live(s, min_group_size=size)["disciplines"] == fresh.live(s, min_group_size=size)["disciplines"]
