"""Finding 15 (text): joiners survive, bidi tricks do not, and limits count what a reader counts.

A participant joins over Socket.IO with names a real person may have (family emoji held
together by zero-width joiners, Persian with a zero-width non-joiner) and names an
attacker may send (bidi overrides and isolates that reorder the projector, zero-width
spaces, one character with thousands of combining marks). The nickname limit
(NICKNAME_MAX, 40) counts grapheme clusters; a byte cap (NICKNAME_MAX_BYTES) keeps one
join in one message; the phone page takes its limits from the settings.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.web.helpers import connect

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # 7 code points, 25 bytes, 1 character
THUMB = "\U0001F44D\U0001F3FD"  # thumbs up, medium skin tone: 2 code points, 8 bytes, 1 character
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "mikhaham": needs its ZWNJ
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]


@pytest.fixture
def join(app, socketio, new_session):
    """Join a fresh session with a nickname over Socket.IO; return the acknowledgement."""
    session = new_session()

    def send(nickname):
        phone = connect(socketio, app, "participant", {"code": session["code"]})
        return phone.emit("join", {"nickname": nickname})
    return send


def test_forty_family_emoji_are_forty_characters(join):
    ack = join(FAMILY * 40)
    assert ack["ok"], ack
    assert ack["me"]["nickname"] == FAMILY * 40  # every joiner kept: still families, not 160 loose people


def test_forty_one_family_emoji_are_refused_with_the_limit_named(join):
    ack = join(FAMILY * 41)
    assert ack["ok"] is False and ack["error"]["code"] == "bad_nickname"
    assert "40" in ack["error"]["message"]


def test_the_limit_is_clusters_not_code_points_nor_bytes(join):
    assert join(THUMB * 40)["ok"]  # 80 code points, 320 bytes
    refused = join(THUMB * 41)  # 328 bytes: far under the byte cap, one character too many
    assert refused["ok"] is False and refused["error"]["code"] == "bad_nickname"


def test_zero_width_non_joiner_survives(join):
    ack = join(f"{PERSIAN} \U0001F3F4\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F")
    assert ack["ok"], ack
    assert ack["me"]["nickname"] == f"{PERSIAN} \U0001F3F4\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F"


@pytest.mark.parametrize("mark", BIDI + ["\u200b", "\u2060", "\ufeff", "\u00ad", "\U000E0041"])
def test_bidi_controls_and_other_invisible_format_characters_are_removed(join, mark):
    ack = join(f"{mark}Mallory{mark}gpj.exe{mark}")
    assert ack["ok"], ack
    assert ack["me"]["nickname"] == "Mallorygpj.exe"


def test_a_name_of_only_invisible_characters_is_no_name(join):
    ack = join("\u200d\u200c\u200b\u202e")
    assert ack["ok"], ack
    assert ack["me"]["nickname"] is None


def test_one_character_with_thousands_of_marks_hits_the_byte_cap(app, join):
    cap = app.extensions["workshop"].config.nickname_max_bytes
    zalgo = "x" + "\u0301\u0316" * 1000  # one grapheme cluster of 4,001 bytes
    ack = join(zalgo)
    assert ack["ok"] is False and ack["error"]["code"] == "bad_nickname"
    heavy = ("x" + "\u0301" * 20) * 30  # 30 characters, 1,230 bytes
    assert len(heavy.encode()) > cap
    assert join(heavy)["error"]["code"] == "bad_nickname"
    assert join(("x" + "\u0301" * 20) * (cap // 41))["ok"]  # as many as the cap holds


def test_the_longest_valid_join_fits_in_one_message(app):
    limit = app.extensions["workshop"].config.max_message_bytes
    longest = "x" * app.extensions["workshop"].config.nickname_max_bytes  # the byte cap binds before the character count
    packet = ("42/participant,1" + json.dumps(["join", {"nickname": longest, "discipline": "d" * 160}],
                                              ensure_ascii=False)).encode()
    assert len(packet) < limit


def test_texts_of_the_facilitator_keep_joiners_and_lose_bidi(app, client, socketio):
    reply = client.post("/api/sessions", json={"title": f"\u202e{FAMILY} jaarplan", "disciplines": [f"{PERSIAN}\u2067"]})
    assert reply.status_code == 201, reply.get_json()
    session = reply.get_json()
    assert session["title"] == f"{FAMILY} jaarplan"
    assert app.extensions["workshop"].live.room(session["code"]).disciplines == [PERSIAN]
    facilitator = connect(socketio, app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    # 19 families: 133 code points but 19 characters (and 475 bytes, inside the 4-bytes-per-character cap)
    what, due = FAMILY * 19, "x\u0301" * 30  # due: 30 characters of 2 code points each
    ack = facilitator.emit("steps", {"items": [{"what": f"{what}\u202d", "who": "\u2066Anna", "due": due}]})
    assert ack["ok"], ack
    assert ack["items"] == [{"what": what, "who": "Anna", "due": due, "idea": None}]
    too_long = facilitator.emit("steps", {"items": [{"what": "w", "due": "x\u0301" * 31}]})
    assert too_long["ok"] is False and too_long["error"]["field"] == "due"
    note = facilitator.emit("note", {"question": "", "text": f"{FAMILY}\u202e tekst\n\u2066regel"})
    assert note["ok"], note
    summary = client.get(f"/api/sessions/{session['code']}/summary",
                         headers={"Authorization": f"Bearer {session['facilitator_token']}"}).get_json()
    assert summary["notes"]["general"] == f"{FAMILY} tekst\nregel"


@pytest.mark.parametrize("nickname_max", [40, 12])
def test_the_phone_page_takes_the_limit_from_the_settings_and_never_blocks_a_valid_name(make_app, nickname_max):
    app = make_app(NICKNAME_MAX=nickname_max)
    client = app.test_client()
    code = client.post("/api/sessions", json={"title": "Proef"}).get_json()["code"]
    page = client.get(f"/j/{code}").get_data(as_text=True)
    field = re.search(r'<input id="nickname"[^>]*>', page).group(0)
    maxlength = int(re.search(r'maxlength="(\d+)"', field).group(1))
    assert re.search(r'data-max="(\d+)"', field).group(1) == str(nickname_max)
    assert f"0/{nickname_max}</span>" in page
    longest_valid = FAMILY * (app.extensions["workshop"].config.nickname_max_bytes // len(FAMILY.encode()))
    assert maxlength >= len(longest_valid.encode("utf-16-le")) // 2  # maxlength counts UTF-16 units
    refused = connect(app.extensions["socketio"], app, "participant", {"code": code}).emit(
        "join", {"nickname": "n" * (nickname_max + 1)})
    assert refused["error"]["code"] == "bad_nickname" and str(nickname_max) in refused["error"]["message"]
