"""Every setting is documented, and environment overrides are parsed by type."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from workshop import settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def documented() -> dict[str, list[tuple[str, str]]]:
    """The rows of docs/settings.md's table: NAME -> [(default, help)], one entry per row naming it."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for match in re.finditer(r"^\| `([A-Z_]+)` \| (.*?) \| (.*) \|$", DOC.read_text(encoding="utf-8"), re.M):
        rows.setdefault(match.group(1), []).append((match.group(2), match.group(3)))
    return rows


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_docs_once_with_its_default_and_help(setting):
    rows = documented().get(setting.name, [])
    assert len(rows) == 1, f"{setting.name}: {len(rows)} rows in docs/settings.md"
    default, help_text = rows[0]
    assert help_text == setting.help
    if setting.name != "DATA_DIR":  # its default depends on where the tool runs from, which the docs explain
        assert default == f"`{setting.default}`"


def test_the_docs_name_no_setting_that_is_not_one():
    assert set(documented()) <= {s.name for s in settings.SETTINGS}


@pytest.mark.parametrize("name,raw,expected", [
    ("MAX_PARTICIPANTS", "300", 300),
    ("EMIT_INTERVAL", "0.05", 0.05),
    ("RATE_JOIN", "5,30", (5, 30.0)),
    ("PUBLIC_URL", "http://10.0.0.2:5000", "http://10.0.0.2:5000"),
    ("PUBLIC_URL_REACHABLE", "false", False),
    ("WEBSOCKET_DEFLATE", "0", False),
    ("WORKER", "3", 3),
])
def test_environment_values_are_parsed_by_the_settings_type(name, raw, expected):
    assert settings.Settings.load(environ={f"WORKSHOP_{name}": raw}) == settings.Settings(**{name.lower(): expected})


def test_the_table_is_the_settings_fields():
    """Each row of the table is a typed attribute of Settings with the row's default."""
    plain = settings.Settings()
    for row in settings.SETTINGS:
        assert getattr(plain, row.attribute) == row.default
        assert row.help.strip() and row.type is not None


def test_a_mistyped_setting_fails_at_once(tmp_path):
    from workshop import create_app

    with pytest.raises(ValueError, match="MAX_PARTICPANTS"):
        create_app({"ASYNC_MODE": "threading", "DATA_DIR": str(tmp_path), "MAX_PARTICPANTS": 3})
    with pytest.raises(AttributeError):
        settings.Settings().max_particpants  # noqa: B018 (a read of a name that is no setting)


@pytest.mark.parametrize("name,value", [("MAX_PARTICIPANTS", "300"), ("WEBSOCKET_DEFLATE", 1), ("RATE_JOIN", 5),
                                        ("EMIT_INTERVAL", True), ("PUBLIC_URL", 5)])
def test_a_value_of_the_wrong_type_fails_at_once_with_the_settings_name(name, value):
    with pytest.raises(TypeError, match=name):
        settings.Settings.load({name: value}, environ={})


def test_the_worker_number_is_read_from_the_environment_as_a_number():
    assert settings.Settings.load(environ={"WORKSHOP_WORKER": "2"}).worker == 2
    assert settings.Settings.load(environ={}).worker is None


def test_environment_overrides_reach_the_app(monkeypatch, tmp_path):
    from workshop import create_app

    monkeypatch.setenv("WORKSHOP_MAX_PARTICIPANTS", "7")
    app = create_app({"ASYNC_MODE": "threading", "DATA_DIR": str(tmp_path)})
    assert app.extensions["workshop"].config.max_participants == 7
    assert app.extensions["workshop"].live.config.max_participants == 7
