"""The start page's "Your sessions" shows local time with the zone (TIME_ZONE), not bare UTC (issue 11, point 9)."""
from __future__ import annotations

import re

import pytest

from workshop.core.localtime import local_minute

from .test_pages import create_by_form


@pytest.mark.parametrize("zone,abbreviations", [("Europe/Amsterdam", ("CET", "CEST")), ("Asia/Tokyo", ("JST",))])
def test_your_sessions_shows_the_creation_time_in_the_time_zone(make_app, zone, abbreviations):
    client = make_app(TIME_ZONE=zone).test_client()
    assert create_by_form(client).status_code == 303
    page = client.get("/").get_data(as_text=True)
    stored, shown = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page).groups()
    assert shown == local_minute(stored, zone)
    assert shown.endswith(abbreviations)
    assert shown[:16] != stored.replace("T", " ")[:16]  # not the UTC time (Amsterdam and Tokyo are never UTC+0)
