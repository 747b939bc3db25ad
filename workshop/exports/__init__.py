"""Session exports: the summary as JSON, CSV, XLSX and a self-contained HTML report, and `workshop export`.

Every format is rendered from the summary dict (workshop/summary.py), so the
web downloads, the shared report link and the command line give the same
content. No Flask here: the report uses its own Jinja environment.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import re
import sys
from datetime import datetime
from typing import Any, Callable, Mapping

from jinja2 import Environment, FileSystemLoader, select_autoescape

from workshop import settings
from workshop.core import security, stats
from workshop.core.questionnaire import Questionnaire
from workshop.core.state import SessionState
from workshop.core.summary import build_summary
from workshop.store.sqlite import Store

FORMATS: dict[str, tuple[str, str]] = {  # format: (media type, file extension)
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "html": ("text/html; charset=utf-8", "html"),
}
CSV_COLUMNS = ("session_code", "participant", "nickname", "discipline", "question_id", "question", "round",
               "option_id", "option", "points", "answered_at")
# The report is one page with inline styles and SVG: nothing else may load, no script may run.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")
# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# ...also after a semicolon: a Dutch Excel opens a comma-separated file split at semicolons.
FORMULA_AFTER_SEMICOLON = re.compile(r"(?<=;)(?=[=+\-@\t\r])")
# Okabe & Ito (2008) colour-blind-safe colours; every mark also carries text.
PALETTE = {"latest": "#0072B2", "first": "#56B4E9", "track": "#E9EEF3", "marked": "#D55E00"}

LABELS: dict[str, dict[str, Any]] = {
    "nl": {
        "report": "Verslag Digitaal DNA-workshop",
        "date": "Datum", "code": "Code", "participants": "Deelnemers", "complete": "Alle vragen beantwoord",
        "questionnaire": "Vragenlijst", "language": "Taal", "language_name": "Nederlands",
        "consensus_phase": "Fase waar de groep het over eens is",
        "group_phase": "Fase van de groep (mediaan van de totalen)",
        "provisional": "Voorlopig: nog niet over elke vraag is een antwoord afgesproken.",
        "no_phase": "Nog geen fase: niemand heeft alle vragen beantwoord.",
        "median_total": "Mediaan van de totalen", "agreed_total": "Afgesproken totaal",
        "of_max": "{value} van {max}", "phase_n": "Fase {n}",
        "closing": "Aan het eind van deze fase kun je zeggen:",
        "recognise": "Waar staat jullie organisatie?", "tips": "Aan de slag",
        "people_per_phase": "Deelnemers per fase", "first_round": "Eerste ronde", "latest": "Laatste antwoorden",
        "changed_phase": "Van fase veranderd na een nieuwe ronde", "phase": "Fase", "people": "Mensen",
        "ladder": "De vier fasen; gemarkeerd: {name}", "you_are_here": "jullie fase",
        "questions": "Vragen", "question": "Vraag", "round_n": "Ronde {n}", "option": "Antwoord",
        "agreed_answer": "Afgesproken antwoord", "agreed_mark": "afgesproken", "median": "mediaan",
        "none_agreed": "nog niet afgesproken", "answered_of": "{n} van {joined} beantwoord",
        "agreement": "overeenstemming {pct}", "too_few": "te weinig antwoorden voor maten",
        "verdict_agreed": "Eensgezind", "verdict_mixed": "Gemengd", "verdict_polarised": "Gepolariseerd",
        "discuss_first": "Eerst bespreken",
        "discuss_help": "Van minste naar meeste overeenstemming, in de laatste ronde van elke vraag.",
        "disciplines": "Per discipline",
        "agreement_columns": "Vraag 1–{n}: overeenstemming per vraag, in de laatste antwoorden.",
        "disciplines_help": "Disciplines met minder dan {min} mensen zijn samengevoegd tot ‘Overig’; "
                            "is ook die groep te klein, dan telt hij hier niet mee.",
        "disciplines_none": "Er zijn geen disciplines opgegeven, of de groepen zijn te klein om te tonen.",
        "group": "Groep", "other": "Overig", "notes": "Notities", "general_note": "Algemeen",
        "no_notes": "Geen notities.", "steps": "Eerste kleine stappen", "what": "Wat", "who": "Wie",
        "due": "Wanneer", "no_steps": "Nog geen stappen afgesproken.", "attribution": "Bron",
        "generated": "Gemaakt op {date} met de Digitaal DNA-workshop-app.",
        "months": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                   "oktober", "november", "december"),
        "sheets": ("Samenvatting", "Vragen", "Antwoorden", "Notities en stappen"),
        "item": "Onderdeel", "value": "Waarde", "title": "Titel", "stage": "Stand", "nickname": "Bijnaam",
        "discipline": "Discipline", "number": "Nr.", "round": "Ronde", "points": "Punten", "count": "Aantal",
        "share": "Aandeel", "answered": "Beantwoord", "joined": "Deelnemers",
        "agreement_col": "Overeenstemming (1 − Leik D)", "consensus_col": "Consensus (Tastle-Wierman)",
        "vde_col": "Overeenstemming (Van der Eijk)", "verdict": "Oordeel", "answered_at": "Beantwoord om (UTC)",
        "participant": "Deelnemer", "topic": "Onderwerp", "note": "Notitie",
        "none": "geen", "yes": "ja",
        "stages": {"lobby": "niet gestart", "running": "bezig", "results": "resultaten", "ended": "afgesloten"},
    },
    "en": {
        "report": "Digitaal DNA workshop report",
        "date": "Date", "code": "Code", "participants": "Participants", "complete": "Answered every question",
        "questionnaire": "Questionnaire", "language": "Language", "language_name": "English",
        "consensus_phase": "The phase the group agreed on",
        "group_phase": "The group's phase (median of the totals)",
        "provisional": "Provisional: not every question has an agreed answer yet.",
        "no_phase": "No phase yet: nobody has answered every question.",
        "median_total": "Median of the totals", "agreed_total": "Agreed total",
        "of_max": "{value} of {max}", "phase_n": "Phase {n}",
        "closing": "At the end of this phase you can say:",
        "recognise": "Where does your organisation stand?", "tips": "Getting started",
        "people_per_phase": "Participants per phase", "first_round": "First round", "latest": "Latest answers",
        "changed_phase": "Changed phase after a new round", "phase": "Phase", "people": "People",
        "ladder": "The four phases; marked: {name}", "you_are_here": "your phase",
        "questions": "Questions", "question": "Question", "round_n": "Round {n}", "option": "Answer",
        "agreed_answer": "Agreed answer", "agreed_mark": "agreed", "median": "median",
        "none_agreed": "not agreed yet", "answered_of": "{n} of {joined} answered",
        "agreement": "agreement {pct}", "too_few": "too few answers for measures",
        "verdict_agreed": "Agreed", "verdict_mixed": "Mixed", "verdict_polarised": "Polarised",
        "discuss_first": "Discuss first",
        "discuss_help": "From least to most agreement, in each question's latest round.",
        "disciplines": "By discipline",
        "agreement_columns": "Question 1–{n}: agreement per question, in the latest answers.",
        "disciplines_help": "Disciplines with fewer than {min} people are merged into ‘Other’; "
                            "if that group is still too small, it is left out here.",
        "disciplines_none": "No disciplines were given, or the groups are too small to show.",
        "group": "Group", "other": "Other", "notes": "Notes", "general_note": "General",
        "no_notes": "No notes.", "steps": "First small steps", "what": "What", "who": "Who",
        "due": "By when", "no_steps": "No steps agreed yet.", "attribution": "Source",
        "generated": "Made on {date} with the Digitaal DNA workshop app.",
        "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"),
        "sheets": ("Summary", "Questions", "Answers", "Notes and steps"),
        "item": "Item", "value": "Value", "title": "Title", "stage": "Stage", "nickname": "Nickname",
        "discipline": "Discipline", "number": "No.", "round": "Round", "points": "Points", "count": "Count",
        "share": "Share", "answered": "Answered", "joined": "Participants",
        "agreement_col": "Agreement (1 − Leik D)", "consensus_col": "Consensus (Tastle-Wierman)",
        "vde_col": "Agreement (van der Eijk)", "verdict": "Verdict", "answered_at": "Answered at (UTC)",
        "participant": "Participant", "topic": "Topic", "note": "Note",
        "none": "none", "yes": "yes",
        "stages": {"lobby": "not started", "running": "running", "results": "results", "ended": "ended"},
    },
}


# Loading


def load_summary(store: Store, questionnaire: Questionnaire, code: str, *, now: str,
                 include_nicknames: bool = True, min_group_size: int = stats.MIN_GROUP_SIZE) -> dict[str, Any] | None:
    """Build a session's summary from the database, or None for an unknown code."""
    row = store.session(code)
    if row is None:
        return None
    session = {key: row[key] for key in ("code", "title", "created_at", "updated_at", "language",
                                         "questionnaire_id", "questionnaire_version")}
    session["disciplines"] = json.loads(row["disciplines"])
    return build_summary(
        session=session, questionnaire=questionnaire, state=SessionState.from_dict(json.loads(row["state"])),
        participants=store.participants(row["id"]), answers=store.answers(row["id"]),
        notes=store.notes(row["id"]), steps=store.steps(row["id"]), generated_at=now,
        include_nicknames=include_nicknames, min_group_size=min_group_size,
    )


