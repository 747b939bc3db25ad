"""The comparison report (schema workshop.comparison/1): loaded from the store, rendered as JSON, HTML or XLSX.

The arithmetic is in workshop/core/comparison.py; this module loads each session's summary
(exports/load.py), words the report from the gettext catalog and renders it. Texts typed by
people (titles, organisations, steps) go into the workbook as text, never as formulas.
"""
from __future__ import annotations

import functools
import io
import json
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from workshop.core.comparison import build_comparison
from workshop.core.questionnaire import Questionnaire
from workshop.exports.formats import HTML, JSON, XLSX, Format
from workshop.exports.html_format import PALETTE, _environment
from workshop.exports.labels import labels, long_date, number, percent, translations
from workshop.exports.load import load_summary
from workshop.exports.xlsx_format import _Rows, _write

if TYPE_CHECKING:  # the store is read through exports/load.py
    from workshop.store.sqlite import Store

def load_comparison(store: "Store", questionnaire: Questionnaire, codes: Sequence[str], *, by: str, now: str,
                    language: str | None = None, min_group_size: int = 3) -> dict[str, Any] | None:
    """Build the comparison of stored sessions, or None when a code is unknown."""
    summaries = []
    for code in codes:
        summary = load_summary(store, questionnaire, code, now=now, include_nicknames=False,
                               min_group_size=min_group_size, language=language)
        if summary is None:
            return None
        language = language or summary["session"]["language"]
        summaries.append(summary)
    return build_comparison(summaries, by=by, generated_at=now, language=language)


@functools.lru_cache(maxsize=8)
def compare_labels(lang: str) -> Mapping[str, Any]:
    """The comparison report's own words in one language, with the session report's."""
    _ = translations(lang).gettext
    return MappingProxyType({
        **labels(lang),
        "comparison": _("Digitaal DNA comparison"),
        "by_session": _("One column per session, oldest first."),
        "by_organisation": _("One column per organisation: its latest session."),
        "session": _("Session"), "organisation": _("Organisation"), "earlier": _("Earlier sessions"),
        "headline": _("Phase"), "agreed_phase": _("Agreed phase"), "group_phase_short": _("Group phase (median)"),
        "change": _("Change"), "phase_up": _("{n} phase(s) further"), "phase_down": _("{n} phase(s) back"),
        "phase_same": _("same phase"), "carried": _("Steps from last time"),
        "statuses": MappingProxyType({"done": _("done"), "partly": _("partly"), "not_yet": _("not yet"),
                                      None: _("not judged")}),
        "agreement_short": _("agreement"),
    })


def phase_change_text(delta: int | None, L: Mapping[str, Any]) -> str:
    """How far the headline phase moved from the previous column, in words."""
    if delta is None:
        return "–"
    if delta == 0:
        return L["phase_same"]
    return (L["phase_up"] if delta > 0 else L["phase_down"]).format(n=abs(delta))


