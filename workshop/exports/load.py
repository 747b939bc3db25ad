"""Loading a session's summary from the store: the only exports module that imports the store."""
from __future__ import annotations

import json
from typing import Any

from workshop.core import stats
from workshop.core.questionnaire import Questionnaire
from workshop.core.state import SessionState
from workshop.core import activities as act
from workshop.core.activities import ActivityState
from workshop.core.activity_summary import activity_summary, ideas_from_rows
from workshop.core.programme import default as default_programme
from workshop.core.summary import build_summary
from workshop.store.interface import SessionStore

SESSION_COLUMNS = ("code", "title", "created_at", "updated_at", "language", "questionnaire_id",
                   "questionnaire_version", "organisation", "follows")


def load_summary(store: SessionStore, questionnaire: Questionnaire, code: str, *, now: str,
                 include_nicknames: bool = True, min_group_size: int = stats.MIN_GROUP_SIZE,
                 language: str | None = None) -> dict[str, Any] | None:
    """Build a session's summary from the database, or None for an unknown code."""
    row = store.session(code)
    if row is None:
        return None
    session = {key: row[key] for key in SESSION_COLUMNS}
    session["disciplines"] = json.loads(row["disciplines"])
    participants = store.participants(row["id"])
    summary = build_summary(
        session=session, questionnaire=questionnaire, state=SessionState.from_dict(json.loads(row["state"])),
        participants=participants, answers=store.answers(row["id"]),
        notes=store.notes(row["id"]), steps=store.steps(row["id"]), generated_at=now,
        carried_steps=store.carried_steps(row["id"]),
        include_nicknames=include_nicknames, min_group_size=min_group_size, language=language,
    )
    summary.update(_activities(store, row, participants, min_group_size))
    return summary


def _activities(store: SessionStore, row: Any, participants: list[Any], min_group_size: int) -> dict[str, Any]:
    """The summary's activities, challenges and ideas (a session from before the activities: defaults, empty)."""
    programme = default_programme()
    stored = store.activities(row["id"])
    state = ActivityState.from_dict(stored) if stored else act.initial(
        programme.programme, [(c.id, c.text(row["language"])) for c in programme.challenges])
    disciplines = {p["id"]: p["discipline"] for p in participants if p["removed_at"] is None}
    return activity_summary(state=state, programme=programme, picks=store.picks(row["id"]),
                            ideas=ideas_from_rows(store.ideas(row["id"])), dots=store.dots(row["id"]),
                            disciplines=disciplines, language=row["language"], min_group_size=min_group_size)
