"""The printed report says a split group is split and shows one dot per person (issue 12 point 3)."""
from __future__ import annotations

import copy
import json
import re

from workshop import exports
from workshop.core.questionnaire import default as default_questionnaire
from workshop.core.spread import group_spread

from .exports_dataset import DATA

SPLIT_TOTALS = [1, 1, 3, 5, 7, 7, 8, 9]
PHASE_COUNTS = {"ik-zie": 2, "ik-wil": 1, "ik-kan": 1, "ik-doe": 4}


def fixed_summary():
    """The fixed session's summary (four people, every answer agreed)."""
    return json.loads((DATA / "summary.json").read_text(encoding="utf-8"))


def split_summary(with_new_fields: bool = True):
    """The fixed summary turned into the issue's split room: 8 people, median 6 in Ik kan, 4 in Ik doe."""
    s = copy.deepcopy(fixed_summary())
    r = s["results"]
    r.update(complete=8, median_total=6.0, group_phase="ik-kan", phase_counts=dict(PHASE_COUNTS),
             consensus_phase=None, provisional=True)
    s["participants"] = [{"id": f"P{i}", "total": t} for i, t in enumerate(SPLIT_TOTALS, 1)]
    if with_new_fields:
        r["totals"] = [SPLIT_TOTALS.count(t) for t in range(11)]
        r["spread"] = group_spread(PHASE_COUNTS, "ik-kan")
    else:
        r.pop("totals", None)
        r.pop("spread", None)
    return s


def test_the_report_of_a_split_room_says_split_with_the_largest_phases():
    html = exports.to_html(split_summary(), default_questionnaire())
    assert "Verdeeld: De meeste mensen zitten in Ik zie en Ik doe" in html
    assert "Ik kan, de fase van de mediaan, telt 1 van de 8 mensen" in html
    assert len(re.findall(r"<circle ", html)) == 8  # one dot per person
    assert "2 personen met 1 punten" in html and "▲ mediaan 6" in html


def test_a_summary_from_before_the_new_fields_gets_the_same_report():
    old = exports.to_html(split_summary(with_new_fields=False), default_questionnaire())
    new = exports.to_html(split_summary(), default_questionnaire())
    assert old == new


def test_an_agreed_room_is_not_called_split_and_still_gets_its_dots():
    html = exports.to_html(fixed_summary(), default_questionnaire())
    assert "Verdeeld:" not in html
    assert len(re.findall(r"<circle ", html)) == fixed_summary()["results"]["complete"]
