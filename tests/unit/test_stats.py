"""Unit tests for workshop.core.stats, against hand-computed values (arithmetic in comments)."""

from __future__ import annotations

import ast
import dataclasses
import json
import sys
from pathlib import Path

import pytest

from workshop.core import stats

# ---------------------------------------------------------------------------
# Hand-computed vectors.  Ranks are 0..k-1.  Leik: F_i = cumulative share up to
# category i (i = 1..k-1), d_i = F_i if F_i <= 0.5 else 1 - F_i,
# D = 2/(k-1) * sum d_i.  Tastle & Wierman: Cns = 1 + sum p_i*log2(1-|i-mu|/(k-1)).
# ---------------------------------------------------------------------------

VECTORS = [
    # (counts, D, Cns, A, verdict, median_rank, top_share)
    pytest.param(
        # unanimous: F = 0, 1, 1 -> d = 0, 0, 0 -> D = 0
        # mu = 1; only p_1 = 1 with log2(1 - 0/3) = 0 -> Cns = 1
        # one layer, pattern 0100, S = 1 -> A = U*(1 - 0/3) = 1 (U = 1, no triples counted)
        # top share 5/5 = 1 >= 0.75 -> agreed; cum 0, 5 -> 5 >= 2.5 at rank 1
        [0, 5, 0, 0], 0.0, 1.0, 1.0, "agreed", 1, 1.0,
        id="unanimous",
    ),
    pytest.param(
        # uniform, n = 8: F = 0.25, 0.5, 0.75 -> d = 0.25, 0.5, 0.25
        # D = (2/3) * (0.25 + 0.5 + 0.25) = 2/3
        # mu = (0+1+2+3)*2/8 = 1.5; ranks 0,3: 1 - 1.5/3 = 0.5 -> log2 = -1
        #                           ranks 1,2: 1 - 0.5/3 = 5/6 -> log2(5/6) = -0.2630344
        # Cns = 1 + 0.25*(-1 - 1) + 0.25*2*(-0.2630344) = 1 - 0.5 - 0.1315172 = 0.3684828
        # one layer 1111, S = K = 4 -> A = U*(1 - 3/3) = 0
        # top share 2/8 = 0.25; D = 0.667 < 0.8 -> mixed; cum 2, 4 -> 4 >= 4 at rank 1
        [2, 2, 2, 2], 2 / 3, 0.3684828, 0.0, "mixed", 1, 0.25,
        id="uniform-4",
    ),
    pytest.param(
        # split at the extremes, n = 6: F = 0.5, 0.5, 0.5 -> D = (2/3) * 1.5 = 1
        # mu = (0*3 + 3*3)/6 = 1.5; both ends: 1 - 1.5/3 = 0.5 -> log2 = -1
        # Cns = 1 + 0.5*(-1) + 0.5*(-1) = 0
        # one layer 1001: triples (0,1,2)=100 -, (0,1,3)=101 TDU, (0,2,3)=101 TDU,
        # (1,2,3)=001 -  -> TU = 0, TDU = 2
        # U = (2*0 - 3*2) / (2*(0+2)) = -6/4 = -1.5; S = 2: A = -1.5*(1 - 1/3) = -1
        # top share 0.5 < 0.75; D = 1 >= 0.8 -> polarised; cum 3 >= 3 at rank 0
        [3, 0, 0, 3], 1.0, 0.0, -1.0, "polarised", 0, 0.5,
        id="split-extremes",
    ),
    pytest.param(
        # two options, n = 4: F_1 = 0.25 -> D = (2/1) * 0.25 = 0.5
        # mu = 3/4 = 0.75, d_X = 1
        # rank 0: 1 - 0.75 = 0.25 -> log2 = -2       -> 0.25 * -2        = -0.5
        # rank 1: 1 - 0.25 = 0.75 -> log2 = -0.4150375 -> 0.75 * -0.4150375 = -0.3112781
        # Cns = 1 - 0.5 - 0.3112781 = 0.1887219   (= 1 - binary entropy H(0.25))
        # A undefined for k < 3 -> None
        # top share 3/4 = 0.75 >= 0.75 -> agreed; cum 1, 4 -> 4 >= 2 at rank 1
        [1, 3], 0.5, 0.1887219, None, "agreed", 1, 0.75,
        id="two-options-agreed",
    ),
    pytest.param(
        # two options 50/50: F_1 = 0.5 -> D = 2 * 0.5 = 1
        # mu = 0.5: both ranks 1 - 0.5 = 0.5 -> Cns = 1 + 0.5*(-1)*2 = 0
        # top share 0.5 < 0.75; D = 1 >= 0.8 -> polarised; cum 2 >= 2 at rank 0 (lower median)
        [2, 2], 1.0, 0.0, None, "polarised", 0, 0.5,
        id="two-options-split",
    ),
    pytest.param(
        # skewed, n = 10, shares 0.1, 0.2, 0.6, 0.1
        # F = 0.1, 0.3, 0.9 -> d = 0.1, 0.3, 0.1 -> D = (2/3) * 0.5 = 1/3
        # mu = (0*1 + 1*2 + 2*6 + 3*1)/10 = 17/10 = 1.7, d_X = 3
        # rank 0: 1 - 1.7/3 = 13/30 -> log2 = -1.2064508 -> *0.1 = -0.1206451
        # rank 1: 1 - 0.7/3 = 23/30 -> log2 = -0.3833291 -> *0.2 = -0.0766658
        # rank 2: 1 - 0.3/3 =  9/10 -> log2 = -0.1520031 -> *0.6 = -0.0912019
        # rank 3: 1 - 1.3/3 = 17/30 -> log2 = -0.8194276 -> *0.1 = -0.0819428
        # Cns = 1 - 0.3704555 = 0.6295445
        # van der Eijk layers:
        #   [1,2,6,1]: min 1, pattern 1111, weight 1*4/10 = 0.4, S = K -> A = 0; rest [0,1,5,0]
        #   [0,1,5,0]: min 1, pattern 0110, weight 1*2/10 = 0.2; triples 011 TU, 010 -, 010 -,
        #              110 TU -> TU = 2, TDU = 0, U = (2*2)/(2*2) = 1, A = 1*(1 - 1/3) = 2/3;
        #              rest [0,0,4,0]
        #   [0,0,4,0]: pattern 0010, weight 4/10 = 0.4, S = 1 -> A = 1
        #   A = 0.4*0 + 0.2*(2/3) + 0.4*1 = 2/15 + 6/15 = 8/15 = 0.5333333
        # top share 0.6 < 0.75; D = 0.333 < 0.8 -> mixed; cum 1, 3, 9 -> 9 >= 5 at rank 2
        [1, 2, 6, 1], 1 / 3, 0.6295445, 8 / 15, "mixed", 2, 0.6,
        id="skewed-4",
    ),
    pytest.param(
        # bimodal-ish, n = 6
        # cumulative counts 3, 4, 4 -> d = min(3,3), min(4,2), min(4,2) over 6 = 3/6, 2/6, 2/6
        # D = (2/3) * 7/6 = 14/18 = 7/9 = 0.7777778
        # mu = (0*3 + 1*1 + 3*2)/6 = 7/6
        # rank 0: 1 - (7/6)/3 = 11/18 -> log2 = -0.7104934 -> *3/6 = -0.3552467
        # rank 1: 1 - (1/6)/3 = 17/18 -> log2 = -0.0824614 -> *1/6 = -0.0137436
        # rank 3: 1 - (11/6)/3 = 7/18 -> log2 = -1.3625700 -> *2/6 = -0.4541900
        # Cns = 1 - 0.8231803 = 0.1768197
        # van der Eijk layers:
        #   [3,1,0,2]: min 1, pattern 1101, weight 1*3/6 = 1/2; triples (0,1,2)=110 TU,
        #              (0,1,3)=111 -, (0,2,3)=101 TDU, (1,2,3)=101 TDU -> TU = 1, TDU = 2
        #              U = (2*1 - 3*2)/(2*3) = -2/3; S = 3: A = -2/3*(1 - 2/3) = -2/9
        #              rest [2,0,0,1]
        #   [2,0,0,1]: min 1, pattern 1001, weight 2/6 = 1/3, A = -1 (see split-extremes)
        #              rest [1,0,0,0]
        #   [1,0,0,0]: pattern 1000, weight 1/6, A = 1
        #   A = (1/2)(-2/9) + (1/3)(-1) + (1/6)(1) = -1/9 - 1/3 + 1/6 = (-2-6+3)/18 = -5/18
        # top share 0.5; D = 0.778 < 0.8 -> mixed; cum 3 >= 3 at rank 0
        [3, 1, 0, 2], 7 / 9, 0.1768197, -5 / 18, "mixed", 0, 0.5,
        id="bimodal-4",
    ),
]


