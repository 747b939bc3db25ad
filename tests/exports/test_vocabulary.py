"""One vocabulary (issue 12 point 4): every word of the report, the workbook and the CLI comes from the
gettext catalog in the session's (or the operator's) language; anything else is user data or a number."""
from __future__ import annotations

import ast
import json
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel import Locale
from openpyxl import load_workbook

from tests.support.vocabulary import Vocabulary, strings_in
from workshop import cli, exports
from workshop.core.questionnaire import default as default_questionnaire

from .exports_dataset import CODE, DATA, workshop  # noqa: F401 (workshop is a fixture)


class TextNodes(HTMLParser):
    """The visible text nodes (and aria-labels) of an HTML page; style and script are skipped."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1
        self.texts.extend(v for k, v in attrs if k in ("aria-label", "alt", "title") and v)

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def session_data(summary) -> list[str]:
    """The texts people typed or the seeds provide: questionnaire, title, notes, steps, names, codes."""
    lang = summary["session"]["language"]
    q = summary["session"]["questionnaire"]
    return (strings_in(default_questionnaire().to_client(lang)) + strings_in(summary["session"])
            + strings_in(summary["notes"]) + strings_in(summary["steps"])
            # the challenges (seed 002, editable by the facilitator) and ideas people typed
            + strings_in(summary.get("challenges", [])) + strings_in(summary.get("ideas", []))
            + [p.get(k) or "" for p in summary["participants"] for k in ("id", "nickname", "discipline")]
            + strings_in(summary["attribution"]) + [g["group"] for g in summary["disciplines"]]
            + [q[k] for q in summary["questions"] for k in ("text", "short")]
            + [o["label"] for q in summary["questions"] for o in q["options"]] + [p["name"] for p in summary["phases"]]
            # the questionnaire's id and version, and the language's own name (CLDR, via Babel)
            + [f"v{q['version']}", f"{q['id']} v{q['version']}", Locale.parse(lang).get_display_name(lang).capitalize()]
            # the TIME_ZONE setting's IANA name in the answers sheet's header (exports render in UTC by default)
            + ["UTC", "Europe/Amsterdam"])


@pytest.fixture
def summary():
    return json.loads((DATA / "summary.json").read_text(encoding="utf-8"))


def test_every_word_of_the_dutch_report_is_in_the_dutch_catalog(summary):
    parser = TextNodes()
    parser.feed(exports.to_html(summary, default_questionnaire()))
    words = Vocabulary("nl", session_data(summary))
    assert len(parser.texts) > 100
    assert words.unknown(parser.texts) == []


def test_the_check_catches_a_word_from_a_second_dictionary(summary):
    """The report with a hard-coded word (the old LABELS' 'Eensgezind') or an English one fails the check."""
    words = Vocabulary("nl", session_data(summary))
    assert not words.known("Eensgezind")
    assert not words.known("agreed · 75% kiest Regelmatig")
    assert not words.known("agreement 50%")
    assert words.known("eens · 75% kiest Regelmatig") and words.known("4 zeggen Nooit, 5 zeggen Dagelijks")


def test_every_text_cell_of_the_dutch_workbook_is_a_catalog_word_or_data(summary):
    wb = load_workbook(BytesIO(exports.render(summary, "xlsx", default_questionnaire())))
    words = Vocabulary("nl", session_data(summary))
    texts = list(wb.sheetnames)
    for ws in wb.worksheets:
        texts.extend(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert words.unknown(texts) == []
    headers = [c.value for ws in wb.worksheets for c in next(ws.iter_rows())]
    assert "Vraag" in headers and not words.unknown(headers)


def test_the_csv_header_is_the_documented_machine_identifiers_not_words(summary):
    """CSV columns are identifiers for analysis tools (docs/summary.md), like JSON keys: never translated."""
    header = exports.render(summary, "csv", default_questionnaire()).decode("utf-8-sig").splitlines()[0].split(",")
    assert tuple(header) == exports.CSV_COLUMNS
    documented = (Path(__file__).resolve().parents[2] / "docs" / "summary.md").read_text(encoding="utf-8")
    listed = documented[documented.index("with the columns"):][:400].replace("\n", " ")
    assert all(column in listed for column in header)


def _bare_words(node) -> list[str]:
    """String constants with letters that reach the output without _() or n_() (keys in subscripts do not)."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "n_"):
        return []
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and any(ch.isalpha() for ch in node.value) else []
    if isinstance(node, ast.JoinedStr):
        return [w for value in node.values for w in _bare_words(value)]
    if isinstance(node, ast.FormattedValue):
        return _bare_words(node.value)
    if isinstance(node, ast.BinOp):
        return _bare_words(node.left) + _bare_words(node.right)
    if isinstance(node, ast.IfExp):
        return _bare_words(node.body) + _bare_words(node.orelse)
    return []  # names, attributes, subscripts (dict keys), other calls: data, not words


def test_no_cli_output_is_a_bare_string():
    """Every print() and input() of the CLI gets its text from the catalog (_ or n_), or prints only data."""
    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.args
             and getattr(node.func, "id", None) in ("print", "input", "confirm")]
    assert len(calls) >= 10
    assert [w for call in calls for w in _bare_words(call.args[0])] == []
    # the checker itself sees a bare word
    assert _bare_words(ast.parse('f"Wrote {x}."').body[0].value) == ["Wrote ", "."] or \
        _bare_words(ast.parse('f"Wrote {x}."').body[0].value)[0] == "Wrote "


def test_the_cli_speaks_dutch_in_a_dutch_locale(monkeypatch, capsys, data_dir, workshop):  # noqa: F811
    monkeypatch.delenv("WORKSHOP_CLI_LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert cli.main(["sessions", "list", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "GEMAAKT" in out and "1 sessie\n" in out
    assert cli.main(["export", "ZZZZZZ", "--data-dir", str(data_dir)]) == 1
    assert "Geen sessie met code ZZZZZZ" in capsys.readouterr().err
