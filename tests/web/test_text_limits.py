"""The facilitator's longest texts fit in one Socket.IO message, and longer ones are refused."""
from __future__ import annotations

import json

from workshop import settings
from workshop.live import service as live

WORST = "\U0001F600"  # a 4-byte character in UTF-8


def packet(event: str, payload: dict) -> bytes:
    """The Socket.IO packet a browser sends for an event with an acknowledgement."""
    return ("42/facilitator,123" + json.dumps([event, payload], ensure_ascii=False)).encode()


def test_the_longest_note_and_step_list_fit_in_one_message():
    limit = settings.defaults()["MAX_MESSAGE_BYTES"]
    note = packet("note", {"question": "begrippen", "text": WORST * live.NOTE_MAX})
    steps = packet("steps", {"items": [{name: WORST * n for name, n in live.STEP_FIELD_MAX.items()}] * live.STEPS_MAX})
    assert len(note) < limit and len(steps) < limit


def test_texts_over_the_limits_are_refused(room):
    r = room()
    assert r.facilitator.emit("note", {"question": "", "text": "x" * live.NOTE_MAX})["ok"]
    assert r.facilitator.emit("note", {"question": "", "text": "x" * (live.NOTE_MAX + 1)})["error"]["code"] == "bad_request"
    full = [{"what": "w" * 120, "who": "v" * 50, "due": "d" * 30}] * live.STEPS_MAX
    assert r.facilitator.emit("steps", {"items": full})["ok"]
    assert r.facilitator.emit("steps", {"items": full + [{"what": "x"}]})["error"]["code"] == "bad_request"
    assert r.facilitator.emit("steps", {"items": [{"what": "w" * 121}]})["error"]["code"] == "bad_request"
