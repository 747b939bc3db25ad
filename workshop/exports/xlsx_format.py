"""The summary as a workbook: summary, statistics per round, raw answers, notes and steps.

Every text cell is stored as a string, never a formula or an error value (formula injection).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from typing import Any, Mapping

from workshop.core.localtime import to_local
from workshop.exports.activity_format import sheet_rows
from workshop.exports.csv_format import answer_rows
from workshop.exports.labels import summary_labels
from workshop.exports.reading_text import verdict_text
from workshop.exports.shared import lookups, phase_name


def to_xlsx(summary: Mapping[str, Any], time_zone: str = "UTC") -> bytes:
    """The summary as a workbook: summary, statistics per round, raw answers, notes and steps (times in time_zone)."""
    from openpyxl import Workbook  # imported here: only exports need it

    L = summary_labels(summary)
    wb = Workbook()
    wb.properties.title = f"{L['report']}: {summary['session']['title']}"
    wb.properties.creator = "workshop"
    made = datetime.fromisoformat(summary["generated_at"]).astimezone(timezone.utc).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = made  # not the clock: one summary, one file
    sheets = [wb.active] + [wb.create_sheet() for _ in L["sheets"][1:]]
    for sheet, title in zip(sheets, L["sheets"]):
        sheet.title = title
    _summary_sheet(sheets[0], summary, L, time_zone)
    _questions_sheet(sheets[1], summary, L)
    _answers_sheet(sheets[2], summary, L, time_zone)
    _notes_sheet(sheets[3], summary, L)
    header, rows = sheet_rows(summary, L)
    _write(sheets[4], header, rows, wrap={2}, formats={5: "0%"})
    out = io.BytesIO()
    wb.save(out)
    return same_dates(out.getvalue(), made)


def same_dates(workbook: bytes, made: datetime) -> bytes:
    """The workbook with every part of its zip dated `made`: the same summary gives the same bytes, whenever."""
    stamp = (max(made.year, 1980), made.month, made.day, made.hour, made.minute, made.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=stamp)
            part.compress_type = info.compress_type
            part.external_attr = info.external_attr
            content = source.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps `modified` with the clock as it saves
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + f"{made:%Y-%m-%dT%H:%M:%SZ}".encode(),
                                 content)
            target.writestr(part, content)
    return out.getvalue()


class _Rows:
    """Rows for a sheet, with the ones to show bold and the number format of others."""

    def __init__(self) -> None:
        """Start empty."""
        self.rows: list[list[Any]] = []
        self.bold: set[int] = set()
        self.formats: dict[int, str] = {}

    def add(self, *values: Any, bold: bool = False, number_format: str | None = None) -> None:
        """Add a row (below the header row)."""
        self.rows.append(list(values))
        if bold:
            self.bold.add(len(self.rows) + 1)
        if number_format:
            self.formats[len(self.rows) + 1] = number_format


def _summary_sheet(ws, summary: Mapping[str, Any], L: Mapping[str, Any], time_zone: str) -> None:
    """Key facts, participants per phase, discuss-first order and the discipline view."""
    s, r = summary["session"], summary["results"]
    questions, _options, _people = lookups(summary)
    q = s["questionnaire"]
    rows = _Rows()
    rows.add(L["title"], s["title"])
    rows.add(L["code"], s["code"])
    rows.add(L["date"], f"{to_local(s['created_at'], time_zone):%Y-%m-%d}")
    rows.add(L["questionnaire"], f"{q['title']} ({q['id']} v{q['version']})")
    rows.add(L["language"], L["language_name"])
    rows.add(L["stage"], L["stages"].get(s["stage"], s["stage"]))
    rows.add(L["participants"], r["joined"])
    rows.add(L["complete"], r["complete"])
    rows.add(L["median_total"], r["median_total"], number_format="0.0")
    rows.add(L["group_phase"], phase_name(summary, r["group_phase"]) or L["none"])
    rows.add(L["agreed_total"], r["agreed_total"])
    rows.add(L["consensus_phase"], phase_name(summary, r["consensus_phase"]) or f"{L['none']} ({L['provisional']})")
    rows.add(L["changed_phase"], r["changed_phase"])
    rows.add()
    rows.add(L["phase"], L["latest"], L["first_round"], bold=True)
    for p in summary["phases"]:
        rows.add(p["name"], r["phase_counts"][p["id"]], r["first_round_phase_counts"][p["id"]])
    rows.add()
    rows.add(L["discuss_first"], L["verdict"], bold=True)  # the order follows the verdicts (issue 12)
    for qid in r["discuss_first"]:
        question = questions[qid]
        rows.add(f"{question['number']}. {question['short']}",
                 verdict_text(question["rounds"][-1]["stats"], [o["label"] for o in question["options"]], L))
    rows.add()
    rows.add(L["group"], L["people"], L["median_total"], L["phase"], bold=True)
    for g in summary["disciplines"]:
        rows.add(L["other"] if g["group"] == "other" else g["group"], g["n"], g["median_total"],
                 phase_name(summary, g["phase"]), number_format="0.0")
    _write(ws, [L["item"], L["value"]], rows, wrap={2})


def _questions_sheet(ws, summary: Mapping[str, Any], L: Mapping[str, Any]) -> None:
    """One row per question, round and option: count, share and that round's measures."""
    header = [L["number"], L["question"], L["round"], L["option"], L["points"], L["count"], L["share"],
              L["answered"], L["joined"], L["agreement_col"], L["consensus_col"], L["vde_col"], L["verdict"],
              L["median"].capitalize(), L["agreed_answer"]]
    rows = []
    for q in summary["questions"]:
        for rnd in q["rounds"]:
            st = rnd["stats"]
            for rank, (option, count, share) in enumerate(zip(q["options"], st["counts"], st["shares"])):
                rows.append([
                    q["number"], q["short"], rnd["round"], option["label"], option["points"], count, share,
                    st["n"], st["joined"], st["agreement"], st["consensus"], st["van_der_eijk"],
                    L["verdicts"][st["verdict"]] if st["verdict"] else None,
                    L["yes"] if st["median_rank"] == rank else None,
                    L["yes"] if q["agreed"] == option["id"] and rnd["round"] == q["round"] else None,
                ])
    _write(ws, header, rows, wrap={2, 4}, formats={7: "0%", 10: "0.00", 11: "0.00", 12: "0.00"})