@pytest.mark.parametrize(
    "counts, d, cns, a, expected_verdict, med, top", VECTORS
)
def test_measure_functions(counts, d, cns, a, expected_verdict, med, top):
    """Each low-level measure matches the hand-computed value."""
    assert stats.leik_dispersion(counts) == pytest.approx(d, abs=1e-9)
    assert stats.tastle_wierman(counts) == pytest.approx(cns, abs=1e-6)
    if a is None:
        assert stats.van_der_eijk(counts) is None
    else:
        assert stats.van_der_eijk(counts) == pytest.approx(a, abs=1e-9)
    assert stats.median_rank(counts) == med
    assert stats.verdict(top, d) == expected_verdict


@pytest.mark.parametrize(
    "counts, d, cns, a, expected_verdict, med, top", VECTORS
)
def test_question_stats_vectors(counts, d, cns, a, expected_verdict, med, top):
    """question_stats wires all measures together, agreement = 1 - D."""
    q = stats.question_stats(counts, joined=12)
    n = sum(counts)
    assert q.n == n
    assert q.joined == 12
    assert q.counts == tuple(counts)
    assert q.shares == pytest.approx([c / n for c in counts])
    assert q.shown is True
    assert q.median_rank == med
    assert q.top_share == pytest.approx(top)
    assert q.dispersion == pytest.approx(d, abs=1e-9)
    assert q.agreement == pytest.approx(1 - d, abs=1e-9)
    assert q.consensus == pytest.approx(cns, abs=1e-6)
    if a is None:
        assert q.van_der_eijk is None
    else:
        assert q.van_der_eijk == pytest.approx(a, abs=1e-9)
    assert q.verdict == expected_verdict


