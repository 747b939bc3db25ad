"""Every setting is documented, and environment overrides are parsed by type."""
from __future__ import annotations

from pathlib import Path

import pytest

from workshop import settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_docs(setting):
    assert f"`{setting.name}`" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name,raw,expected", [
    ("MAX_PARTICIPANTS", "300", 300),
    ("EMIT_INTERVAL", "0.05", 0.05),
    ("RATE_JOIN", "5,30", (5, 30.0)),
    ("PUBLIC_URL", "http://10.0.0.2:5000", "http://10.0.0.2:5000"),
])
def test_environment_values_are_parsed_by_the_defaults_type(name, raw, expected):
    default = settings.defaults()[name]
    assert settings.parse(name, raw, default) == expected


def test_environment_overrides_reach_the_app(monkeypatch, tmp_path):
    from workshop import create_app

    monkeypatch.setenv("WORKSHOP_MAX_PARTICIPANTS", "7")
    app = create_app({"ASYNC_MODE": "threading", "DATA_DIR": str(tmp_path)})
    assert app.config["MAX_PARTICIPANTS"] == 7
