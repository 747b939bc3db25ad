"""Fuzzing every socket event and HTTP endpoint: no unhandled exception, no 500, no change from a refused message.

Socket handler exceptions are made to propagate into the test (the app's default
error handler is switched off), ERROR log records of the app and the Socket.IO stack
fail the example, and every refused message must leave the database's rows unchanged.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_CONFIG
from workshop import create_app
from workshop.core import security
from workshop.core.activities import ACTIVITY_ACTIONS
from workshop.core.ideas import MODERATION
from workshop.core.programme import default as default_programme
from workshop.core.questionnaire import default as default_questionnaire
from workshop.web import protocol

from .helpers import RUNS, db_fingerprint, script_sources

EXAMPLES = 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
QUESTIONNAIRE = default_questionnaire()
QUESTION_IDS = [q.id for q in QUESTIONNAIRE.questions]
OPTION_IDS = [o.id for q in QUESTIONNAIRE.questions for o in q.options]
PROGRAMME = default_programme()
CHALLENGE_IDS = [c.id for c in PROGRAMME.challenges]
PROMPT_IDS = [pr.id for pr in PROGRAMME.prompts]
NOARG = object()  # emit the event without any payload

# Text a hostile or broken client may send: controls, NUL, lone surrogates, bidi overrides,
# zero-width characters, combining marks, astral characters, and very long strings.
ODD_PIECES = ["\x00", "\ud800", "\udfff", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u0301", "e\u0301",
              "\U0001f600", "\U0010ffff", "ß", "İ", "\r\n", "\t", "\x7f", "\x1b[31m", "'; DROP TABLE answers; --",
              "<script>alert(1)</script>", "{{7*7}}", "%s%n", "../../etc/passwd", " ", ""]
odd_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),  # includes surrogates
    st.lists(st.sampled_from(ODD_PIECES), max_size=6).map("".join),
    st.sampled_from(QUESTION_IDS + OPTION_IDS + ["", "ZZZZZZ", "begrippen ", "BEGRIPPEN"]),
    st.integers(min_value=100, max_value=6000).map(lambda n: "\u00e9" * n),
    st.just("x" * 70_000),
)
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from([0, 1, 2, -1, 2**31, 2**63]),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans())
scalars = st.one_of(st.none(), numbers, odd_text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(odd_text, inner, max_size=4), max_leaves=8)


PHONE = "<the phone's participant id>"  # replaced by the real id before sending


def mostly(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """The given (valid-looking) values three times in four, junk otherwise."""
    return st.sampled_from([0, 1, 2, 3]).flatmap(lambda i: json_values if i == 3 else strategy)


def weighted(*pairs: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Choose among strategies with integer weights (uniformly per draw, unlike one_of's shrinking bias)."""
    table = [strategy for weight, strategy in pairs for _ in range(weight)]
    return st.sampled_from(range(len(table))).flatmap(lambda i: table[i])


def payloads(*, shaped: st.SearchStrategy | None = None, top: bool = True, **fields) -> st.SearchStrategy:
    """Mostly objects with (mostly valid) fields, some with fields missing or extra, some no object at all.

    `top`: the payload of an event, which may also be missing altogether (NOARG).
    """
    values = {name: mostly(strategy) for name, strategy in fields.items()}
    full = shaped if shaped is not None else st.fixed_dictionaries(values)
    partial = st.fixed_dictionaries({}, optional=values)
    extra = full.flatmap(lambda d: st.dictionaries(odd_text, json_values, min_size=1, max_size=3)
                         .map(lambda e: {**e, **d}))
    kinds = [full, full, full, full, partial, partial, extra, json_values] + ([st.just(NOARG)] if top else [])
    return st.sampled_from(range(len(kinds))).flatmap(lambda i: kinds[i])


@st.composite
def answers(draw) -> dict:
    """An answer whose option usually belongs to its question, in the current round or not."""
    question = draw(st.sampled_from(QUESTIONNAIRE.questions))
    return {"question": draw(mostly(st.just(question.id))),
            "option": draw(mostly(st.sampled_from([o.id for o in question.options]))),
            "round": draw(mostly(st.sampled_from([1, 1, 1, 2, 0, -1])))}


