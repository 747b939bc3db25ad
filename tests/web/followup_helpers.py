"""Helpers for follow-up and comparison tests: run a whole session through the API and Socket.IO."""
from __future__ import annotations

import itertools
from typing import Any

from .helpers import connect, projector_key

QUESTIONS = ("begrippen", "uitspraak", "projecten", "kennis")
OPTIONS = {
    "begrippen": ("nooit", "zelden", "regelmatig", "dagelijks"),
    "uitspraak": ("ten-koste-van", "kan-helpen"),
    "projecten": ("0-procent", "1-10-procent", "10-30-procent", "30-100-procent"),
    "kennis": ("heel-weinig", "enkele-collegas", "meeste-collegas"),
}


def answers_at(level: int) -> dict[str, str]:
    """A participant's answers at a level 0..3 (higher levels pick higher options)."""
    return {q: OPTIONS[q][min(level, len(OPTIONS[q]) - 1)] for q in QUESTIONS}


class FakeClock:
    """A clock a minute further at every reading, so sessions made in one test have distinct dates."""

    def __init__(self, start_day: int = 1):
        """Start at a day of March 2025."""
        self.minutes = itertools.count()
        self.day = start_day

    def __call__(self) -> str:
        """The next time, ISO 8601 in UTC."""
        n = next(self.minutes)
        return f"2025-03-{self.day + n // 1440:02d}T{(n // 60) % 24:02d}:{n % 60:02d}:00+00:00"


def run_session(app, socketio, client, *, title: str, levels: list[int], organisation: str | None = None,
                follows: dict[str, Any] | None = None, steps: list[dict[str, str]] | None = None,
                agree: dict[str, str] | None = None) -> dict[str, Any]:
    """Create a session (optionally following up another), let people answer at levels, agree, go to results."""
    body: dict[str, Any] = {"title": title, "pacing": "self"}  # every question open at the start
    if organisation:
        body["organisation"] = organisation
    if follows:
        body.update(follows=follows["code"], follows_token=follows["facilitator_token"])
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 201, response.get_json()
    session = response.get_json()
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    assert facilitator.emit("command", {"action": "start"})["ok"]
    phones = []
    for level in levels:
        phone = connect(socketio, app, "participant", {"code": session["code"]})
        assert phone.emit("join", {})["ok"]
        for question, option in answers_at(level).items():
            ack = phone.emit("answer", {"question": question, "option": option, "round": 1})
            assert ack["ok"], ack
        phones.append(phone)
    assert facilitator.emit("command", {"action": "results"})["ok"]
    for question, option in (agree or {}).items():
        assert facilitator.emit("command", {"action": "agree", "question": question, "option": option})["ok"]
    if steps:
        assert facilitator.emit("steps", {"items": steps})["ok"]
    for phone in phones:
        phone.client.disconnect(namespace="/participant")
    session["facilitator"] = facilitator
    session["screen_key"] = projector_key(session)
    return session


def summary(client, session: dict[str, Any]) -> dict[str, Any]:
    """A session's summary through the API, with its facilitator token."""
    response = client.get(f"/api/sessions/{session['code']}/summary",
                          headers={"Authorization": f"Bearer {session['facilitator_token']}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()