@pytest.mark.parametrize("counts", [c.values[0] for c in VECTORS])
def test_measures_symmetric_under_reversal(counts):
    """Reversing the scale changes no dispersion/consensus/agreement value."""
    rev = list(reversed(counts))
    assert stats.leik_dispersion(rev) == pytest.approx(stats.leik_dispersion(counts))
    assert stats.tastle_wierman(rev) == pytest.approx(stats.tastle_wierman(counts))
    a, a_rev = stats.van_der_eijk(counts), stats.van_der_eijk(rev)
    assert (a is None and a_rev is None) or a_rev == pytest.approx(a)


# --- van der Eijk anchors -------------------------------------------------

@pytest.mark.parametrize("k", [3, 4, 5, 7])
def test_van_der_eijk_uniform_is_zero(k):
    """Uniform distribution: one layer with S = K -> A = U*(1 - (K-1)/(K-1)) = 0."""
    assert stats.van_der_eijk([4] * k) == pytest.approx(0.0)


@pytest.mark.parametrize("k, pos", [(3, 0), (3, 1), (3, 2), (5, 0), (5, 3), (7, 6)])
def test_van_der_eijk_single_category_is_one(k, pos):
    """All answers in one category: S = 1 -> A = 1."""
    counts = [0] * k
    counts[pos] = 9
    assert stats.van_der_eijk(counts) == pytest.approx(1.0)


@pytest.mark.parametrize("k", [3, 4, 5, 6, 7])
def test_van_der_eijk_extremes_is_minus_one(k):
    """Half at each extreme: TDU = K-2, TU = 0 -> U = -(K-1)/(K-2), A = U*(K-2)/(K-1) = -1."""
    counts = [0] * k
    counts[0] = counts[-1] = 5
    assert stats.van_der_eijk(counts) == pytest.approx(-1.0)


def test_van_der_eijk_single_layer_1101():
    """[1,1,0,1] is exactly the layer 1101 of the bimodal case: A = -2/9."""
    # TU = 1 (110), TDU = 2 (101, 101) -> U = (2*1 - 3*2)/(2*3) = -2/3
    # S = 3 -> A = -2/3 * (1 - 2/3) = -2/9 = -0.2222222
    assert stats.van_der_eijk([1, 1, 0, 1]) == pytest.approx(-2 / 9)


