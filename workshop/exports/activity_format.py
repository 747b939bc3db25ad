"""The activities in the exports: rows for CSV and XLSX (challenges, ideas, steps from ideas) and the report's page.

Texts written by people (ideas, challenges) stay text: the CSV defuses them (csv_format.csv_cell),
the workbook stores every text cell as a string (xlsx_format.as_text), the report escapes them (Jinja).
"""
from __future__ import annotations

import csv
import io
from typing import Any, Mapping

from workshop.exports.csv_format import csv_cell

ACTIVITY_COLUMNS = ("session_code", "kind", "id", "text", "group", "count", "share", "status", "merged_into",
                    "dots", "authors", "prompt", "idea")


def activity_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """Challenges (room and per discipline group), ideas and steps, in ACTIVITY_COLUMNS order."""
    code = summary["session"]["code"]
    rows: list[list[Any]] = []
    challenges = summary.get("challenges") or {"items": [], "by_discipline": []}
    for group, part in [("", challenges)] + [(g["group"], g) for g in challenges.get("by_discipline") or []]:
        for item in part["items"]:
            rows.append([code, "challenge", item["id"], item["text"], group, item["count"], item["share"],
                         "", "", "", "", "", ""])
    for idea in summary.get("ideas") or []:
        rows.append([code, "idea", idea["id"], idea["text"], "", "", "", idea["status"], idea["merged_into"] or "",
                     idea["dots"], idea["authors"], idea["prompt"], ""])
    for n, step in enumerate(summary["steps"], start=1):
        rows.append([code, "step", n, step["what"], "", "", "", "", "", "", "", "", step.get("idea") or ""])
    return rows


def to_activity_csv(summary: Mapping[str, Any]) -> str:
    """The activities as CSV (RFC 4180), every text cell defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ACTIVITY_COLUMNS)
    writer.writerows([csv_cell(value) for value in row] for row in activity_rows(summary))
    return out.getvalue()


def sheet_rows(summary: Mapping[str, Any], L: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The workbook's sheet of challenges and ideas: header and rows (the labels in the session language)."""
    header = [L["kind"], L["text"], L["group"], L["count"], L["share"], L["status"], L["dots"], L["idea_prompt"]]
    rows: list[list[Any]] = []
    challenges = summary.get("challenges") or {"items": [], "by_discipline": []}
    for group, part in [(L["everyone"], challenges)] + [
            (L["other"] if g["group"] == "other" else g["group"], g) for g in challenges.get("by_discipline") or []]:
        for item in part["items"]:
            rows.append([L["challenge"], item["text"], group, item["count"], item["share"], None, None, None])
    for idea in summary.get("ideas") or []:
        rows.append([L["idea"], idea["text"], None, None, None, L["idea_status"][idea["status"]], idea["dots"],
                     idea["prompt_text"]])
    return header, rows


def report_part(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What the report's page "Challenges and first steps" shows: the ranking, the top ideas, steps with their idea."""
    challenges = summary.get("challenges") or {"respondents": 0, "items": []}
    ideas = [i for i in summary.get("ideas") or [] if i["status"] == "approved"]
    by_id = {i["id"]: i["text"] for i in summary.get("ideas") or []}
    top = sorted((i for i in ideas if i["dots"]), key=lambda i: (-i["dots"], i["id"]))[:10]
    steps = [dict(step, idea_text=by_id.get(step.get("idea"))) for step in summary["steps"]]
    return {"respondents": challenges["respondents"], "challenges": challenges["items"] if challenges["respondents"] else [],
            "by_discipline": challenges.get("by_discipline") or [], "top_ideas": top, "ideas": len(ideas),
            "steps": steps}
