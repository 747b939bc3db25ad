"""A cohort of five summaries of two organisations, made from the fixed summary (tests/exports/data)."""
from __future__ import annotations

import copy
import json

from tests.exports.exports_dataset import DATA


def cohort() -> list[dict]:
    """Five sessions of two organisations made from the fixed summary (dates, labels and steps changed)."""
    base = json.loads((DATA / "summary.json").read_text(encoding="utf-8"))
    sessions = []
    for n, (organisation, year) in enumerate([("Museum De Waag", 2023), ("Theater Bouwkunde", 2023),
                                              ("Museum De Waag", 2024), ("Theater Bouwkunde", 2024),
                                              ("Museum De Waag", 2025)]):
        summary = copy.deepcopy(base)
        summary["session"].update(code=f"K7QX{n}M", created_at=f"{year}-03-1{n}T10:00:00+00:00",
                                  organisation=organisation, title=f"{organisation} {year}")
        summary["steps"] = [{**s, "carried": True, "status": "partly"} for s in base["steps"]] + base["steps"]
        sessions.append(summary)
    return sessions