class World:
    """One app (threading mode, exceptions propagate) with helpers to make sessions and clients."""

    def __init__(self, data_dir):
        """Build the app on its own data dir."""
        self.app = create_app({**TEST_CONFIG, "DATA_DIR": str(data_dir), "TESTING": True})
        self.socketio = self.app.extensions["socketio"]
        self.socketio.default_exception_handler = None  # let handler exceptions reach the test
        self.svc = self.app.extensions["workshop"]
        self.db_path = data_dir / "workshop.sqlite3"
        self.http = self.app.test_client()
        self.clients: list = []

    def session(self, pacing: str = "self", start: bool = True) -> dict[str, Any]:
        """Create a session (started: every question open when self-paced)."""
        reply = self.http.post("/api/sessions", json={"title": "Fuzz", "pacing": pacing}).get_json()
        reply["key"] = reply["projector_url"].split("k=", 1)[1]
        if start:
            fac = self.connect("facilitator", {"code": reply["code"], "token": reply["facilitator_token"]})
            assert fac.emit("command", {"action": "start"}, namespace="/facilitator", callback=True)["ok"]
        return reply

    def connect(self, role: str, auth: Any):
        """A Socket.IO test client for a role (may be refused)."""
        client = self.socketio.test_client(self.app, namespace=f"/{role}", auth=auth,
                                           flask_test_client=self.app.test_client())
        self.clients.append((client, f"/{role}"))
        return client

    def close_clients(self) -> None:
        """Disconnect every client made so far."""
        for client, ns in self.clients:
            if client.is_connected(ns):
                client.disconnect(namespace=ns)
        self.clients.clear()


@pytest.fixture
def world(tmp_path, error_trap):
    """A fresh app for one fuzz test; any ERROR log record fails the test at the end too."""
    w = World(tmp_path / "data")
    yield w
    w.close_clients()
    assert error_trap.take() == []


def emit_refused_or_ok(world: World, error_trap, client, namespace: str, event: Any, payload: Any) -> dict:
    """Send one event; check the reply's shape, the failed event and that a refusal changed nothing."""
    client.get_received(namespace)
    before = db_fingerprint(world.db_path)
    args = () if payload is NOARG else (payload,)
    ack = client.emit(event, *args, namespace=namespace, callback=True)
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    RUNS["fuzz: socket messages accepted" if ack["ok"] else "fuzz: socket messages refused"] += 1
    if not ack["ok"]:
        code = ack["error"]["code"]
        assert code in protocol.ERRORS and code != "internal", ack
        failed = [e["args"][0] for e in client.get_received(namespace) if e["name"] == protocol.FAILED]
        assert failed and failed[-1]["code"] == code
        assert db_fingerprint(world.db_path) == before, (event, payload)
    assert error_trap.take() == []
    return ack


# Phones

participant_events = weighted(
    (2, st.tuples(st.just("join"), payloads(nickname=odd_text | st.sampled_from(["Anna", None]),
                                            discipline=st.sampled_from(["Anders", "Bedrijfsvoering", None])))),
    (4, st.tuples(st.just("answer"), payloads(shaped=answers(), question=st.just("x"), option=st.just("x"),
                                              round=st.just(1)))),
    # the proeftuin activities (issue 13): picks, ideas and dots
    (1, st.tuples(st.just("pick"), payloads(picks=st.lists(st.sampled_from(CHALLENGE_IDS) | odd_text, max_size=4)
                                            | json_values))),
    (1, st.tuples(st.just("idea"), payloads(text=odd_text, prompt=st.sampled_from(PROMPT_IDS) | odd_text))),
    (1, st.tuples(st.just("dots"), payloads(idea=st.sampled_from([1, 2, 0, -1, 10**6]) | numbers,
                                            count=st.sampled_from([0, 1, 2, 3, -1]) | numbers))),
    (1, st.tuples(st.sampled_from(["command", "note", "steps", "report_link", "facilitator_link", "step_status", "connect",
                                   "disconnect", "error",
                                   "message", "snapshot", "failed", "removed", "state", "live", "__init__", "_bind",
                                   "on_join", "JOIN", ""]) | odd_text | st.integers(), json_values)),
)


