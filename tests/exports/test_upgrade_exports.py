"""A database of release 0.1.0 after the upgrade: its sessions export as before, but for what CHANGELOG.md names.

tests/fixtures/release-0.1.0/ holds a database made by 0.1.0's own code (make.py says how) and what 0.1.0
exported from it. Today's code migrates a copy (as `workshop serve` does at start) and exports it on the same
`now`; every difference from 0.1.0's files must be one the changelog lists under `workshop.summary/2`,
and nothing else may move.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workshop import exports
from workshop.core.questionnaire import default as default_questionnaire
from workshop.store.sqlite import read_only
from workshop.store.sqlite import DB_NAME, SCHEMA_VERSION, Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.0"
ROOT = Path(__file__).resolve().parents[2]
GENERATED_AT = "2026-11-25T09:00:00+00:00"  # as make.py
CODES = (FIXTURE / "codes.txt").read_text(encoding="utf-8").split()
ZONE = "Europe/Amsterdam"
# Fields summary/2 added to what 0.1.0 wrote (each documented in docs/summary.md); `*` is any index or key.
ADDED = [r"\.session\.organisation", r"\.session\.follows", r"\.results\.totals", r"\.results\.spread",
         r"\.questions\[\d+\]\.rounds\[\d+\]\.stats\.reading", r"\.disciplines\[\d+\]\.complete",
         r"\.disciplines\[\d+\]\.questions\.[\w-]+\.(reading|withheld)", r"\.steps\[\d+\]\.idea",
         r"\.activities", r"\.challenges", r"\.ideas"]


def differences(old, new, path: str = "") -> list[tuple[str, str]]:
    """Where two JSON documents differ: (kind, path), kind `added`, `removed` or `changed`."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            if key not in old:
                found.append(("added", f"{path}.{key}"))
            elif key not in new:
                found.append(("removed", f"{path}.{key}"))
            else:
                found += differences(old[key], new[key], f"{path}.{key}")
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in differences(a, b, f"{path}[{i}]")]
    return [] if old == new else [("changed", path)]


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """A copy of the 0.1.0 database opened by today's Store (migrated as at a server's start); its folder."""
    folder = tmp_path_factory.mktemp("upgraded")
    shutil.copy(FIXTURE / "workshop.sqlite3", folder / DB_NAME)
    Store(folder / DB_NAME).close()
    return folder


def old_summary(code: str) -> dict:
    """What 0.1.0 exported as JSON."""
    return json.loads((FIXTURE / f"{code}.json").read_text(encoding="utf-8"))


def new_summary(folder: Path, code: str) -> dict:
    """What today's code exports as JSON from the upgraded database."""
    return json.loads(render(folder, code, "json"))


def render(folder: Path, code: str, fmt: str) -> bytes:
    """Today's export of one session in one format, on make.py's `now`."""
    store = read_only(folder / DB_NAME)
    try:
        questionnaire = default_questionnaire()
        summary = exports.load_summary(store, questionnaire, code, now=GENERATED_AT)
        return exports.render(summary, fmt, questionnaire, ZONE)
    finally:
        store.close()


def test_the_fixture_is_a_database_of_release_0_1_0():
    with sqlite3.connect(f"file:{FIXTURE / 'workshop.sqlite3'}?mode=ro&immutable=1", uri=True) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1 < SCHEMA_VERSION
        columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
        assert "organisation" not in columns and "facilitator_epoch" not in columns
    assert all(old_summary(code)["schema"] == "workshop.summary/1" for code in CODES)


def test_the_upgrade_keeps_every_row(upgraded):
    def counts(path: Path, immutable: str) -> dict[str, int]:
        with sqlite3.connect(f"file:{path}?mode=ro{immutable}", uri=True) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    before, after = counts(FIXTURE / "workshop.sqlite3", "&immutable=1"), counts(upgraded / DB_NAME, "")
    assert {t: after[t] for t in before} == before and before["answers"] > 50


