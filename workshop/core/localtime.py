"""Stored times are UTC (ISO 8601); people read them in the installation's time zone (the TIME_ZONE setting)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def to_local(iso: str, zone: str) -> datetime:
    """A stored ISO timestamp (UTC when it names no offset) as an aware time in the zone."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(zone))


def local_minute(iso: str, zone: str) -> str:
    """A stored timestamp as local date and time to the minute with the zone's abbreviation, e.g. '2025-03-14 11:00 CET'."""
    moment = to_local(iso, zone)
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"
