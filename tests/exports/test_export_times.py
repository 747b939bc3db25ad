"""Times people read are local with the zone named (TIME_ZONE), never unlabelled UTC (issue 11, point 9)."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from workshop import exports
from workshop import create_app
from workshop.core.localtime import local_minute, to_local

from .exports_dataset import CODE, NOW, workshop  # noqa: F401 (workshop is a fixture)


def answer_times(body: bytes) -> tuple[str, set]:
    """The answers sheet's time header and the set of its answer times."""
    sheet = load_workbook(io.BytesIO(body))["Antwoorden"]
    header = [c.value for c in sheet[1]][-1]
    return header, {row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_facilitators_workbook_shows_amsterdam_time_and_says_so(client, workshop):
    assert client.get(f"/s/{CODE}/manage?t={workshop.token}").status_code == 303
    header, times = answer_times(client.get(f"/s/{CODE}/export.xlsx").get_data())
    assert NOW == "2025-03-14T10:00:00+00:00"
    assert header == "Beantwoord om (Europe/Amsterdam)"
    assert times == {datetime(2025, 3, 14, 11, 0)}  # 10:00 UTC is 11:00 in Amsterdam in March (CET)


def test_the_workbook_follows_the_time_zone_it_is_given(app, workshop):
    svc = app.extensions["workshop"]
    summary = exports.load_summary(svc.live.store, svc.live.questionnaire, CODE, now=NOW)
    header, times = answer_times(exports.render(summary, "xlsx", svc.live.questionnaire, "Asia/Tokyo"))
    assert header == "Beantwoord om (Asia/Tokyo)" and times == {datetime(2025, 3, 14, 19, 0)}


@pytest.mark.parametrize("iso,zone,shown", [
    ("2025-03-14T10:00:00+00:00", "Europe/Amsterdam", "2025-03-14 11:00 CET"),
    ("2025-07-01T22:30:00+00:00", "Europe/Amsterdam", "2025-07-02 00:30 CEST"),  # summer time, past midnight
    ("2025-07-01T22:30:00", "UTC", "2025-07-01 22:30 UTC"),  # no offset stored: read as UTC
])
def test_local_minute_names_the_zone(iso, zone, shown):
    assert local_minute(iso, zone) == shown
    assert to_local(iso, zone).utcoffset() is not None


def test_an_unknown_time_zone_stops_the_start(tmp_path):
    with pytest.raises(Exception, match="Mars/Olympus"):
        create_app({"DATA_DIR": str(tmp_path), "TIME_ZONE": "Mars/Olympus", "TESTING": True})
