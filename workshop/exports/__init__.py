"""Session exports: the summary as JSON, CSV, XLSX and a self-contained HTML report.

Every format is rendered from the summary dict (workshop/core/summary.py), so the web
downloads, the shared report link and `workshop export` (workshop/cli.py) give the same
content. `load` reads a summary from the store; one module per format renders it; `labels`
words it from the gettext catalog in the session's language.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from workshop.core.questionnaire import Questionnaire
from workshop.exports.activity_format import to_activity_csv
from workshop.exports.csv_format import BOM, CSV_COLUMNS, csv_cell, to_csv
from workshop.exports.formats import CSV, HTML, JSON, XLSX, Format
from workshop.exports.html_format import REPORT_CSP, report_context, to_html
from workshop.exports.json_format import to_json
from workshop.exports.load import load_summary
from workshop.exports.shared import headline_phase
from workshop.exports.xlsx_format import to_xlsx

__all__ = ["CSV_COLUMNS", "FORMATS", "REPORT_CSP", "csv_cell", "filename", "headline_phase", "load_summary",
           "render", "report_context", "to_csv", "to_html", "to_json", "to_xlsx"]

# Each renderer takes (summary, questionnaire, time zone) and returns text or bytes.
FORMATS: Mapping[str, Format] = MappingProxyType({
    "json": Format(JSON, "json", lambda summary, _q, _tz: to_json(summary)),
    "csv": Format(CSV, "csv", lambda summary, _q, tz: to_csv(summary, tz)),
    "xlsx": Format(XLSX, "xlsx", lambda summary, _q, tz: to_xlsx(summary, tz)),
    "html": Format(HTML, "html", lambda summary, q, _tz: to_html(summary, q)),
    "activities": Format(CSV, "activities.csv", lambda summary, _q, _tz: to_activity_csv(summary)),  # challenges, ideas, steps
})


def render(summary: Mapping[str, Any], fmt: str, questionnaire: Questionnaire, time_zone: str = "UTC") -> bytes:
    """One format of the summary as bytes (text formats in UTF-8, a CSV with a BOM); times in time_zone."""
    body = FORMATS[fmt].render(summary, questionnaire, time_zone)
    if isinstance(body, str) and FORMATS[fmt].media_type == CSV:
        body = BOM + body
    return body.encode("utf-8") if isinstance(body, str) else body


def filename(summary: Mapping[str, Any], fmt: str) -> str:
    """The download name: digitaal-dna-<code>-<session date>.<ext>."""
    session = summary["session"]
    return f"digitaal-dna-{session['code']}-{session['created_at'][:10]}.{FORMATS[fmt].extension}"
