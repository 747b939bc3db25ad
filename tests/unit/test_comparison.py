"""The comparison arithmetic (workshop/core/comparison.py) on hand-made summaries."""
from __future__ import annotations

import pytest

from workshop.core.comparison import (
    COMPARISON_SCHEMA,
    NotComparable,
    build_comparison,
    change,
    step_tally,
)

PHASES = [{"id": "ik-zie", "number": 1, "name": "Ik zie"}, {"id": "ik-wil", "number": 2, "name": "Ik wil"},
          {"id": "ik-kan", "number": 3, "name": "Ik kan"}, {"id": "ik-doe", "number": 4, "name": "Ik doe"}]


def summary(code, created, *, organisation=None, group="ik-zie", agreed=None, counts=(1, 2, 0), agreement=0.5,
            median_rank=1, steps=(), questionnaire="digitaal-dna"):
    """A minimal summary of one question with three options."""
    return {
        "session": {"code": code, "title": f"Sessie {code}", "created_at": created, "language": "nl",
                    "organisation": organisation, "follows": None,
                    "questionnaire": {"id": questionnaire, "version": "1", "title": "DNA"}},
        "phases": PHASES,
        "results": {"joined": sum(counts), "complete": sum(counts), "max_total": 20, "median_total": 7,
                    "group_phase": group, "consensus_phase": agreed, "phase_counts": {"ik-zie": sum(counts)}},
        "questions": [{"id": "q1", "number": 1, "short": "Vraag", "round": 1, "agreed": None,
                       "options": [{"id": o, "label": o.upper(), "points": i} for i, o in enumerate("abc")],
                       "rounds": [{"round": 1, "stats": {"n": sum(counts), "joined": sum(counts),
                                                          "counts": list(counts), "shares": None, "shown": True,
                                                          "median_rank": median_rank, "agreement": agreement,
                                                          "verdict": "mixed"}}]}],
        "steps": list(steps),
        "attribution": {"text": "Bron", "license": "CC"},
    }


def test_columns_are_in_date_order_with_each_sessions_own_figures():
    later = summary("BBBBBB", "2025-03-02T10:00:00+00:00", group="ik-kan", counts=(0, 1, 3), agreement=0.75,
                    median_rank=2)
    first = summary("AAAAAA", "2025-03-01T10:00:00+00:00", group="ik-zie")
    data = build_comparison([later, first], generated_at="now")
    assert data["schema"] == COMPARISON_SCHEMA and data["by"] == "session"
    assert [c["code"] for c in data["columns"]] == ["AAAAAA", "BBBBBB"]
    assert [c["headline_number"] for c in data["columns"]] == [1, 3]
    assert data["phase_changes"] == [2]
    row = data["questions"][0]
    assert [cell["counts"] for cell in row["cells"]] == [[1, 2, 0], [0, 1, 3]]
    assert row["changes"] == [{"median_rank": 1, "agreement": 0.25}]


def test_the_agreed_phase_is_the_headline_once_there_is_one():
    data = build_comparison([summary("AAAAAA", "2025-01-01T00:00:00+00:00", group="ik-wil", agreed="ik-doe"),
                             summary("BBBBBB", "2025-02-01T00:00:00+00:00", group="ik-kan")], generated_at="now")
    assert [c["headline_phase"] for c in data["columns"]] == ["ik-doe", "ik-kan"]
    assert data["phase_changes"] == [-1]


def test_by_organisation_one_column_each_from_its_latest_session():
    sessions = [summary("A1AAAA", "2025-01-01T00:00:00+00:00", organisation="De Waag", group="ik-zie"),
                summary("B1BBBB", "2025-01-05T00:00:00+00:00", organisation="Bouwkunde", group="ik-wil"),
                summary("A2AAAA", "2025-06-01T00:00:00+00:00", organisation="De Waag", group="ik-kan"),
                summary("C1CCCC", "2025-02-01T00:00:00+00:00")]  # no label: a column of its own
    data = build_comparison(sessions, by="organisation", generated_at="now")
    assert [(c["key"], c["code"], c["earlier"]) for c in data["columns"]] == [
        ("Bouwkunde", "B1BBBB", []), ("session:C1CCCC", "C1CCCC", []), ("De Waag", "A2AAAA", ["A1AAAA"])]
    assert [c["group_phase"] for c in data["columns"]] == ["ik-wil", "ik-zie", "ik-kan"]


def test_a_session_named_twice_is_one_column():
    one = summary("AAAAAA", "2025-01-01T00:00:00+00:00")
    assert len(build_comparison([one, one], generated_at="now")["columns"]) == 1


def test_a_missing_figure_gives_no_change():
    assert change({"agreement": None}, {"agreement": 0.5}, "agreement") is None
    assert change(None, {"agreement": 0.5}, "agreement") is None
    assert change({"median_rank": 3}, {"median_rank": 1}, "median_rank") == -2


def test_step_tally_counts_what_became_of_carried_steps():
    steps = [{"what": "a", "carried": True, "status": "done"}, {"what": "b", "carried": True, "status": None},
             {"what": "c", "carried": True, "status": "partly"}, {"what": "d", "carried": True, "status": "done"},
             {"what": "e"}]
    assert step_tally(steps) == {"agreed": 1, "carried": 4, "done": 2, "partly": 1, "not_yet": 0, "unjudged": 1}


@pytest.mark.parametrize("summaries, by", [([], "session"),
                                           ([summary("AAAAAA", "2025-01-01T00:00:00+00:00")], "cohort"),
                                           ([summary("AAAAAA", "2025-01-01T00:00:00+00:00"),
                                             summary("BBBBBB", "2025-01-02T00:00:00+00:00", questionnaire="x")],
                                            "session")])
def test_what_cannot_be_compared_is_refused(summaries, by):
    with pytest.raises(NotComparable):
        build_comparison(summaries, by=by, generated_at="now")


def test_a_follow_up_made_in_the_same_second_comes_after_the_session_it_follows():
    same = "2025-01-01T00:00:00+00:00"
    first, second, third = (summary(code, same) for code in ("ZZZZZZ", "MMMMMM", "AAAAAA"))
    second["session"]["follows"], third["session"]["follows"] = "ZZZZZZ", "MMMMMM"
    data = build_comparison([third, first, second], generated_at="now")
    assert [c["code"] for c in data["columns"]] == ["ZZZZZZ", "MMMMMM", "AAAAAA"]
