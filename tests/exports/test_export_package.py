"""The exports package: words from the gettext catalog, one headline rule, and a CLI without the web app."""
from __future__ import annotations

import sys

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from workshop import cli
from workshop.exports import headline_phase
from workshop.exports.labels import TRANSLATIONS, labels, long_date
from workshop.store import sqlite


@pytest.fixture(autouse=True)
def english_cli(monkeypatch):
    """The CLI speaks the operator's language (workshop/exports/cli_words.py): these tests read its English."""
    monkeypatch.setenv("WORKSHOP_CLI_LANGUAGE", "en")


LABELS_FILE = "workshop/exports/labels.py"


def test_every_export_word_has_a_dutch_translation():
    with open(TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    words = [msgid for _line, msgid, _comments, _context in extract_from_file("python", LABELS_FILE)]
    assert len(words) > 60
    untranslated = [w for w in words if catalog.get(w) is None or not catalog.get(w).string]
    assert untranslated == []


def test_labels_are_the_catalog_words_in_the_session_language():
    nl, en = labels("nl"), labels("en")
    assert nl["sheets"] == ("Samenvatting", "Vragen", "Antwoorden", "Notities en stappen", "Uitdagingen en ideeën")
    assert en["sheets"] == ("Summary", "Questions", "Answers", "Notes and steps", "Challenges and ideas")
    assert nl["phase_n"].format(n=4) == "Fase 4" and en["phase_n"].format(n=4) == "Phase 4"
    assert (nl["language_name"], en["language_name"]) == ("Nederlands", "English")
    with pytest.raises(TypeError):
        nl["report"] = "changed"  # read-only: no second dictionary to edit


def test_verdicts_use_the_projector_words():
    assert dict(labels("nl")["verdicts"]) == {"agreed": "eens", "mixed": "gemengd", "polarised": "verdeeld"}
    assert dict(labels("en")["verdicts"]) == {"agreed": "agreed", "mixed": "mixed", "polarised": "polarised"}


def test_long_date_in_each_language():
    assert long_date("2025-03-14T10:00:00+00:00", "nl") == "14 maart 2025"
    assert long_date("2025-03-14T10:00:00+00:00", "en") == "14 March 2025"


@pytest.mark.parametrize("consensus, group, expected", [("ik-doe", "ik-weet", "ik-doe"), (None, "ik-weet", "ik-weet"),
                                                         (None, None, None)])
def test_headline_phase_is_the_agreed_phase_else_the_groups(consensus, group, expected):
    summary = {"results": {"consensus_phase": consensus, "group_phase": group}}
    assert headline_phase(summary) == expected


def test_sessions_command_builds_no_web_app(data_dir, capsys, monkeypatch):
    sqlite.Store(data_dir / sqlite.DB_NAME).close()  # a data directory a server made (the CLI creates none)
    monkeypatch.delitem(sys.modules, "workshop.app", raising=False)
    assert cli.main(["sessions", "--data-dir", str(data_dir), "list"]) == 0
    assert "0 sessions" in capsys.readouterr().out
    assert "workshop.app" not in sys.modules  # no Flask app, Babel, Compress or Socket.IO built
    assert not (data_dir / "secret_key").exists()  # and no installation secret written to read the store


@pytest.mark.parametrize("command", [["sessions", "list"], ["export", "K7QX2M"]])
def test_a_data_dir_that_is_a_file_is_one_line_not_a_traceback(tmp_path, capsys, command):
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    assert cli.main([*command, "--data-dir", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Cannot use the data directory {blocker}: it is a file, not a folder.")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", [["sessions", "delete", "K7QX2M", "--yes"], ["sessions", "purge", "--yes"]])
def test_a_read_only_database_is_one_line_not_a_traceback(data_dir, capsys, monkeypatch, command):
    """Commands that write need a writable database (reading one read-only: tests/unit/test_cli_robust.py)."""
    sqlite.Store(data_dir / sqlite.DB_NAME).close()

    def read_only(path, *_args, **_kwargs):
        raise sqlite.StoreUnavailable(path, "attempt to write a readonly database")

    monkeypatch.setattr(sqlite, "Store", read_only)
    assert cli.main([*command, "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Cannot use the data directory {data_dir}: attempt to write a readonly database.")
    assert err.count("\n") == 1