def test_van_der_eijk_unequal_extremes_k3():
    """[2,0,1]: layer 101 (weight 2/3) and layer 100 (weight 1/3)."""
    # layer 1: min 1, pattern 101, weight 1*2/3; K = 3: one triple 101 -> TU 0, TDU 1
    #          U = (1*0 - 2*1)/(1*1) = -2; S = 2: A = -2*(1 - 1/2) = -1; rest [1,0,0]
    # layer 2: pattern 100, weight 1/3, A = 1
    # A = (2/3)(-1) + (1/3)(1) = -1/3
    assert stats.van_der_eijk([2, 0, 1]) == pytest.approx(-1 / 3)


def test_van_der_eijk_matches_agrmt_reference_example():
    """Cross-check against the documented example of the R package agrmt (Ruedin)."""
    # agrmt::agreement(c(30,40,210,130,530,50,10)) is documented as 0.6113333
    assert stats.van_der_eijk([30, 40, 210, 130, 530, 50, 10]) == pytest.approx(
        0.6113333, abs=1e-6
    )


@pytest.mark.parametrize("counts", [[5], [1, 4], [0, 0]])
def test_van_der_eijk_none_below_three_options(counts):
    """A is only defined for k >= 3."""
    assert stats.van_der_eijk(counts) is None


# --- Leik / Tastle-Wierman extra cases and errors -------------------------

def test_leik_exactly_point_eight_two_options():
    """[2,3]: F_1 = 2/5 = 0.4 -> D = 2*0.4 = 0.8 exactly -> polarised at the boundary."""
    assert stats.leik_dispersion([2, 3]) == 0.8
    q = stats.question_stats([2, 3], joined=5)
    # top share 3/5 = 0.6 < 0.75, D = 0.8 >= 0.8
    assert q.verdict == "polarised"


def test_tastle_wierman_extreme_mean_does_not_hit_log_zero():
    """All at rank 0: mu = 0, the empty rank 3 term would be log2(0) but p = 0 -> skipped."""
    assert stats.tastle_wierman([4, 0, 0, 0]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "func", [stats.leik_dispersion, stats.tastle_wierman, stats.van_der_eijk]
)
@pytest.mark.parametrize("counts", [[0, 0, 0], [0, 0, 0, 0]])
def test_measures_raise_on_zero_total(func, counts):
    """No answers -> ValueError."""
    with pytest.raises(ValueError):
        func(counts)


@pytest.mark.parametrize("func", [stats.leik_dispersion, stats.tastle_wierman])
@pytest.mark.parametrize("counts", [[], [7]])
def test_measures_raise_below_two_options(func, counts):
    """k < 2 -> ValueError."""
    with pytest.raises(ValueError):
        func(counts)


@pytest.mark.parametrize(
    "func",
    [stats.leik_dispersion, stats.tastle_wierman, stats.van_der_eijk, stats.median_rank],
)
def test_measures_raise_on_negative_counts(func):
    """Negative counts are rejected."""
    with pytest.raises(ValueError):
        func([3, -1, 2])


# --- median_rank -----------------------------------------------------------

@pytest.mark.parametrize(
    "counts, expected",
    [
        ([5, 0, 0, 0], 0),  # cum 5 >= 2.5 at rank 0
        ([0, 0, 0, 1], 3),  # cum 0, 0, 0, 1 -> first >= 0.5 at rank 3
        ([1, 1, 1], 1),  # n = 3, half 1.5: cum 1, 2 -> rank 1
        ([1, 0, 0, 1], 0),  # n = 2, half 1: cum 1 >= 1 at rank 0 (lower median)
        ([0, 3, 0, 2], 1),  # n = 5, half 2.5: cum 0, 3 -> rank 1
        ([2, 1, 1, 4], 2),  # n = 8, half 4: cum 2, 3, 4 -> rank 2
        ([2, 1, 2, 4], 2),  # n = 9, half 4.5: cum 2, 3, 5 -> rank 2
    ],
)
def test_median_rank(counts, expected):
    """Lowest rank whose cumulative count reaches half of all answers."""
    assert stats.median_rank(counts) == expected