# Small formatting helpers


def labels(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The labels in the session's language."""
    return LABELS.get(summary["session"]["language"], LABELS["nl"])


def percent(share: float | None) -> str:
    """A share in [0, 1] as a whole percentage, rounding halves up like the pages do."""
    return "–" if share is None else f"{int(share * 100 + 0.5)}%"


def number(value: float | None, lang: str) -> str:
    """A number with at most one decimal, with a decimal comma in Dutch."""
    if value is None:
        return "–"
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if lang == "nl" else text


def long_date(iso: str, lang: str) -> str:
    """An ISO timestamp's (UTC) date written out, e.g. '14 maart 2025' or '14 March 2025'."""
    day = datetime.fromisoformat(iso)
    return f"{day.day} {LABELS[lang]['months'][day.month - 1]} {day.year}"


def filename(summary: Mapping[str, Any], fmt: str) -> str:
    """The download name: digitaal-dna-<code>-<session date>.<ext>."""
    session = summary["session"]
    return f"digitaal-dna-{session['code']}-{session['created_at'][:10]}.{FORMATS[fmt][1]}"


def _lookups(summary: Mapping[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, str], Any], dict[str, Any]]:
    """Questions by id, options by (question, option) and participants by anonymous id."""
    questions = {q["id"]: q for q in summary["questions"]}
    options = {(q["id"], o["id"]): o for q in summary["questions"] for o in q["options"]}
    people = {p["id"]: p for p in summary["participants"]}
    return questions, options, people


