"""Loading a session's summary from the store: the only exports module that imports the store."""
from __future__ import annotations

import json
from typing import Any

from workshop.core import stats
from workshop.core.questionnaire import Questionnaire
from workshop.core.state import SessionState
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
    return build_summary(
        session=session, questionnaire=questionnaire, state=SessionState.from_dict(json.loads(row["state"])),
        participants=store.participants(row["id"]), answers=store.answers(row["id"]),
        notes=store.notes(row["id"]), steps=store.steps(row["id"]), generated_at=now,
        carried_steps=store.carried_steps(row["id"]),
        include_nicknames=include_nicknames, min_group_size=min_group_size, language=language,
    )