def test_median_rank_raises_on_zero_total():
    """No answers -> ValueError."""
    with pytest.raises(ValueError):
        stats.median_rank([0, 0, 0])


# --- verdict -----------------------------------------------------------------

@pytest.mark.parametrize(
    "top, d, expected",
    [
        (0.75, 0.0, "agreed"),  # exactly the threshold counts as agreed
        (0.7499, 0.5, "mixed"),
        (0.75, 1.0, "agreed"),  # agreed wins over polarised
        (0.5, 0.8, "polarised"),  # exactly the threshold counts as polarised
        (0.5, 0.7999, "mixed"),
        (0.7499, 0.8, "polarised"),
        (1.0, 0.0, "agreed"),
    ],
)
def test_verdict_boundaries(top, d, expected):
    """Boundaries are inclusive; 'agreed' is checked before 'polarised'."""
    assert stats.verdict(top, d) == expected


def test_verdict_thresholds_overridable():
    """Keyword thresholds replace the defaults."""
    assert stats.verdict(0.7, 0.5, agreed_top_share=0.7) == "agreed"
    assert stats.verdict(0.6, 0.5, agreed_top_share=0.7) == "mixed"
    assert stats.verdict(0.6, 0.5, polarised_dispersion=0.5) == "polarised"


def test_threshold_constants():
    """The named thresholds have the documented values."""
    assert stats.AGREED_TOP_SHARE == 0.75
    assert stats.POLARISED_DISPERSION == 0.8
    assert stats.MIN_ANSWERS == 3
    assert stats.MIN_GROUP_SIZE == 3


# --- QuestionStats ------------------------------------------------------------

def test_hidden_measures_with_two_answers():
    """n = 2 < 3: not shown, every measure None, counts and shares still present."""
    q = stats.question_stats([1, 0, 1, 0], joined=6)
    assert q.n == 2
    assert q.joined == 6
    assert q.shown is False
    assert q.counts == (1, 0, 1, 0)
    assert q.shares == pytest.approx([0.5, 0.0, 0.5, 0.0])  # 1/2, 0/2, 1/2, 0/2
    for field in (
        "median_rank", "top_share", "dispersion", "agreement",
        "consensus", "van_der_eijk", "verdict",
    ):
        assert getattr(q, field) is None, field


def test_no_answers_shares_all_zero():
    """n = 0: shares are all 0.0 and nothing is shown."""
    q = stats.question_stats([0, 0, 0], joined=4)
    assert q.n == 0
    assert q.shares == (0.0, 0.0, 0.0)
    assert q.shown is False
    assert q.verdict is None


def test_no_answers_never_shown_even_with_min_answers_zero():
    """min_answers = 0 must not make undefined measures appear (or raise)."""
    q = stats.question_stats([0, 0], joined=0, min_answers=0)
    assert q.shown is False
    assert q.dispersion is None


def test_min_answers_override():
    """With min_answers = 2, two answers are enough to show the measures."""
    q = stats.question_stats([1, 0, 1, 0], joined=6, min_answers=2)
    assert q.shown is True
    # F = 0.5, 0.5, 1 -> d = 0.5, 0.5, 0 -> D = (2/3)*1 = 2/3
    assert q.dispersion == pytest.approx(2 / 3)
    assert q.median_rank == 0  # cum 1 >= 1


def test_three_answers_is_shown():
    """n = 3 == MIN_ANSWERS is shown."""
    assert stats.question_stats([1, 1, 1], joined=3).shown is True


def test_question_stats_two_option_has_no_van_der_eijk():
    """k = 2 shown: van_der_eijk None, other measures present."""
    q = stats.question_stats([1, 3], joined=4)
    assert q.shown is True
    assert q.van_der_eijk is None
    assert q.consensus is not None


def test_question_stats_rejects_single_option():
    """A question needs at least two options."""
    with pytest.raises(ValueError):
        stats.question_stats([5], joined=5)