# JSON and CSV


def to_json(summary: Mapping[str, Any]) -> str:
    """The summary as JSON text: keys in schema order, UTF-8 characters as they are, indented."""
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def answer_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """One row per participant, question and round, in CSV_COLUMNS order."""
    questions, options, people = _lookups(summary)
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


def to_csv(summary: Mapping[str, Any]) -> str:
    """The raw answers as CSV (RFC 4180: CRLF line ends, quotes where needed; no BOM), every text cell defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([csv_cell(value) for value in row] for row in answer_rows(summary))
    return out.getvalue()


# XLSX


def to_xlsx(summary: Mapping[str, Any]) -> bytes:
    """The summary as a workbook: summary, statistics per round, raw answers, notes and steps."""
    from openpyxl import Workbook  # imported here: only exports need it

    L = labels(summary)
    wb = Workbook()
    wb.properties.title = f"{L['report']}: {summary['session']['title']}"
    wb.properties.creator = "workshop"
    sheets = [wb.active] + [wb.create_sheet() for _ in L["sheets"][1:]]
    for sheet, title in zip(sheets, L["sheets"]):
        sheet.title = title
    _summary_sheet(sheets[0], summary, L)
    _questions_sheet(sheets[1], summary, L)
    _answers_sheet(sheets[2], summary, L)
    _notes_sheet(sheets[3], summary, L)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _phase_name(summary: Mapping[str, Any], phase_id: str | None) -> str | None:
    """A phase's name in the session language."""
    return next((p["name"] for p in summary["phases"] if p["id"] == phase_id), None)


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


