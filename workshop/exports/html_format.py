"""The printable one-page HTML report (inline CSS and SVG, no scripts, nothing loaded from elsewhere).

No Flask here: the report has its own Jinja environment, escaping every value.
"""
from __future__ import annotations

import functools
from types import MappingProxyType
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, select_autoescape

from workshop.exports.activity_format import report_part
from workshop import settings
from workshop.core.questionnaire import Questionnaire
from workshop.core.stats import median_means_something
from workshop.exports.labels import long_date, number, percent, summary_labels
from workshop.exports.reading_text import verdict_text
from workshop.exports.shared import headline_phase, lookups, phase_name
from workshop.exports import strip_svg
from workshop.exports.publication_view import publication

# The report is one page with inline styles and SVG: nothing else may load, no script may run.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")
# Okabe & Ito (2008) colour-blind-safe colours; every mark also carries text.
PALETTE = MappingProxyType({"latest": "#0072B2", "first": "#56B4E9", "track": "#E9EEF3", "marked": "#D55E00"})


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    """A Jinja environment of its own (no Flask needed), escaping every value."""
    return Environment(loader=FileSystemLoader(str(settings.ROOT / "templates")),
                       autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)


def to_html(summary: Mapping[str, Any], questionnaire: Questionnaire) -> str:
    """The printable one-page report (inline CSS and SVG, no scripts, nothing loaded from elsewhere)."""
    return _environment().get_template("report.html").render(report_context(summary, questionnaire))


def report_context(summary: Mapping[str, Any], questionnaire: Questionnaire) -> dict[str, Any]:
    """Everything the report template shows, already worded and measured."""
    L = summary_labels(summary)
    lang = summary["session"]["language"]
    r = summary["results"]
    questions, _options, _people = lookups(summary)
    several_rounds = any(q["round"] > 1 for q in summary["questions"])
    return {
        "L": L,
        "lang": lang,
        "palette": PALETTE,
        "title": summary["session"]["title"],
        "date": long_date(summary["session"]["created_at"], lang),
        "code": summary["session"]["code"],
        "questionnaire": summary["session"]["questionnaire"],
        "joined": r["joined"],
        "complete": r["complete"],
        "outcome": _outcome(summary, questionnaire, lang),
        "ladder": _ladder(summary),
        "phase_rows": _phase_rows(summary, several_rounds),
        "strip": strip_svg.strip(summary, L, lang),
        "several_rounds": several_rounds,
        "changed_phase": r["changed_phase"],
        "questions": [_question_view(q, summary["notes"]["questions"].get(q["id"], ""), L, lang)
                      for q in summary["questions"]],
        "discuss_first": [_discuss_item(questions[qid], L) for qid in r["discuss_first"]],
        "disciplines": _discipline_rows(summary, L, lang),
        "min_group_size": summary["min_group_size"],
        "general_note": summary["notes"]["general"],
        "steps": summary["steps"],
        "activities": report_part(summary),
        "attribution": summary["attribution"],
        "generated": L["generated"].format(date=long_date(summary["generated_at"], lang)),
    }


def _outcome(summary: Mapping[str, Any], questionnaire: Questionnaire, lang: str) -> dict[str, Any] | None:
    """The headline phase: the agreed one, else the group's (provisional), with its texts."""
    r = summary["results"]
    phase_id = headline_phase(summary)
    phase = questionnaire.phase(phase_id) if phase_id else None
    if phase is None:
        return None
    return {
        "kind": "consensus" if r["consensus_phase"] else "group",
        "number": phase.number,
        "name": phase.name.get(lang),
        "theme": phase.theme.get(lang),
        "description": phase.description.get(lang),
        "closing": phase.closing.get(lang),
        "recognise": phase.recognise.get(lang),
        "tips": phase.tips.get(lang),
        "median_total": number(r["median_total"], lang),
        "agreed_total": r["agreed_total"],
        "max_total": r["max_total"],
        "provisional": r["provisional"],
        "split": strip_svg.split(summary, summary_labels(summary)),
        # the agreed phase's tools and experience (issue 12); not for a provisional group phase
        "publication": publication(phase, lang, summary_labels(summary)) if r["consensus_phase"] else None,
    }


def _ladder(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The four phases as rising steps, the headline phase marked."""
    marked = headline_phase(summary)
    return [{"name": p["name"], "marked": p["id"] == marked, "x": 5 + i * 150, "y": 100 - i * 25,
             "height": 30 + i * 25} for i, p in enumerate(summary["phases"])]


def _phase_rows(summary: Mapping[str, Any], several_rounds: bool) -> list[dict[str, Any]]:
    """People per phase (latest answers, and the first round when there were more)."""
    r = summary["results"]
    marked = headline_phase(summary)
    complete = r["complete"]
    first_total = sum(r["first_round_phase_counts"].values())
    rows = []
    for p in summary["phases"]:
        n, first = r["phase_counts"][p["id"]], r["first_round_phase_counts"][p["id"]]
        rows.append({
            "name": p["name"], "marked": p["id"] == marked,
            "bars": [_bar(n, n / complete if complete else 0.0, "latest")]
            + ([_bar(first, first / first_total if first_total else 0.0, "first")] if several_rounds else []),
        })
    return rows


def _bar(count: int, share: float, kind: str) -> dict[str, Any]:
    """One bar: its count, its percentage text and its width in a 0-100 box."""
    return {"count": count, "pct": percent(share), "width": round(share * 100, 2), "colour": PALETTE[kind]}


def _question_view(q: Mapping[str, Any], note: str, L: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A question's spread per round, its measures and the agreed answer."""
    agreed = next((o["label"] for o in q["options"] if o["id"] == q["agreed"]), None)
    rounds = []
    for i, rnd in enumerate(q["rounds"]):
        st = rnd["stats"]
        rounds.append({
            "round": rnd["round"],
            "answered": L["answered_of"].format(n=st["n"], joined=st["joined"]),
            "measure": _measure(st, q, L),
            # marked only where a median means something (not on a two-option question: issue 21)
            "median_rank": st["median_rank"] if st["shown"] and median_means_something(len(q["options"])) else None,
            "bars": [_bar(c, s, "latest" if i == len(q["rounds"]) - 1 else "first")
                     for c, s in zip(st["counts"], st["shares"])],
        })
    return {
        "number": q["number"], "short": q["short"], "text": q["text"], "agreed": agreed,
        "options": [{"label": o["label"], "points": o["points"], "agreed": o["id"] == q["agreed"]}
                    for o in q["options"]],
        "rounds": rounds, "note": note,
    }


def _discuss_item(q: Mapping[str, Any], L: Mapping[str, Any]) -> dict[str, Any]:
    """A question in the discuss-first list with its latest round's verdict."""
    return {"number": q["number"], "short": q["short"], "measure": _measure(q["rounds"][-1]["stats"], q, L)}


def _measure(st: Mapping[str, Any], q: Mapping[str, Any], L: Mapping[str, Any]) -> str:
    """A round's verdict and the figure it rests on in words, or why there are none."""
    return verdict_text(st, [o["label"] for o in q["options"]], L)


def _discipline_rows(summary: Mapping[str, Any], L: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Per discipline group: size, median total, phase and agreement per question."""
    rows = []
    for g in summary["disciplines"]:
        rows.append({
            "group": L["other"] if g["group"] == "other" else g["group"],
            "n": g["n"],
            "median_total": number(g["median_total"], lang),
            "phase": phase_name(summary, g["phase"]) or "–",
            "agreement": [percent(g["questions"][q["id"]]["agreement"]) for q in summary["questions"]],
        })
    return rows