def test_question_stats_is_frozen():
    """QuestionStats instances are immutable."""
    q = stats.question_stats([1, 2, 6, 1], joined=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.n = 3  # type: ignore[misc]


def test_to_dict_rounded_and_json_ready():
    """to_dict rounds floats to 4 decimals and turns tuples into lists."""
    d = stats.question_stats([1, 2, 6, 1], joined=11).to_dict()
    assert d == {
        "n": 10,
        "joined": 11,
        "counts": [1, 2, 6, 1],
        "shares": [0.1, 0.2, 0.6, 0.1],
        "shown": True,
        "median_rank": 2,
        "top_share": 0.6,
        "dispersion": 0.3333,  # 1/3
        "agreement": 0.6667,  # 2/3
        "consensus": 0.6295,  # 0.6295445
        "van_der_eijk": 0.5333,  # 8/15
        "verdict": "mixed",
        "reading": {"verdict": "mixed", "n": 10, "top_count": 6, "top_pct": 60, "top_ranks": [2], "chosen": 4,
                    "camps": None},
    }
    json.dumps(d)  # must not raise


def test_to_dict_hidden():
    """Hidden stats serialise measures as None (JSON null)."""
    d = stats.question_stats([2, 0, 0], joined=5).to_dict()
    assert d["shown"] is False
    assert d["counts"] == [2, 0, 0]
    assert d["shares"] == [1.0, 0.0, 0.0]
    assert d["dispersion"] is None and d["verdict"] is None
    assert json.loads(json.dumps(d)) == d


def test_to_dict_no_negative_zero():
    """A consensus of 0 serialises as 0.0, not -0.0."""
    d = stats.question_stats([3, 0, 0, 3], joined=6).to_dict()
    assert json.dumps(d["consensus"]) == "0.0"
    assert d["van_der_eijk"] == -1.0


# --- discuss_first ------------------------------------------------------------

def test_discuss_first_orders_by_verdict_then_measure_hidden_last():
    """Polarised, then mixed, then agreed; within a class least agreement first; hidden last; ties keep input order."""
    qs = {
        "hidden_a": stats.question_stats([1, 1, 0, 0], joined=8),  # n = 2 -> hidden
        "unanimous": stats.question_stats([0, 5, 0, 0], joined=8),  # agreed, top 100%
        "split": stats.question_stats([3, 0, 0, 3], joined=8),  # polarised, D = 1
        "uniform": stats.question_stats([2, 2, 2, 2], joined=8),  # mixed, top 25%
        "skewed": stats.question_stats([1, 2, 6, 1], joined=10),  # mixed, top 60%
        "hidden_b": stats.question_stats([0, 0, 0, 0], joined=8),  # n = 0 -> hidden
        "split_too": stats.question_stats([0, 4, 4], joined=8),  # mixed, top 50%
        "uniform_too": stats.question_stats([1, 1, 1, 1], joined=8),  # mixed, top 25% (tie with uniform)
        # the example: agreed at 75% but 1 - Leik's D only 0.5; it used to come first
        "agreed_75": stats.question_stats([3, 0, 0, 1], joined=8),
        "mixed_67": stats.question_stats([1, 2, 0], joined=8),  # mixed, top 67%, 1 - D = 0.67
        "polarised_less": stats.question_stats([4, 0, 1, 5], joined=10),  # polarised, D = 0.93
    }
    assert [q for q in qs if qs[q].verdict == "polarised"] == ["split", "polarised_less"]
    assert stats.discuss_first(qs) == [
        "split",  # polarised, D = 1
        "polarised_less",  # polarised, D < 1
        "uniform",  # mixed 25%, first in input
        "uniform_too",  # mixed 25%
        "split_too",  # mixed 50%
        "skewed",  # mixed 60%
        "mixed_67",  # mixed 67%
        "agreed_75",  # agreed 75%
        "unanimous",  # agreed 100%
        "hidden_a",
        "hidden_b",
    ]


def test_discuss_first_empty():
    """No questions -> empty list."""
    assert stats.discuss_first({}) == []


# --- median_total ---------------------------------------------------------------

@pytest.mark.parametrize(
    "totals, expected",
    [
        ([], None),
        ([7], 7.0),
        ([3, 1, 2], 2.0),  # sorted 1, 2, 3 -> middle 2
        ([4, 1, 3, 2], 2.5),  # sorted 1, 2, 3, 4 -> (2 + 3)/2 = 2.5
        ([10.5, 2.0], 6.25),  # (2.0 + 10.5)/2 = 6.25
    ],
)
def test_median_total(totals, expected):
    """statistics.median, None for no totals."""
    result = stats.median_total(totals)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)
        assert isinstance(result, float)