def _summary_sheet(ws, summary: Mapping[str, Any], L: Mapping[str, Any]) -> None:
    """Key facts, participants per phase, discuss-first order and the discipline view."""
    s, r = summary["session"], summary["results"]
    questions, _options, _people = _lookups(summary)
    q = s["questionnaire"]
    rows = _Rows()
    rows.add(L["title"], s["title"])
    rows.add(L["code"], s["code"])
    rows.add(L["date"], s["created_at"][:10])
    rows.add(L["questionnaire"], f"{q['title']} ({q['id']} v{q['version']})")
    rows.add(L["language"], L["language_name"])
    rows.add(L["stage"], L["stages"].get(s["stage"], s["stage"]))
    rows.add(L["participants"], r["joined"])
    rows.add(L["complete"], r["complete"])
    rows.add(L["median_total"], r["median_total"], number_format="0.0")
    rows.add(L["group_phase"], _phase_name(summary, r["group_phase"]) or L["none"])
    rows.add(L["agreed_total"], r["agreed_total"])
    rows.add(L["consensus_phase"], _phase_name(summary, r["consensus_phase"]) or f"{L['none']} ({L['provisional']})")
    rows.add(L["changed_phase"], r["changed_phase"])
    rows.add()
    rows.add(L["phase"], L["latest"], L["first_round"], bold=True)
    for p in summary["phases"]:
        rows.add(p["name"], r["phase_counts"][p["id"]], r["first_round_phase_counts"][p["id"]])
    rows.add()
    rows.add(L["discuss_first"], L["agreement_col"], bold=True)
    for qid in r["discuss_first"]:
        question = questions[qid]
        rows.add(f"{question['number']}. {question['short']}", question["rounds"][-1]["stats"]["agreement"],
                 number_format="0%")
    rows.add()
    rows.add(L["group"], L["people"], L["median_total"], L["phase"], bold=True)
    for g in summary["disciplines"]:
        rows.add(L["other"] if g["group"] == "other" else g["group"], g["n"], g["median_total"],
                 _phase_name(summary, g["phase"]), number_format="0.0")
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
                    L["verdict_" + st["verdict"]] if st["verdict"] else None,
                    L["yes"] if st["median_rank"] == rank else None,
                    L["yes"] if q["agreed"] == option["id"] and rnd["round"] == q["round"] else None,
                ])
    _write(ws, header, rows, wrap={2, 4}, formats={7: "0%", 10: "0.00", 11: "0.00", 12: "0.00"})


def _answers_sheet(ws, summary: Mapping[str, Any], L: Mapping[str, Any]) -> None:
    """The raw answers, one row per participant, question and round."""
    questions, _options, _people = _lookups(summary)
    header = [L["participant"], L["nickname"], L["discipline"], L["number"], L["question"], L["round"],
              L["option"], L["points"], L["answered_at"]]
    rows = []
    for row in answer_rows(summary):
        _code, pid, nickname, discipline, qid, short, rnd, _oid, label, points, at = row
        stamp = datetime.fromisoformat(at).replace(tzinfo=None)  # Excel has no time zones; the header says UTC
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
        rows.add(step["what"], step["who"], step["due"])
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


# HTML report


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
    L = labels(summary)
    lang = summary["session"]["language"]
    r = summary["results"]
    questions, _options, _people = _lookups(summary)
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
        "several_rounds": several_rounds,
        "changed_phase": r["changed_phase"],
        "questions": [_question_view(q, summary["notes"]["questions"].get(q["id"], ""), L, lang)
                      for q in summary["questions"]],
        "discuss_first": [_discuss_item(questions[qid], L) for qid in r["discuss_first"]],
        "disciplines": _discipline_rows(summary, L, lang),
        "min_group_size": summary["min_group_size"],
        "general_note": summary["notes"]["general"],
        "steps": summary["steps"],
        "attribution": summary["attribution"],
        "generated": L["generated"].format(date=long_date(summary["generated_at"], lang)),
    }


def _outcome(summary: Mapping[str, Any], questionnaire: Questionnaire, lang: str) -> dict[str, Any] | None:
    """The headline phase: the agreed one, else the group's (provisional), with its texts."""
    r = summary["results"]
    phase_id = r["consensus_phase"] or r["group_phase"]
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
    }