@pytest.mark.parametrize("code", CODES)
def test_json_differs_from_0_1_0_only_as_the_changelog_says(upgraded, code):
    old, new = old_summary(code), new_summary(upgraded, code)
    found = differences(old, new)
    unexplained = [(kind, path) for kind, path in found
                   if not (kind == "added" and any(re.fullmatch(p, path) for p in ADDED))
                   and path != ".schema"
                   and not re.fullmatch(r"\.results\.discuss_first\[\d+\]", path)
                   and not re.fullmatch(r"\.disciplines\[\d+\]\.questions\.begrippen\.\w+", path)]
    assert unexplained == []
    assert (old["schema"], new["schema"]) == ("workshop.summary/1", "workshop.summary/2")
    # discuss_first: the same questions, only their order follows the verdicts now
    assert sorted(old["results"]["discuss_first"]) == sorted(new["results"]["discuss_first"])
    for key in ("participants", "answers", "notes", "phases"):
        assert old[key] == new[key], key


def test_the_changes_of_summary_2_show_on_the_old_sessions(upgraded):
    """Both meaning changes are in the fixture, so the test above checks something (it could fail)."""
    code = CODES[0]  # the session whose first question was voted on twice, five of twelve again
    old, new = old_summary(code), new_summary(upgraded, code)
    assert old["results"]["discuss_first"] != new["results"]["discuss_first"]
    old_groups = {g["group"]: g["questions"]["begrippen"] for g in old["disciplines"]}
    new_groups = {g["group"]: g["questions"]["begrippen"] for g in new["disciplines"]}
    # 0.1.0 counted each person's latest answer of any round; summary/2 counts the question's current round only
    assert all(q["n"] == 3 for q in old_groups.values())
    assert all(q["withheld"] and q["n"] is None for q in new_groups.values())
    for question in ("uitspraak", "projecten", "kennis"):  # questions voted once read the same
        assert [g["questions"][question]["counts"] for g in old["disciplines"]] == \
               [g["questions"][question]["counts"] for g in new["disciplines"]]


@pytest.mark.parametrize("code", CODES)
def test_csv_holds_the_same_answers_with_local_times_and_a_bom(upgraded, code):
    old = list(csv.DictReader(io.StringIO((FIXTURE / f"{code}.csv").read_text(encoding="utf-8"), newline="")))
    body = render(upgraded, code, "csv")
    assert body.startswith(b"\xef\xbb\xbf") and not (FIXTURE / f"{code}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    new = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(new) == len(old) > 0
    for before, after in zip(old, new):
        moment = datetime.fromisoformat(after.pop("answered_at"))
        assert moment.astimezone(timezone.utc) == datetime.fromisoformat(before.pop("answered_at"))
        assert moment.utcoffset().total_seconds() in (3600, 7200)  # Amsterdam: winter +01:00, summer +02:00
        assert after.pop("time_zone") == ZONE
        assert after == before


@pytest.mark.parametrize("code", CODES)
def test_xlsx_answers_moved_from_utc_to_local_time_and_nothing_else(upgraded, code):
    old = load_workbook(FIXTURE / f"{code}.xlsx")
    new = load_workbook(io.BytesIO(render(upgraded, code, "xlsx")))
    assert set(old.sheetnames) <= set(new.sheetnames)
    old_rows = list(old["Antwoorden"].iter_rows(values_only=True)) if "Antwoorden" in old.sheetnames else \
        list(old["Answers"].iter_rows(values_only=True))
    new_rows = list(new[old.sheetnames[2]].iter_rows(values_only=True))
    assert len(old_rows) == len(new_rows) > 1
    assert ZONE in str(new_rows[0][-1]) and "UTC" in str(old_rows[0][-1])
    for before, after in zip(old_rows[1:], new_rows[1:]):
        assert before[:-1] == after[:-1]
        shift = after[-1] - before[-1]
        assert shift.total_seconds() in (3600, 7200)


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "activities"])
def test_exports_of_an_old_database_are_the_same_bytes_every_time(upgraded, fmt):
    assert len({render(upgraded, code, fmt) for code in CODES for _ in range(2)}) == len(CODES)


def test_the_changelog_names_each_change_of_summary_2():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog[changelog.index("workshop.summary/2"):]
    for words in ("discuss_first", "disciplines[].questions", "withheld", "XLSX", "UTC", "CSV", "BOM"):
        assert words in section, words
