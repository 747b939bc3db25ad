"""The facilitator's longest texts fit in one Socket.IO message, and longer ones are refused."""
from __future__ import annotations

import json

from workshop import settings
from workshop.live.service import STEP_FIELDS

LIMITS = settings.defaults()
NOTE_MAX, STEPS_MAX = LIMITS["NOTE_MAX"], LIMITS["STEPS_MAX"]
STEP_FIELD_MAX = {name: LIMITS[f"STEP_{name.upper()}_MAX"] for name in STEP_FIELDS}

WORST = "\U0001F600"  # a 4-byte character in UTF-8


def packet(event: str, payload: dict) -> bytes:
    """The Socket.IO packet a browser sends for an event with an acknowledgement."""
    return ("42/facilitator,123" + json.dumps([event, payload], ensure_ascii=False)).encode()


def test_the_longest_note_and_step_list_fit_in_one_message():
    limit = settings.defaults()["MAX_MESSAGE_BYTES"]
    note = packet("note", {"question": "begrippen", "text": WORST * NOTE_MAX})
    steps = packet("steps", {"items": [{name: WORST * n for name, n in STEP_FIELD_MAX.items()}] * STEPS_MAX})
    assert len(note) < limit and len(steps) < limit


def test_texts_over_the_limits_are_refused(room):
    r = room()
    assert r.facilitator.emit("note", {"question": "", "text": "x" * NOTE_MAX})["ok"]
    assert r.facilitator.emit("note", {"question": "", "text": "x" * (NOTE_MAX + 1)})["error"]["code"] == "bad_request"
    full = [{"what": "w" * 120, "who": "v" * 50, "due": "d" * 30}] * STEPS_MAX
    assert r.facilitator.emit("steps", {"items": full})["ok"]
    assert r.facilitator.emit("steps", {"items": full + [{"what": "x"}]})["error"]["code"] == "bad_request"
    assert r.facilitator.emit("steps", {"items": [{"what": "w" * 121}]})["error"]["code"] == "bad_request"


def test_the_settings_set_the_limits_of_the_form_its_messages_and_the_validation(make_app):
    import re

    client = make_app(TITLE_MAX=10, MAX_DISCIPLINES=2, DISCIPLINE_MAX=5, DEFAULT_LANGUAGE="en").test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'maxlength="10"' in page and "One per line, at most 2." in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"pacing": "paced", "language": "en", "csrf_token": token}
    long_title = client.post("/sessions", data={**form, "title": "x" * 11})
    assert long_title.status_code == 400 and "(at most 10 characters)" in long_title.get_data(as_text=True)
    client.get("/lang/nl")
    long_name = client.post("/sessions", data={**form, "title": "Kort", "disciplines": "Marketing"})
    assert long_name.status_code == 400
    assert "Geef hoogstens 2 disciplines van elk hoogstens 5 tekens." in long_name.get_data(as_text=True)
    assert client.post("/sessions", data={**form, "title": "Kort", "disciplines": "Sales"}).status_code == 303
