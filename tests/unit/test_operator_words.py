"""What the operator reads from `workshop serve`, the supervisor and `workshop deploy-files` comes from the catalog,
in Dutch too (issue 24: the busy port, the supervisor giving up, the public URL, the deploy files)."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from workshop import cli
from workshop.exports.labels import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
OPERATOR_FILES = ("workshop/cli.py", "workshop/server.py", "workshop/supervisor.py")


@pytest.fixture(scope="module")
def catalog():
    with open(TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


@pytest.mark.parametrize("path", OPERATOR_FILES)
def test_every_operator_message_has_a_dutch_translation(catalog, path):
    keywords = {**DEFAULT_KEYWORDS, "n_": (1, 2)}
    words = [m[1] for m in extract_from_file("python", ROOT / path, keywords=keywords)]
    assert words
    missing = [w for w in words if catalog.get(w) is None or not catalog.get(w).string]
    assert missing == []


def test_deploy_files_speaks_dutch(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("WORKSHOP_CLI_LANGUAGE", "nl")
    assert cli.main(["deploy-files", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'out' / 'workshop.service'} geschreven" in out and "Verder: docs/deployment.md, stap 2" in out
    (tmp_path / "out" / "workshop.env").write_text("changed\n", encoding="utf-8")
    assert cli.main(["deploy-files", str(tmp_path / "out")]) == 1
    said = capsys.readouterr()
    assert f"{tmp_path / 'out' / 'workshop.service'} ongewijzigd" in said.out
    assert "Gelaten zoals ze zijn" in said.err and "workshop.env" in said.err
    assert (tmp_path / "out" / "workshop.env").read_text(encoding="utf-8") == "changed\n"  # kept without --force
    monkeypatch.setenv("WORKSHOP_CLI_LANGUAGE", "en")
    assert cli.main(["deploy-files", str(tmp_path / "out"), "--force"]) == 0
    assert (tmp_path / "out" / "workshop.env").read_bytes() == (ROOT / "deploy" / "workshop.env").read_bytes()


def test_deploy_files_into_a_file_is_one_line(capsys, tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert cli.main(["deploy-files", str(tmp_path / "file" / "deploy")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
