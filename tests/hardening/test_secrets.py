"""Secrets: random tokens stored hashed and compared in constant time, the installation key, no code enumeration."""
from __future__ import annotations

import base64
import hmac
import os
import re
import stat
from pathlib import Path

import pytest

from workshop.core import security
from workshop.core.security import CODE_ALPHABET, CODE_LENGTH

WORKSHOP = Path(security.__file__).resolve().parent


def connect(app, role, auth):
    """A Socket.IO test client for a role."""
    return app.extensions["socketio"].test_client(app, namespace=f"/{role}", auth=auth,
                                                  flask_test_client=app.test_client())


def token_bits(token: str) -> int:
    """How many random bits a URL-safe base64 token carries."""
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


# Tokens

def test_tokens_are_random_and_at_least_128_bits(app, new_session):
    sessions = [new_session() for _ in range(20)]
    phone = connect(app, "participant", {"code": sessions[0]["code"]})
    participant = phone.emit("join", {}, namespace="/participant", callback=True)["token"]
    tokens = [s["facilitator_token"] for s in sessions] + [participant]
    assert all(token_bits(t) >= 128 for t in tokens)
    assert len(set(tokens)) == len(tokens)
    assert security.TOKEN_BYTES * 8 >= 128
    keys = [s["projector_url"].split("k=", 1)[1] for s in sessions]
    assert all(len(k) * 4 >= 128 for k in keys) and len(set(keys)) == len(keys)  # hex: 4 bits a character


def test_tokens_are_stored_hashed_never_in_clear(app, new_session, data_dir):
    session = new_session()
    phones = [connect(app, "participant", {"code": session["code"]}) for _ in range(3)]
    tokens = [p.emit("join", {"nickname": "Anna"}, namespace="/participant", callback=True)["token"] for p in phones]
    tokens.append(session["facilitator_token"])
    key = session["projector_url"].split("k=", 1)[1]
    fac = connect(app, "facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    fac.emit("report_link", {"enabled": True}, namespace="/facilitator", callback=True)
    stored = b"".join(f.read_bytes() for f in data_dir.iterdir() if f.name.startswith("workshop.sqlite3"))
    assert security.token_hash(tokens[0]).encode() in stored  # we are looking at the right bytes
    for token in tokens:
        assert token.encode() not in stored
        assert base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)) not in stored
    assert key.encode() not in stored  # derived from the installation secret, never stored


def test_every_secret_comparison_uses_compare_digest(app, new_session, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    session = new_session()
    code, token = session["code"], session["facilitator_token"]
    key = session["projector_url"].split("k=", 1)[1]

    def compared(action) -> int:
        calls.clear()
        action()
        return len(calls)

    assert compared(lambda: connect(app, "facilitator", {"code": code, "token": token}))
    assert compared(lambda: connect(app, "screen", {"code": code, "key": key}))
    assert compared(lambda: app.test_client().get(f"/api/sessions/{code}", headers={"Authorization": f"Bearer {token}"}))
    assert compared(lambda: app.test_client().get(f"/s/{code}/manage?t={token}"))
    assert compared(lambda: app.test_client().get(f"/s/{code}/screen?k={key}"))
    phone = connect(app, "participant", {"code": code})
    participant = phone.emit("join", {}, namespace="/participant", callback=True)["token"]
    assert compared(lambda: connect(app, "participant", {"code": code, "token": participant}))


def test_security_module_compares_secrets_only_with_compare_digest():
    source = (WORKSHOP / "security.py").read_text()
    for name in ("token_matches", "key_matches"):
        body = source.split(f"def {name}", 1)[1].split("\ndef ", 1)[0]
        assert "hmac.compare_digest(" in body and " == " not in body


@pytest.mark.parametrize("presented", ["é" * 32, "\ud800" * 10, "x" * 201, "", None, 5, ["x"]])
def test_odd_presented_secrets_are_simply_wrong(presented):
    stored = security.token_hash("right")
    assert security.token_matches(presented, stored) is False
    assert security.key_matches(b"s" * 32, "screen", "ABCDEF", presented) is False


# The installation secret

def test_secret_key_is_generated_once_per_data_dir(make_app, tmp_path):
    from tests.conftest import TEST_CONFIG
    from workshop import create_app

    first = make_app().config["SECRET_KEY"]
    again = make_app().config["SECRET_KEY"]  # a restart on the same data dir
    other = create_app({**TEST_CONFIG, "DATA_DIR": str(tmp_path / "other")}).config["SECRET_KEY"]
    assert first == again != other
    assert len(first) >= 32


def test_secret_key_file_is_private(make_app, data_dir):
    old = os.umask(0)  # even with a careless umask
    try:
        app = make_app()
    finally:
        os.umask(old)
    path = data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().strip() == app.config["SECRET_KEY"]
    assert not list(data_dir.glob("*.tmp"))


def test_a_damaged_secret_file_is_replaced(make_app, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "secret_key").write_bytes(b"short")
    assert make_app().config["SECRET_KEY"] != b"short"


def test_no_secret_is_a_constant_in_the_code():
    pattern = re.compile(r"(SECRET_KEY|secret|token)\s*=\s*['\"][^'\"]{6,}['\"]", re.IGNORECASE)
    for path in WORKSHOP.rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path


# Codes cannot be enumerated

def test_codes_are_long_enough_and_unambiguous():
    assert CODE_LENGTH >= 6 and len(CODE_ALPHABET) ** CODE_LENGTH > 5 * 10**8
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert len({security.new_code() for _ in range(500)}) > 490


def test_wrong_code_lookups_are_rate_limited_per_address_but_valid_codes_still_work(make_app, new_session):
    app = make_app(RATE_LOOKUP=(3, 60.0))
    http = app.test_client()
    real = http.post("/api/sessions", json={"title": "Real"}).get_json()
    code = real["code"]
    assert connect(app, "participant", {"code": code}).is_connected("/participant")  # successes cost nothing
    assert http.get(f"/j/{code}").status_code == 200
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert http.get(f"/j/{guess}").status_code == 404
    # the budget is spent: every wrong guess from this address is refused, but a valid code still works
    # (a room behind one NAT must not be locked out by one client's typos; see docs/security.md)
    assert http.get("/j/DDDDDD").status_code == 429
    assert http.get("/j?code=EEEEEE").status_code == 429
    assert http.get("/s/FFFFFF/qr.svg").status_code == 429
    assert http.get("/api/sessions/GGGGGG", headers={"Authorization": "Bearer x"}).status_code == 429
    assert http.get(f"/j/{code}").status_code == 200
    assert http.get(f"/s/{code}/qr.svg").status_code == 200
    assert connect(app, "participant", {"code": code}).is_connected("/participant")
    assert not connect(app, "participant", {"code": "HHHHHH"}).is_connected("/participant")
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert other.get("/j/JJJJJJ").status_code == 404  # another address has its own budget


def test_join_code_form_lookups_count_too(make_app):
    app = make_app(RATE_LOOKUP=(2, 60.0))
    http = app.test_client()
    assert http.get("/j?code=AAAAAA").status_code == 404
    assert http.get("/j?code=BBB-BBB").status_code == 404
    assert http.get("/j?code=CCCCCC").status_code == 429