@FUZZ
@given(joined=st.sampled_from([True, True, True, False]), event=participant_events,
       extra=st.sampled_from(range(6)).flatmap(lambda i: st.lists(json_values, min_size=1, max_size=2) if i == 5
                                               else st.just([])))
def test_participant_events(world, error_trap, joined, event, extra):
    RUNS["fuzz: participant events"] += 1
    if not hasattr(world, "phone_session"):
        world.phone_session = world.session()
    code = world.phone_session["code"]
    phone = world.connect("participant", {"code": code})
    if joined:
        assert phone.emit("join", {}, namespace="/participant", callback=True)["ok"]
    name, payload = event
    if extra and payload is not NOARG:  # more arguments than the event takes
        before = db_fingerprint(world.db_path)
        ack = phone.emit(name, payload, *extra, namespace="/participant", callback=True)
        assert isinstance(ack, dict) and (ack["ok"] or db_fingerprint(world.db_path) == before)
        assert ack["ok"] or ack["error"]["code"] != "internal"
    else:
        emit_refused_or_ok(world, error_trap, phone, "/participant", name, payload)
    assert phone.is_connected("/participant")  # a bad message never costs the connection
    world.close_clients()


# Facilitator

command_payloads = payloads(
    action=st.sampled_from(sorted(protocol.ACTIONS)),
    question=st.sampled_from(QUESTION_IDS),
    option=st.sampled_from(OPTION_IDS + [None]),
    participant=st.sampled_from([PHONE, PHONE, 0, -1, 10**6]) | numbers,
    view=st.sampled_from(["auto", "question", "results", "disciplines", "rounds", "consensus", "progress", "followup"]),
)
facilitator_events = weighted(
    (5, st.tuples(st.just("command"), command_payloads)),
    (1, st.tuples(st.just("note"), payloads(question=st.sampled_from(QUESTION_IDS + [""]), text=odd_text))),
    (1, st.tuples(st.just("steps"), payloads(items=st.lists(payloads(what=odd_text, who=odd_text, due=odd_text,
                                                                     top=False), max_size=25)))),
    (1, st.tuples(st.just("report_link"), payloads(enabled=st.booleans()))),
    (1, st.tuples(st.just("facilitator_link"), json_values)),
    # the proeftuin activities (issue 13): programme and status, moderation, undo
    (1, st.tuples(st.just("activity"), payloads(action=st.sampled_from(ACTIVITY_ACTIONS) | odd_text,
                                                activity=st.sampled_from(["challenges", "ideas", "vote"]) | odd_text,
                                                activities=st.lists(st.sampled_from(["challenges", "ideas", "vote"])
                                                                    | odd_text, max_size=4),
                                                items=st.lists(odd_text, max_size=12), enabled=st.booleans()))),
    (1, st.tuples(st.just("moderate"), payloads(action=st.sampled_from(MODERATION) | odd_text,
                                                idea=st.sampled_from([1, 2, 0, -1]) | numbers, text=odd_text,
                                                target=st.sampled_from([1, 2, 0]) | numbers))),
    (1, st.tuples(st.just("undo"), payloads(undo=json_values))),
    (1, st.tuples(st.just("detach_followup"), payloads(code=st.sampled_from(["", "ABCDEF"]) | odd_text | json_values))),
    (1, st.tuples(st.just("step_status"), payloads(position=st.sampled_from([0, 1, -1, 10**6]) | numbers,
                                                   status=st.sampled_from(["done", "partly", "not_yet", None])
                                                   | odd_text))),
    (1, st.tuples(st.sampled_from(["join", "answer", "connect", "disconnect", "error", "unknown"]) | odd_text,
                  json_values)),
)


@FUZZ
@given(stage=st.sampled_from(["lobby", "running", "results", "ended"]), pacing=st.sampled_from(["paced", "self"]),
       events=st.lists(facilitator_events, min_size=1, max_size=4))
