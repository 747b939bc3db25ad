"""The raw answers as CSV, every text cell defused against formula injection (OWASP).

The column names are identifiers (like the JSON's keys), the same in every language, so
scripts can read any session's file; the cells hold the texts in the session language.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Mapping

from workshop.core.localtime import to_local
from workshop.exports.shared import lookups

CSV_COLUMNS = ("session_code", "participant", "nickname", "discipline", "question_id", "question", "round",
               "option_id", "option", "points", "answered_at", "time_zone")
BOM = "\ufeff"  # put before a CSV file's text (exports.render): Excel then reads it as UTF-8 (docs/decisions.md)
# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# ...also after a semicolon: a Dutch Excel opens a comma-separated file split at semicolons.
FORMULA_AFTER_SEMICOLON = re.compile(r"(?<=;)(?=[=+\-@\t\r])")


def answer_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """One row per participant, question and round, in CSV_COLUMNS order."""
    questions, options, people = lookups(summary)
    code = summary["session"]["code"]
    rows = []
    for a in summary["answers"]:
        person = people[a["participant"]]
        option = options[(a["question"], a["option"])]
        rows.append([code, a["participant"], person["nickname"] or "", person["discipline"] or "", a["question"],
                     questions[a["question"]]["short"], a["round"], a["option"], option["label"], a["points"],
                     a["answered_at"]])
    return rows


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs: text that could start a formula gets a leading apostrophe; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    if ";" in value:
        value = FORMULA_AFTER_SEMICOLON.sub("'", value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def to_csv(summary: Mapping[str, Any], time_zone: str = "UTC") -> str:
    """The raw answers as CSV (RFC 4180: CRLF line ends, quotes where needed), every text cell defused.

    `answered_at` is the local time in time_zone with its UTC offset (ISO 8601), `time_zone` names the zone.
    The text has no BOM; the file does (exports.render).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in answer_rows(summary):
        row[-1] = to_local(row[-1], time_zone).isoformat(timespec="seconds")
        writer.writerow([csv_cell(value) for value in row] + [time_zone])
    return out.getvalue()
