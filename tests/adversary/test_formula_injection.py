"""Finding 3: texts people type never become live formulas in the spreadsheets a facilitator downloads.

A participant (nickname), the facilitator (title, disciplines, notes, steps) or anyone
who gets a text into a session tries each formula trigger. The session is built through
the real HTTP API and Socket.IO, the downloads are fetched the way a facilitator does
(the manage link's cookie, then /s/<code>/export.<fmt>), and the raw files are read:
the XLSX's XML must hold no <f> element and every text as a string; every CSV text cell
that a spreadsheet would read as a formula starts with an apostrophe. The JSON stays data.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from tests.web.helpers import connect
from workshop import cli, exports

SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://e.vil/x","Klik")'  # the reported 35-character nickname
# Nicknames, one per trigger character (a tab or CR is turned into a space and trimmed by the
# text cleaner, so what reaches the export starts with the character after it), plus the
# error-looking and semicolon-split cases.
NICKNAMES = [HYPERLINK, "+1+1", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=2+2", "#N/A", "Ann;=1+1;"]
DISCIPLINES = ["=1+1 Directie", "+31 Bedrijfsvoering", "-Artistiek", "@Publiek", "\t=Tab", "\r=CR"]
TITLE = '=HYPERLINK("http://e.vil/t","Titel")'
# Notes keep tabs and line breaks, so here a leading tab does reach the workbook.
NOTES = {"": "=1+1 algemeen", "begrippen": "\t=cmd|' /C calc'!A0", "uitspraak": "@SUM(1+1)",
         "projecten": "+1-1", "kennis": "-1+1"}
STEPS = [{"what": "=HYPERLINK(\"http://e.vil/s\")", "who": "+Anna", "due": "-1 april"},
         {"what": "@stap <script>alert(1)</script>", "who": "\t=who", "due": "\r=due"}]


def spreadsheet_formula(text: str) -> bool:
    """Whether a spreadsheet would read this cell text as (the start of) a formula."""
    return text.startswith(TRIGGERS)


@pytest.fixture
def attacked(app, client, socketio):
    """A session whose every typed text is a formula; returns (code, facilitator token, stored summary)."""
    reply = client.post("/api/sessions", json={"title": TITLE, "disciplines": DISCIPLINES})
    assert reply.status_code == 201, reply.get_json()
    session = reply.get_json()
    code, token = session["code"], session["facilitator_token"]
    facilitator = connect(socketio, app, "facilitator", {"code": code, "token": token})
    disciplines = app.extensions["workshop"].live.room(code).disciplines
    assert len(disciplines) == len(DISCIPLINES)
    phones = []
    for i, nickname in enumerate(NICKNAMES):
        phone = connect(socketio, app, "participant", {"code": code})
        ack = phone.emit("join", {"nickname": nickname, "discipline": disciplines[i % len(disciplines)]})
        assert ack["ok"], ack
        phones.append(phone)
    assert facilitator.emit("command", {"action": "start"})["ok"]
    for phone in phones:
        ack = phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1})
        assert ack["ok"], ack
    for question, text in NOTES.items():
        assert facilitator.emit("note", {"question": question, "text": text})["ok"]
    assert facilitator.emit("steps", {"items": STEPS})["ok"]
    summary = client.get(f"/api/sessions/{code}/summary", headers={"Authorization": f"Bearer {token}"})
    assert summary.status_code == 200
    return code, token, summary.get_json()


def typed_texts(summary) -> list[str]:
    """Every text a person typed, as the server stored it (the JSON export is the stored data)."""
    people = [p["nickname"] for p in summary["participants"]]
    steps = [step[name] for step in summary["steps"] for name in ("what", "who", "due")]
    notes = [summary["notes"]["general"], *summary["notes"]["questions"].values()]
    return [summary["session"]["title"], *people, *summary["session"]["disciplines"], *notes, *steps]


def facilitator_download(app, code: str, token: str, fmt: str) -> bytes:
    """Download an export with the facilitator's cookie, as the manage page's links do."""
    browser = app.test_client()
    assert browser.get(f"/s/{code}/manage?t={token}").status_code == 303
    response = browser.get(f"/s/{code}/export.{fmt}")
    assert response.status_code == 200
    return response.get_data()


def xlsx_cells(body: bytes) -> tuple[list[str], list[str]]:
    """The raw workbook's formula elements (and error cells) and its string cells' texts, read from the XML itself."""
    formulas, texts = [], []
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        for name in book.namelist():
            if not name.endswith(".xml"):
                continue
            xml = book.read(name).decode("utf-8")
            formulas += re.findall(r"<(?:\w+:)?f[\s>/]", xml)
            if name.startswith("xl/worksheets/"):
                for cell in ElementTree.fromstring(xml).iter(f"{SHEET_NS}c"):
                    if cell.get("t") in ("inlineStr", "s", "str"):
                        assert cell.get("t") == "inlineStr", ElementTree.tostring(cell)
                        texts.append("".join(t.text or "" for t in cell.iter(f"{SHEET_NS}t")))
                    if cell.get("t") == "e":  # an error cell ("#N/A" typed as a name) is not text either
                        formulas.append(ElementTree.tostring(cell).decode())
    return formulas, texts


def test_the_stored_texts_are_the_attack_and_the_json_keeps_them_unchanged(attacked):
    _code, _token, summary = attacked
    texts = typed_texts(summary)
    assert HYPERLINK in texts and TITLE in texts and "#N/A" in texts
    for trigger in TRIGGERS[:4]:  # tab and CR are cleaned from one-line fields; below: notes keep a tab
        assert any(t.startswith(trigger) for t in texts), trigger
    assert summary["notes"]["questions"]["begrippen"].startswith("\t=")
    assert not any(t.startswith("'") for t in texts)  # JSON is data: no apostrophes added


def test_xlsx_download_has_no_formula_and_every_typed_text_as_a_string(app, attacked):
    code, token, summary = attacked
    body = facilitator_download(app, code, token, "xlsx")
    formulas, texts = xlsx_cells(body)
    assert formulas == []
    for typed in typed_texts(summary):
        if typed:
            assert any(typed in text for text in texts), typed
    # and a spreadsheet program reading it back sees text, the very text that was typed
    sheets = load_workbook(io.BytesIO(body)).worksheets
    cells = {c.value: c.data_type for ws in sheets for row in ws.iter_rows() for c in row if c.value is not None}
    for nickname in (p["nickname"] for p in summary["participants"]):
        assert cells.get(nickname) == "s", nickname
    assert cells.get(summary["notes"]["questions"]["begrippen"]) == "s"


def test_csv_download_defuses_every_text_cell_and_keeps_numbers(app, attacked):
    code, token, summary = attacked
    rows = list(csv.reader(io.StringIO(facilitator_download(app, code, token, "csv").decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert len(body) == len(NICKNAMES)
    for row in body:
        for value in row:
            assert not spreadsheet_formula(value), row
            assert ";=" not in value and ";+" not in value, row
        record = dict(zip(header, row))
        assert record["points"].isdigit() and record["round"].isdigit()  # numbers stay bare numbers
    nicknames = {r[header.index("nickname")] for r in body}
    stored = {p["nickname"] for p in summary["participants"]}
    for name in stored:
        if spreadsheet_formula(name):
            assert "'" + name in nicknames
        elif ";" not in name:
            assert name in nicknames  # "#N/A" is harmless in CSV and stays as typed
    assert "Ann;'=1+1;" in nicknames
    disciplines = {r[header.index("discipline")] for r in body}
    assert "'=1+1 Directie" in disciplines and "'-Artistiek" in disciplines and "'@Publiek" in disciplines


def test_the_html_report_escapes_the_same_texts(app, attacked):
    code, token, _summary = attacked
    html = facilitator_download(app, code, token, "html").decode("utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'HYPERLINK("http' not in html and "=HYPERLINK(&#34;http://e.vil/t&#34;,&#34;Titel&#34;)" in html


def test_the_command_line_export_goes_through_the_same_defused_renderer(app, data_dir, attacked, tmp_path, capsys):
    code, _token, summary = attacked
    out_xlsx, out_csv = tmp_path / "cli.xlsx", tmp_path / "cli.csv"
    for fmt, out in (("xlsx", out_xlsx), ("csv", out_csv)):
        assert cli.main(["export", code, "--data-dir", str(data_dir), "--format", fmt, "--out", str(out)]) == 0
    formulas, texts = xlsx_cells(out_xlsx.read_bytes())
    assert formulas == [] and HYPERLINK in texts
    lines = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert "'" + HYPERLINK in {value for row in lines for value in row}
    assert not any(spreadsheet_formula(value) for row in lines for value in row)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_the_renderers_cell_rules_cover_each_trigger_even_past_the_text_cleaner(attacked, trigger):
    """Defence in depth: a text the cleaner would have changed is still defused by the renderers."""
    _code, _token, summary = attacked
    evil = f"{trigger}HYPERLINK(\"http://e.vil\")"
    assert exports.csv_cell(evil) == "'" + evil
    assert exports.csv_cell(-3) == -3 and exports.csv_cell(2.5) == 2.5 and exports.csv_cell("3") == "3"
    forged = json.loads(json.dumps(summary))
    forged["participants"][0]["nickname"] = evil
    forged["steps"][0]["what"] = evil
    forged["answers"][0]["points"] = -3  # a real negative number: stays a number
    rows = list(csv.reader(io.StringIO(exports.to_csv(forged))))
    assert "'" + evil in rows[1] and "-3" in rows[1]
    formulas, texts = xlsx_cells(exports.to_xlsx(forged))
    assert formulas == [] and evil.replace("\r", "\n") in texts  # XML reads a raw CR as a line feed