def test_facilitator_events(world, error_trap, stage, pacing, events):
    RUNS["fuzz: facilitator events"] += 1
    session = world.session(pacing=pacing, start=stage != "lobby")
    fac = world.connect("facilitator", {"code": session["code"], "token": session["facilitator_token"]})
    phone = world.connect("participant", {"code": session["code"]})
    pid = phone.emit("join", {"nickname": "Anna"}, namespace="/participant", callback=True)["me"]["id"]
    for action in {"results": ["results"], "ended": ["end"]}.get(stage, []):
        assert fac.emit("command", {"action": action}, namespace="/facilitator", callback=True)["ok"]
    for name, payload in events:
        if isinstance(payload, dict) and payload.get("participant") == PHONE:
            payload = {**payload, "participant": pid}
        emit_refused_or_ok(world, error_trap, fac, "/facilitator", name, payload)
        assert fac.is_connected("/facilitator")
    world.close_clients()


@FUZZ
@given(event=st.sampled_from(["command", "note", "steps", "report_link", "facilitator_link", "step_status", "join", "answer",
                              "pick", "idea", "dots", "activity", "moderate", "undo", "detach_followup",
                              "connect", "disconnect"]) | odd_text, payload=json_values)
def test_projector_accepts_nothing(world, error_trap, event, payload):
    RUNS["fuzz: projector events"] += 1
    if not hasattr(world, "screen_session"):
        world.screen_session = world.session()
    s = world.screen_session
    screen = world.connect("screen", {"code": s["code"], "key": s["key"]})
    ack = emit_refused_or_ok(world, error_trap, screen, "/screen", event, payload)
    assert ack["ok"] is False and ack["error"]["code"] == "not_allowed"
    world.close_clients()


# Connecting: auth payloads, forged and replayed tokens

def auth_values(world: World) -> st.SearchStrategy:
    """Auth objects built from real codes, tokens and keys of other sessions and roles, mixed with junk."""
    a, b = world.auth_sessions
    real = [a["code"], b["code"], a["code"].lower(), f"{a['code'][:3]}-{a['code'][3:]}"]
    secrets_ = [a["facilitator_token"], b["facilitator_token"], a["key"], b["key"], world.phone_token,
                world.removed_token, security.token_hash(a["facilitator_token"]),
                security.token_hash(world.phone_token), a["facilitator_token"] + " ", a["facilitator_token"][:-1],
                a["key"].upper()]
    fields = {"code": st.sampled_from(real) | odd_text | json_values,
              "token": st.sampled_from(secrets_) | odd_text | json_values,
              "key": st.sampled_from(secrets_) | odd_text | json_values}
    return st.one_of(st.fixed_dictionaries({}, optional=fields), json_values)


@FUZZ
@given(data=st.data(), role=st.sampled_from(["participant", "screen", "facilitator"]))
def test_connect_with_any_auth(world, error_trap, data, role):
    RUNS["fuzz: connect auth"] += 1
    if not hasattr(world, "auth_sessions"):
        world.auth_sessions = (world.session(), world.session())
        a = world.auth_sessions[0]
        phone = world.connect("participant", {"code": a["code"]})
        world.phone_token = phone.emit("join", {}, namespace="/participant", callback=True)["token"]
        gone = world.connect("participant", {"code": a["code"]})
        ack = gone.emit("join", {}, namespace="/participant", callback=True)
        world.removed_token = ack["token"]
        fac = world.connect("facilitator", {"code": a["code"], "token": a["facilitator_token"]})
        assert fac.emit("command", {"action": "remove", "participant": ack["me"]["id"]},
                        namespace="/facilitator", callback=True)["ok"]
        world.close_clients()
    auth = data.draw(auth_values(world))
    before = db_fingerprint(world.db_path)
    client = world.connect(role, auth)
    connected = client.is_connected(f"/{role}")
    assert db_fingerprint(world.db_path) == before  # connecting never writes
    assert error_trap.take() == []
    if connected:  # only the right secret for the right session and role gets in
        a, b = world.auth_sessions
        by_code = {s["code"]: s for s in (a, b)}
        session = by_code.get(security.normalise_code(auth.get("code")))
        assert session is not None
        if role == "facilitator":
            assert auth.get("token") == session["facilitator_token"]
        elif role == "screen":
            assert auth.get("key") == session["key"]
        else:  # anyone with the code gets in as a visitor; only the phone's own token rebinds a participant
            token = auth.get("token")
            snapshot = [e["args"][0] for e in client.get_received("/participant") if e["name"] == "snapshot"][0]
            rebound = snapshot["me"] is not None
            assert rebound == (token == world.phone_token and session is a), (auth, snapshot["me"])
            assert not (token == world.removed_token and session is a)  # removed: refused
    world.close_clients()