def _ladder(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The four phases as rising steps, the headline phase marked."""
    r = summary["results"]
    marked = r["consensus_phase"] or r["group_phase"]
    return [{"name": p["name"], "marked": p["id"] == marked, "x": 5 + i * 150, "y": 100 - i * 25,
             "height": 30 + i * 25} for i, p in enumerate(summary["phases"])]


def _phase_rows(summary: Mapping[str, Any], several_rounds: bool) -> list[dict[str, Any]]:
    """People per phase (latest answers, and the first round when there were more)."""
    r = summary["results"]
    marked = r["consensus_phase"] or r["group_phase"]
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
            "measure": _measure(st, L),
            "median_rank": st["median_rank"] if st["shown"] else None,
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
    return {"number": q["number"], "short": q["short"], "measure": _measure(q["rounds"][-1]["stats"], L)}


def _measure(st: Mapping[str, Any], L: Mapping[str, Any]) -> str:
    """A round's verdict and agreement in words, or why there are none."""
    if not st["shown"]:
        return L["too_few"]
    return f"{L['verdict_' + st['verdict']]} · {L['agreement'].format(pct=percent(st['agreement']))}"


def _discipline_rows(summary: Mapping[str, Any], L: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Per discipline group: size, median total, phase and agreement per question."""
    rows = []
    for g in summary["disciplines"]:
        rows.append({
            "group": L["other"] if g["group"] == "other" else g["group"],
            "n": g["n"],
            "median_total": number(g["median_total"], lang),
            "phase": _phase_name(summary, g["phase"]) or "–",
            "agreement": [percent(g["questions"][q["id"]]["agreement"]) for q in summary["questions"]],
        })
    return rows


# Formats and the command line


RENDERERS: dict[str, Callable[[Mapping[str, Any], Questionnaire], str | bytes]] = {
    "json": lambda summary, _q: to_json(summary),
    "csv": lambda summary, _q: to_csv(summary),
    "xlsx": lambda summary, _q: to_xlsx(summary),
    "html": to_html,
}


def render(summary: Mapping[str, Any], fmt: str, questionnaire: Questionnaire) -> bytes:
    """One format of the summary as bytes (text formats in UTF-8)."""
    body = RENDERERS[fmt](summary, questionnaire)
    return body.encode("utf-8") if isinstance(body, str) else body


def add_export_parser(sub) -> None:
    """The `workshop export` subcommand and its options."""
    export = sub.add_parser("export", help="write a session's summary as JSON, CSV, XLSX or an HTML report")
    export.add_argument("code", help="the session's join code")
    export.add_argument("--format", default="json", choices=tuple(FORMATS),
                        help="json (the full summary, default), csv (raw answers), xlsx (workbook) or html (report)")
    export.add_argument("--out", default=None, metavar="FILE",
                        help="file to write (default: standard output; xlsx needs a file or a pipe)")
    export.add_argument("--no-nicknames", action="store_true", help="leave the participants' nicknames out")
    export.add_argument("--data-dir", default=None, help="folder with the database (default: sessions/)")


def export_command(args) -> int:
    """Write one session's export to a file or standard output."""
    from workshop.cli import open_live

    _app, live = open_live(args.data_dir)
    code = security.normalise_code(args.code) or args.code
    summary = load_summary(live.store, live.questionnaire, code, now=live.clock(),
                           include_nicknames=not args.no_nicknames, min_group_size=live.config["MIN_GROUP_SIZE"])
    if summary is None:
        print(f"No session with code {args.code}. See `workshop sessions list`.", file=sys.stderr)
        return 1
    if args.out is None and args.format == "xlsx" and sys.stdout.isatty():
        print("An XLSX file is binary: add --out FILE (or pipe the output into a file).", file=sys.stderr)
        return 2
    body = render(summary, args.format, live.questionnaire)
    if args.out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return 0
    with open(args.out, "wb") as f:
        f.write(body)
    print(f"Wrote {args.out} ({args.format}, {len(body)} bytes).", file=sys.stderr)
    return 0
