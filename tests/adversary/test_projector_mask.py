"""Finding 12: nothing about an unrevealed question's answers reaches the projector, in any view.

The projector link is on a screen the whole room sees (and in the browser history of whoever opened it).
Before the fix, with the facilitator's view on "disciplines" while a question was still open, the /screen
socket received per-discipline counts for that question, which it otherwise sees only as "n answered".
"""
from __future__ import annotations

from workshop.core.questionnaire import default
from workshop.core.state import AFTER_RESULTS_VIEWS, VIEWS

from ..web.conftest import room  # noqa: F401  (the fixture: a facilitator and a projector of one session)
from ..web.helpers import Inbox, connect, projector_key

Q = default()
LOW = {"begrippen": "nooit", "uitspraak": "ten-koste-van", "projecten": "0-procent", "kennis": "heel-weinig"}
HIGH = {"begrippen": "dagelijks", "uitspraak": "kan-helpen", "projecten": "30-100-procent", "kennis": "meeste-collegas"}
SCREEN_QUESTION_KEYS = {"round", "answered", "agreed"}


def payloads(inbox: Inbox) -> list[tuple[str, object]]:
    """Every event the socket received, in order."""
    return list(inbox.pull())


def leaks(payload: object, hidden: set[str], path: str = "") -> list[str]:
    """Paths in an event where an unrevealed question's spread, counts or the results appear."""
    found = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            here = f"{path}.{key}"
            if key in hidden and isinstance(value, dict) and set(value) - SCREEN_QUESTION_KEYS:
                found.append(here)  # more than round/answered/agreed of a hidden question
            if key in ("results", "median_total", "phase", "complete", "phase_counts", "discuss_first") \
                    and value not in (None, [], {}) and hidden:
                found.append(here)  # a sum over every question, the hidden ones included
            found += leaks(value, hidden, here)
    elif isinstance(payload, list):
        for i, value in enumerate(payload):
            found += leaks(value, hidden, f"{path}[{i}]")
    return found


def test_the_projector_on_the_disciplines_view_gets_no_counts_of_an_open_question(room):
    r = room(pacing="self", disciplines=["Directie", "Marketing"])
    assert r.command("start")["ok"]
    assert r.command("view", view="disciplines")["ok"]
    for discipline, answers in [("Directie", LOW)] * 3 + [("Marketing", HIGH)] * 3:
        phone, _ = r.join(None, discipline)
        for question, option in answers.items():
            assert phone.emit("answer", {"question": question, "option": option, "round": 1})["ok"]
    full = r.facilitator.wait("live", lambda d: d["seq"] == 24)
    assert full["disciplines"][0]["questions"]["begrippen"]["counts"] in ([3, 0, 0, 0], [0, 0, 0, 3])  # they exist
    late = connect(r.socketio, r.app, "screen", {"code": r.code, "key": projector_key(r.session)})  # connect snapshot
    r.screen.wait("live", lambda d: d["seq"] == 24)

    events = payloads(r.screen) + payloads(late)
    assert any(name == "snapshot" for name, _ in events)
    assert any(name == "live" and data["seq"] == 24 for name, data in events)  # sent while the answers came in
    every = {q.id for q in Q.questions}
    for name, data in events:
        assert leaks(data, every) == [], name
    on_screen = late.last("snapshot")["live"]
    assert [g["group"] for g in on_screen["disciplines"]] == ["Directie", "Marketing"]  # rows, sizes: no answers
    assert all(g["questions"] == {} for g in on_screen["disciplines"])
    assert on_screen["questions"]["begrippen"] == {"round": 1, "answered": 6, "agreed": None}

    # Revealing one question shows its spread by discipline; the others stay hidden.
    assert r.command("reveal", question="begrippen")["ok"]
    assert r.command("view", view="disciplines")["ok"]  # a reveal puts the room on the question (issue 11)
    live = r.screen.wait("live", lambda d: any("begrippen" in g["questions"] for g in d["disciplines"]))
    by_group = {g["group"]: g["questions"]["begrippen"]["counts"] for g in live["disciplines"]}
    assert by_group == {"Directie": [3, 0, 0, 0], "Marketing": [0, 0, 0, 3]}
    assert leaks(live, every - {"begrippen"}) == []
    assert live["questions"]["begrippen"]["rounds"][0]["stats"]["counts"] == [3, 0, 0, 3]

    # The results stage reveals everything: group totals and phases too.
    assert r.command("results")["ok"]
    live = r.screen.wait("live", lambda d: d["results"] is not None)
    groups = {g["group"]: g for g in live["disciplines"]}
    assert groups["Directie"]["median_total"] == 0.0 and groups["Marketing"]["median_total"] == 10.0
    assert groups["Marketing"]["questions"]["kennis"]["counts"] == [0, 0, 3]


def test_no_view_shows_the_projector_anything_of_an_open_question(room):
    r = room(pacing="self", disciplines=["Directie", "Marketing"])
    assert r.command("start")["ok"]
    for discipline, answers in [("Directie", LOW)] * 3 + [("Marketing", HIGH)] * 3:
        phone, _ = r.join(None, discipline)
        for question, option in answers.items():
            assert phone.emit("answer", {"question": question, "option": option, "round": 1})["ok"]
    for question in ("begrippen", "uitspraak", "projecten"):
        assert r.command("reveal", question=question)["ok"]
    for view in VIEWS:
        if view in AFTER_RESULTS_VIEWS:  # refused while questions run (tests/adversary/test_followup_mask.py)
            assert r.command("view", view=view)["error"]["code"] == "not_allowed_now"
            continue
        assert r.command("view", view=view)["ok"]
        projector = connect(r.socketio, r.app, "screen", {"code": r.code, "key": projector_key(r.session)})
        assert leaks(projector.wait("snapshot"), {"kennis"}) == [], view
    assert r.command("view", view="rounds")["ok"]  # a state change sends a fresh aggregate
    events = payloads(r.screen)
    assert sum(name == "live" for name, _ in events) > 2 and sum(name == "state" for name, _ in events) > 2
    for name, data in events:
        assert leaks(data, {"kennis"}) == [], name
    live = r.screen.last("live")
    assert live["questions"]["projecten"]["rounds"][0]["stats"]["counts"] == [3, 0, 0, 3]  # revealed ones do show
    assert set(live["questions"]["kennis"]) == SCREEN_QUESTION_KEYS