# HTTP: every route, with odd path values, query strings, bodies and headers

def raw_quote(text: str) -> str:
    """Percent-encode any str, lone surrogates too (they become invalid UTF-8 bytes, as a hostile client may send)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def http_requests(world: World) -> st.SearchStrategy:
    """A request to any registered route with fuzzed arguments."""
    rules = [r for r in world.app.url_map.iter_rules() if r.endpoint != "static"]
    s = world.http_session
    report_key = world.svc.report_key(world.svc.live.room(s["code"]))
    likely = {"code": [s["code"], s["code"].lower(), f"{s['code'][:3]}-{s['code'][3:]}", "ZZZZZZ"],
              "fmt": ["json", "csv", "xlsx", "html", "pdf"], "lang": ["nl", "en", "de"],
              "key": [report_key, s["key"], report_key.upper()]}
    anything = [s["facilitator_token"], s["key"], report_key, "ZZZZZZ"]

    def segment(arg: str) -> st.SearchStrategy:
        """A path value: usually a meaningful one for this argument, else anything."""
        return weighted((3, st.sampled_from(likely.get(arg, anything))), (1, odd_text))

    header_value = st.one_of(st.sampled_from([f"Bearer {s['facilitator_token']}", "Bearer ", "Bearer x",
                                              f"bearer {s['facilitator_token']}", s["facilitator_token"]]),
                             st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
    query_keys = st.sampled_from(["code", "t", "k", "next", "lang", "nicknames", "x"]) | st.text(max_size=5)
    query_values = st.one_of(st.sampled_from([s["code"], s["facilitator_token"], s["key"], "//evil.example",
                                              "/\\evil.example", "https://evil.example/", "0"]), odd_text)

    @st.composite
    def build(draw):
        rule = draw(st.sampled_from(rules))
        method = draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"}) + ["PUT", "DELETE"]))
        path = rule.rule
        for arg in rule.arguments:
            raw = draw(segment(arg))
            path = path.replace(f"<{arg}>", raw_quote(raw))
        kwargs: dict[str, Any] = {
            "query_string": "&".join(f"{raw_quote(k)}={raw_quote(v)}" for k, v in
                                     draw(st.dictionaries(query_keys, query_values, max_size=3)).items()),
            "headers": draw(st.dictionaries(st.sampled_from(["Authorization", "Accept-Language", "Origin",
                                                              "X-Forwarded-For", "Cookie"]), header_value,
                                            max_size=2)),
        }
        body = draw(st.sampled_from(["none", "json", "raw", "form"]))
        if body == "json":
            kwargs["json"] = draw(payloads(title=odd_text, pacing=st.sampled_from(["paced", "self"]) | odd_text,
                                           disciplines=st.lists(odd_text, max_size=14) | json_values,
                                           language=st.sampled_from(["nl", "en"]) | odd_text))
            if kwargs["json"] is NOARG:
                kwargs["json"] = None
        elif body == "raw":
            kwargs["data"] = draw(st.binary(max_size=300) | st.just(b"{" * 20_000))
            kwargs["content_type"] = draw(st.sampled_from(["application/json", "text/plain",
                                                           "application/x-www-form-urlencoded", "multipart/form-data"]))
        elif body == "form":
            kwargs["data"] = draw(st.dictionaries(st.sampled_from(["title", "pacing", "disciplines", "language"]),
                                                  odd_text.map(lambda t: t.encode("utf-8", "surrogatepass")
                                                               .decode("utf-8", "replace")), max_size=4))
        return method, path, kwargs

    return build()


@FUZZ
@given(data=st.data())
def test_http_endpoints(world, error_trap, data):
    RUNS["fuzz: http requests"] += 1
    if not hasattr(world, "http_session"):
        world.http_session = s = world.session()
        world.http.get(f"/s/{s['code']}/manage?t={s['facilitator_token']}")  # signed in: exports open too
        for nickname in ("=HYPERLINK(\"http://evil.example\")", "\u202e<b>Mallory</b>\u200b", "@SUM(1+1)"):
            phone = world.connect("participant", {"code": s["code"]})
            assert phone.emit("join", {"nickname": nickname}, namespace="/participant", callback=True)["ok"]
            assert phone.emit("answer", {"question": "begrippen", "option": "nooit", "round": 1},
                              namespace="/participant", callback=True)["ok"]
        fac = world.connect("facilitator", {"code": s["code"], "token": s["facilitator_token"]})
        for event, payload in (("note", {"question": "", "text": "=1+1\x00\ud800\x1b[0m</script>"}),
                               ("steps", {"items": [{"what": "+cmd", "who": "-x", "due": "\u202e"}]}),
                               ("report_link", {"enabled": True})):
            assert fac.emit(event, payload, namespace="/facilitator", callback=True)["ok"]
        world.close_clients()
    method, path, kwargs = data.draw(http_requests(world))
    before = db_fingerprint(world.db_path)
    response = world.http.open(path, method=method, **kwargs)
    assert response.status_code < 500, (method, path, kwargs, response.status_code)
    created = method == "POST" and response.status_code in (201, 303)
    assert created or db_fingerprint(world.db_path) == before, (method, path, response.status_code)
    if not path.startswith("/socket.io/"):  # Engine.IO answers those itself, never with a page
        # scripts only from the app itself (or none at all, as in the shared report)
        assert set(script_sources(response.headers.get("Content-Security-Policy", ""))) <= {"'self'", "'none'"}
        assert response.headers.get("Referrer-Policy") == "no-referrer"
    location = response.headers.get("Location", "")
    assert not location.startswith("//") and "evil.example" not in location.split("?")[0]
    response.close()
    assert error_trap.take() == []


def test_the_fuzzers_cover_every_route_and_event(world):
    """The HTTP fuzzer draws from the live URL map; the socket fuzzers name every handler."""
    handlers = {name[3:] for ns in ("ParticipantNamespace", "FacilitatorNamespace")
                for name in dir(getattr(__import__("workshop.web.sockets", fromlist=[ns]), ns))
                if name.startswith("on_") and name not in ("on_connect", "on_disconnect")}
    assert handlers <= {"join", "answer", "command", "note", "steps", "report_link", "facilitator_link", "step_status",
                        "pick", "idea", "dots", "activity", "moderate", "undo", "detach_followup"}
    rules = {r.rule for r in world.app.url_map.iter_rules()}
    for path in ("/api/sessions", "/api/sessions/<code>", "/j", "/j/<code>", "/s/<code>/screen",
                 "/s/<code>/manage", "/lang/<lang>", "/s/<code>/qr.svg"):
        assert path in rules


def test_a_handler_crash_is_logged_and_answered_not_raised(tmp_path, error_trap, monkeypatch):
    """With the app's own error handler, an unexpected exception becomes a 'failed internal' reply."""
    from workshop.live import service as live

    app = create_app({**TEST_CONFIG, "DATA_DIR": str(tmp_path / "data")})
    socketio = app.extensions["socketio"]
    s = app.test_client().post("/api/sessions", json={"title": "Crash"}).get_json()
    phone = socketio.test_client(app, namespace="/participant", auth={"code": s["code"]})
    monkeypatch.setattr(live.Live, "join", lambda *a, **k: 1 / 0)
    ack = phone.emit("join", {}, namespace="/participant", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "internal"
    assert any(e["name"] == "failed" for e in phone.get_received("/participant"))
    assert [r.getMessage() for r in error_trap.records] == ["socket handler failed"]
    error_trap.take()
    monkeypatch.setattr(live.Live, "rebind", lambda *a, **k: 1 / 0)
    refused = socketio.test_client(app, namespace="/participant", auth={"code": s["code"], "token": "x" * 32})
    assert not refused.is_connected("/participant")
    error_trap.take()
    phone.disconnect(namespace="/participant")