def html_context(comparison: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the comparison template shows, worded in the comparison's language."""
    lang = comparison["language"]
    L = compare_labels(lang)
    names = {p["id"]: p["name"] for p in comparison["phases"]}
    columns = [{**c, "date_text": long_date(c["date"], lang),
                "heading": c["organisation"] or c["title"],
                "headline_name": names.get(c["headline_phase"]) or "–",
                "group_name": names.get(c["group_phase"]) or "–",
                "agreed_name": names.get(c["consensus_phase"]) or "–",
                "median_text": number(c["median_total"], lang)} for c in comparison["columns"]]
    return {"L": L, "lang": lang, "palette": PALETTE, "c": comparison, "columns": columns,
            "names": names, "percent": percent, "number": lambda v: number(v, lang),
            "changes": ["–"] + [phase_change_text(d, L) for d in comparison["phase_changes"]],
            "generated": L["generated"].format(date=long_date(comparison["generated_at"], lang))}


def to_html(comparison: Mapping[str, Any]) -> str:
    """The printable comparison (A4 landscape; inline CSS, no scripts, nothing loaded from elsewhere)."""
    return _environment().get_template("comparison.html").render(html_context(comparison))


def to_json(comparison: Mapping[str, Any]) -> str:
    """The comparison as JSON text, indented, UTF-8 characters as they are."""
    return json.dumps(comparison, ensure_ascii=False, indent=2) + "\n"


def option_label(row: Mapping[str, Any], cell: Mapping[str, Any] | None, key: str) -> str:
    """The label of a cell's option by rank (median_rank) or by id (agreed), '–' for none."""
    if cell is None or cell.get(key) is None:
        return "–"
    if key == "median_rank":  # an option's rank is its place in the list
        return row["options"][cell[key]]["label"]
    return next((o["label"] for o in row["options"] if o["id"] == cell[key]), "–")


def to_xlsx(comparison: Mapping[str, Any]) -> bytes:
    """The comparison as a workbook: phases and steps per column, then per question its spread and agreement."""
    from openpyxl import Workbook

    L = compare_labels(comparison["language"])
    names = {p["id"]: p["name"] for p in comparison["phases"]}
    columns = comparison["columns"]
    wb = Workbook()
    wb.properties.title, wb.properties.creator = L["comparison"], "workshop"
    overview = wb.active
    overview.title = L["sheets"][0]
    rows = _Rows()
    for label, key in ((L["title"], "title"), (L["organisation"], "organisation"), (L["code"], "code"),
                       (L["date"], "date"), (L["participants"], "joined"), (L["complete"], "complete"),
                       (L["median_total"], "median_total")):
        rows.add(label, *[c[key] for c in columns])
    for label, key in ((L["agreed_phase"], "consensus_phase"), (L["group_phase_short"], "group_phase"),
                       (L["headline"], "headline_phase")):
        rows.add(label, *[names.get(c[key]) for c in columns], bold=key == "headline_phase")
    rows.add(L["change"], "–", *[phase_change_text(d, L) for d in comparison["phase_changes"]])
    for phase in comparison["phases"]:
        rows.add(f"{L['people']}: {phase['name']}", *[c["phase_counts"].get(phase["id"], 0) for c in columns])
    for status in ("done", "partly", "not_yet"):
        rows.add(f"{L['carried']}: {L['statuses'][status]}", *[c["step_tally"][status] for c in columns])
    rows.add(L["steps"], *["\n".join(step_line(s, L) for s in c["steps"]) for c in columns])
    _write(overview, [L["item"], *[c["organisation"] or c["title"] for c in columns]], rows,
           wrap=set(range(2, len(columns) + 2)))
    sheet = wb.create_sheet(L["questions"])
    qrows = _Rows()
    for row in comparison["questions"]:
        qrows.add(f"{row['number']}. {row['short']}", bold=True)
        for index, option in enumerate(row["options"]):
            qrows.add(option["label"], *[None if c is None or c["counts"] is None else c["counts"][index]
                                         for c in row["cells"]])
        qrows.add(L["agreement_col"], *[None if c is None else c["agreement"] for c in row["cells"]],
                  number_format="0%")
        qrows.add(L["agreed_answer"], *[option_label(row, c, "agreed") for c in row["cells"]])
    _write(sheet, [L["question"], *[c["organisation"] or c["title"] for c in columns]], qrows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def step_line(step: Mapping[str, Any], L: Mapping[str, Any]) -> str:
    """One step as a line of text: what, who, by when, and what became of a carried-over one."""
    parts = [step["what"], step.get("who") or "", step.get("due") or ""]
    text = " · ".join(p for p in parts if p)
    return f"{text} ({L['statuses'][step.get('status')]})" if step.get("carried") else text


# Each renderer takes the comparison and returns text or bytes.
FORMATS: Mapping[str, Format] = MappingProxyType({
    "json": Format(JSON, "json", to_json), "xlsx": Format(XLSX, "xlsx", to_xlsx), "html": Format(HTML, "html", to_html),
})


def render(comparison: Mapping[str, Any], fmt: str) -> bytes:
    """One format of the comparison as bytes."""
    body = FORMATS[fmt].render(comparison)
    return body.encode("utf-8") if isinstance(body, str) else body


def filename(comparison: Mapping[str, Any], fmt: str) -> str:
    """The download name: digitaal-dna-comparison-<first date>-<last date>.<ext>."""
    dates = [c["date"][:10] for c in comparison["columns"]]
    return f"digitaal-dna-comparison-{min(dates)}-{max(dates)}.{FORMATS[fmt].extension}"