# --- group_disciplines ------------------------------------------------------------

def test_group_disciplines_merges_small_groups():
    """4 directie stay; 2 marketing + 1 ICT + 1 none = 4 in 'other'."""
    disciplines = {
        "p1": "directie", "p2": "directie", "p3": "directie", "p4": "directie",
        "p5": "marketing", "p6": "marketing",
        "p7": "ICT",
        "p8": None,
    }
    assert stats.group_disciplines(disciplines) == {
        "p1": "directie", "p2": "directie", "p3": "directie", "p4": "directie",
        "p5": "other", "p6": "other", "p7": "other", "p8": "other",
    }


def test_group_disciplines_small_other_takes_in_the_smallest_group():
    """4 directie + 1 ICT + 1 '' -> 'other' would have 2 < 3 members. Hiding those two would not hide them
    (overall minus directie = their answers), so directie joins 'other' as well, which is then the whole
    room: no split is shown."""
    disciplines = {
        "a": "directie", "b": "directie", "c": "directie", "d": "directie",
        "e": "ICT", "f": "",
    }
    assert stats.group_disciplines(disciplines) == dict.fromkeys("abcdef")


def test_group_disciplines_other_takes_in_only_as_many_groups_as_needed():
    """hr 5, ops 3, sales 3, one without: 'other' (1) takes the smallest group by size then name (ops)."""
    disciplines = {**dict.fromkeys("abcde", "hr"), **dict.fromkeys("fgh", "ops"), **dict.fromkeys("ijk", "sales"),
                   "l": None}
    assert stats.group_disciplines(disciplines) == {
        **dict.fromkeys("abcde", "hr"), **dict.fromkeys("fgh", "other"), **dict.fromkeys("ijk", "sales"),
        "l": "other"}


def test_group_disciplines_a_room_smaller_than_the_minimum_is_not_split():
    assert stats.group_disciplines({"a": "x", "b": None}) == {"a": None, "b": None}
    assert stats.group_disciplines({"a": "x", "b": "y", "c": "z"}) == {"a": None, "b": None, "c": None}


def test_group_disciplines_exact_min_size_kept_and_custom_label():
    """A group of exactly min_size is kept; the label for merged groups is configurable."""
    disciplines = {
        "a": "hr", "b": "hr", "c": "hr",
        "d": "ops", "e": "ops",
        "f": None, "g": "sales",
    }
    # hr = 3 >= 3 kept; ops 2 + sales 1 + none 1 = 4 -> 'overig'
    assert stats.group_disciplines(disciplines, other="overig") == {
        "a": "hr", "b": "hr", "c": "hr",
        "d": "overig", "e": "overig", "f": "overig", "g": "overig",
    }


def test_group_disciplines_min_size_override():
    """min_size=2 keeps pairs; a single leftover takes the smallest pair into 'other'."""
    disciplines = {"a": "x", "b": "x", "c": "y", "d": "z", "e": "z", "f": "z"}
    # x = 2 and z = 3 kept at first; y = 1 alone in other -> x (smallest) joins it
    assert stats.group_disciplines(disciplines, min_size=2) == {
        "a": "other", "b": "other", "c": "other", "d": "z", "e": "z", "f": "z"}


def test_group_disciplines_no_other_needed_and_empty():
    """No merged participants -> no 'other'; empty input -> empty mapping."""
    assert stats.group_disciplines({"a": "x", "b": "x", "c": "x"}) == {
        "a": "x", "b": "x", "c": "x"
    }
    assert stats.group_disciplines({}) == {}


# --- module hygiene --------------------------------------------------------------

def test_stats_module_imports_only_stdlib():
    """stats.py must stay pure Python: no Flask or any third-party import."""
    tree = ast.parse(Path(stats.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert "flask" not in imported
    assert imported <= set(sys.stdlib_module_names) | {"__future__", "workshop"}
    assert all(node.module == "workshop.core" for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("workshop"))


def test_every_function_has_a_docstring():
    """Every function in stats.py carries a docstring."""
    tree = ast.parse(Path(stats.__file__).read_text(encoding="utf-8"))
    missing = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and ast.get_docstring(node) is None
    ]
    assert missing == []
