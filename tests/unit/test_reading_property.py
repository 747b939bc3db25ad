"""Property test over EVERY count vector with 2-4 options and up to 12 answers: a verdict and the words
beside it (the figure it rests on, stats.reading) never read as opposite (docs/decisions.md, issue 12)."""
from __future__ import annotations

import itertools
from math import comb

import pytest

from workshop.core.questionnaire import default as default_questionnaire
from workshop.core import reading, stats
from workshop.exports.labels import labels
from workshop.exports.reading_text import reading_text

MAX_N = 12
OPTIONS = ("Nooit", "Soms", "Regelmatig", "Dagelijks")


def all_count_vectors(k: int, max_n: int):
    """Every vector of k non-negative counts with a sum of at most max_n (exhaustive, no sampling)."""
    return (c for c in itertools.product(range(max_n + 1), repeat=k) if sum(c) <= max_n)


def check(counts: tuple[int, ...]) -> str | None:
    """Assert the verdict/words rules for one count vector; return its verdict."""
    n = sum(counts)
    st = stats.question_stats(counts, joined=n)
    words = st.to_dict()["reading"]
    if n < stats.MIN_ANSWERS:
        assert st.verdict is None and words is None
        return None
    text = reading_text(words, OPTIONS[:len(counts)], labels("nl"))
    top = max(counts)
    assert words["verdict"] == st.verdict
    assert words["top_pct"] == 100 * top // n  # rounded down: never lifted over a threshold
    if st.verdict == "agreed":
        # one option holds at least 75%: a clear majority, so exactly one option is named, with >= 75
        assert 4 * top >= 3 * n and words["top_pct"] >= 75
        assert len(words["top_ranks"]) == 1 and words["camps"] is None
        assert text == f"{words['top_pct']}% kiest {OPTIONS[words['top_ranks'][0]]}"
    else:
        # no option reaches 75%, and the figure shown stays below it too
        assert 4 * top < 3 * n and words["top_pct"] < 75
    if st.verdict == "polarised":
        low, high = words["camps"]
        # two real camps at opposite ends: each holds at least a quarter, together at least three quarters
        assert 4 * low["count"] >= n and 4 * high["count"] >= n
        assert 4 * (low["count"] + high["count"]) >= 3 * n
        assert low["ranks"] and high["ranks"] and max(low["ranks"]) < min(high["ranks"])
        assert sum(counts[r] for r in low["ranks"]) == low["count"]
        assert text.count("zeg") == 2 and "kiest" not in text
    if st.verdict == "mixed":
        assert words["chosen"] >= 2 and words["camps"] is None
        assert text.startswith(f"verspreid over {words['chosen']} antwoorden")
    return st.verdict


@pytest.mark.parametrize("k", [2, 3, 4])
def test_no_count_vector_gives_a_verdict_and_words_that_read_as_opposite(k):
    seen = {}
    total = 0
    for counts in all_count_vectors(k, MAX_N):
        verdict = check(counts)
        seen[verdict] = seen.get(verdict, 0) + 1
        total += 1
    assert total == comb(MAX_N + k, k)  # every vector with sum <= 12 was checked
    assert set(seen) == {None, "agreed", "mixed", "polarised"}  # each class was reached


def test_a_share_just_under_the_threshold_never_reads_as_75_percent():
    """149 of 199 (74.87%) is mixed and shows 74%, not a rounded-up 75%."""
    st = stats.question_stats([149, 50], joined=199)
    assert st.verdict != "agreed"
    assert st.to_dict()["reading"]["top_pct"] == 74


def test_issue_examples_read_as_the_figures_they_rest_on():
    """[3,0,0,1] reads '75% kiest Nooit'; a 4-to-5 split names both camps."""
    L = labels("nl")
    agreed = stats.question_stats([3, 0, 0, 1], joined=4).to_dict()
    assert reading_text(agreed["reading"], OPTIONS, L) == "75% kiest Nooit"
    split = stats.question_stats([4, 0, 0, 5], joined=9).to_dict()
    assert split["verdict"] == "polarised"
    assert reading_text(split["reading"], OPTIONS, L) == "4 zeggen Nooit, 5 zeggen Dagelijks"
    tie = stats.question_stats([2, 2, 0, 1], joined=5).to_dict()
    assert reading_text(tie["reading"], OPTIONS, L) == "verspreid over 3 antwoorden; meest gekozen: Nooit en Soms"


def test_a_tie_reads_as_a_tie_and_sentence_labels_lose_their_full_stop_in_the_list():
    """Issue 21: "…aanwezig is. of De meeste…" read as a choice; a tie is "meest gekozen: A en B"."""
    L = labels("nl")
    kennis = [o.label.get("nl") for o in default_questionnaire().question("kennis").options]
    tie = stats.question_stats([1, 4, 4], joined=9).to_dict()
    assert tie["reading"]["top_ranks"] == [1, 2]  # the core names every most chosen option
    assert reading_text(tie["reading"], kennis, L) == (
        "verspreid over 3 antwoorden; meest gekozen: Er zijn enkele collega’s en/of afdelingen waar deze kennis "
        "aanwezig is en De meeste collega’s hebben kennis en ervaring op dit vlak")
    single = stats.question_stats([1, 2, 4], joined=7).to_dict()
    assert reading_text(single["reading"], kennis, L).endswith("meest gekozen: " + kennis[2])  # one label: as it is


def test_discuss_key_puts_polarised_before_mixed_before_agreed():
    assert reading.discuss_key("polarised", 0.5, 0.8) < reading.discuss_key("mixed", 0.2, 0.1)
    assert reading.discuss_key("mixed", 0.74, 0.1) < reading.discuss_key("agreed", 0.75, 0.5)