def _answers_sheet(ws, summary: Mapping[str, Any], L: Mapping[str, Any], time_zone: str) -> None:
    """The raw answers, one row per participant, question and round."""
    questions, _options, _people = lookups(summary)
    header = [L["participant"], L["nickname"], L["discipline"], L["number"], L["question"], L["round"],
              L["option"], L["points"], L["answered_at"].format(zone=time_zone)]
    rows = []
    for row in answer_rows(summary):
        _code, pid, nickname, discipline, qid, short, rnd, _oid, label, points, at = row
        stamp = to_local(at, time_zone).replace(tzinfo=None)  # Excel has no time zones; the header names it
        rows.append([pid, nickname or None, discipline or None, questions[qid]["number"], short, rnd, label, points,
                     stamp])
    _write(ws, header, rows, wrap={7}, formats={9: "yyyy-mm-dd hh:mm:ss"})


def _notes_sheet(ws, summary: Mapping[str, Any], L: Mapping[str, Any]) -> None:
    """The general note, a note per question, then the first small steps."""
    notes = summary["notes"]
    rows = _Rows()
    rows.add(L["general_note"], notes["general"] or None)
    for q in summary["questions"]:
        rows.add(f"{q['number']}. {q['short']}", notes["questions"].get(q["id"]) or None)
    rows.add()
    rows.add(L["steps"], bold=True)
    rows.add(L["what"], L["who"], L["due"], bold=True)
    for step in summary["steps"]:
        carried = f"{L['from_last_time']}: {L['step_statuses'][step['status']]}" if step.get("carried") else None
        rows.add(step["what"], step["who"], step["due"], *([carried] if carried else []))
    _write(ws, [L["topic"], L["note"]], rows, wrap={1, 2})


def as_text(cell) -> None:
    """Keep a text cell text: openpyxl would store '=…' as a formula and '#N/A' as an error."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _write(ws, header: list[str], rows: "_Rows | list[list[Any]]", *, wrap: set[int] = frozenset(),
           formats: Mapping[int, str] | None = None) -> None:
    """Write a bold, frozen header and the rows; size columns to their content (columns count from 1)."""
    from openpyxl.styles import Alignment, Font

    ws.append(header)
    for row in rows.rows if isinstance(rows, _Rows) else rows:
        ws.append(row)
    bold_rows = {1} | (rows.bold if isinstance(rows, _Rows) else set())
    row_formats = rows.formats if isinstance(rows, _Rows) else {}
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # printed: as wide as the page, as long as needed
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            as_text(cell)
            if cell.row in bold_rows:
                cell.font = Font(name="Calibri", size=11, bold=True)  # the workbook's default font, bold
            if cell.value is None:
                continue
            number_format = row_formats.get(cell.row) or (formats or {}).get(cell.column) if cell.row > 1 else None
            if number_format and isinstance(cell.value, (float, datetime)):
                cell.number_format = number_format
            if cell.column in wrap or cell.row == 1:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            length = 19 if isinstance(cell.value, datetime) else max(len(line) for line in str(cell.value).split("\n"))
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    widths = {column: min(max(width + 2, 8), 60) for column, width in widths.items()}
    for column, width in widths.items():
        ws.column_dimensions[ws.cell(row=1, column=column).column_letter].width = width
    for row in ws.iter_rows(min_row=2):  # wrapped text: tall enough rows, as not every program sizes them
        lines = max((sum(-(-len(line) // (widths[c.column] - 1)) or 1 for line in str(c.value).split("\n"))
                     for c in row if c.value is not None and c.column in wrap), default=1)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * lines
