"""docs/protocol.md documents the wire once, and exactly what the code does (issue 23, item 6).

The checker (tests/support/protocol_doc.py) reads the document's tables and the code: the app's URL map,
each namespace's handlers (their acknowledgements, the payload fields and error codes they read and answer),
`protocol.SENT`, `protocol.ERRORS` and `protocol.ACTIONS`. To document a new acknowledgement field, add its
backticked name to the request's `acknowledgement` cell.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import protocol_doc as doc
from workshop import create_app
from workshop.web import protocol as p

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "protocol.md"


@pytest.fixture(scope="module")
def wire(tmp_path_factory):
    """What the code says, read from an app with every optional route (METRICS on)."""
    from tests.conftest import TEST_CONFIG

    app = create_app({**TEST_CONFIG, "DATA_DIR": str(tmp_path_factory.mktemp("doc") / "data"), "METRICS": True})
    return doc.wire_of(app)


def test_the_protocol_document_matches_the_code(wire):
    problems = doc.problems(DOC.read_text(encoding="utf-8"), wire)
    assert not problems, "docs/protocol.md and the code disagree:\n" + "\n".join(problems)


def test_the_document_has_every_part_it_is_checked_on(wire):
    """Guards the checker: a table it cannot find would compare nothing (every row 'missing' shows up, not silence)."""
    rows = doc.rows(DOC.read_text(encoding="utf-8"))
    kinds = {(r.kind, r.namespace) for r in rows}
    assert {("endpoint", None), ("error code", None), ("request", p.PARTICIPANT), ("message", p.PARTICIPANT),
            ("message", p.SCREEN), ("request", p.FACILITATOR), ("message", p.FACILITATOR),
            ("action", p.FACILITATOR)} <= kinds
    assert len([r for r in rows if r.kind == "endpoint"]) == len(wire.endpoints)


def test_every_error_code_written_in_the_code_is_in_the_one_list():
    written = doc.error_codes_in(doc.python_files(ROOT / "workshop", "web", "live", "core"))
    assert {"bad_token", "not_joined", "too_many_connections", "too_large"} <= set(written)  # the scan sees them
    stray = {code: where for code, where in written.items() if code not in p.ERRORS}
    assert not stray, f"error codes missing from protocol.ERRORS: {stray}"


def test_every_event_the_server_sends_is_declared_for_its_namespace():
    emitted = doc.emitted_in(doc.python_files(ROOT / "workshop", "web"), p)
    assert {(p.RESULT, p.PARTICIPANT), (p.LIVE, p.SCREEN), (p.WALL, p.PARTICIPANT)} <= {e[:2] for e in emitted}
    every = {event for events in p.SENT.values() for event in events}
    undeclared = [e for e in emitted if e[0] not in every or (e[1] and e[0] not in p.SENT[e[1]])]
    assert not undeclared, f"emitted but not in protocol.SENT: {undeclared}"


# The checker itself, on a small document

SMALL = """
# Small

| endpoint | who | errors |
|---|---|---|
| `GET /a?x=1` | anyone | 404 `gone` |
| `POST /b/<id>` | anyone | |
| `GET /a` | anyone | |

## Socket.IO

### `/participant`

| request | payload | acknowledgement | errors |
|---|---|---|---|
| `join` | `{"nickname": str}`: field `nickname` | `token`, `me` (Me) | `locked`, `made_up` |
| `join` | | `token` | |

| message | payload | when |
|---|---|---|
| `state` | `PublicState` | always |

### `/facilitator`

| message | payload | when |
|---|---|---|
| `live` | `Live` | often |

| error code | meaning |
|---|---|
| `locked` | closed |
| `gone` | gone |
| `locked` | again |

| action | needs |
|---|---|
| `start` / `stop` | |
"""


def small_wire(**changes) -> doc.Wire:
    """The code a small document is held against (every part agreeing unless changed)."""
    fields = dict(
        endpoints={"GET /a", "POST /b/<id>"},
        requests={(p.PARTICIPANT, "join"): doc.Request({"token", "me"}, {"nickname"}, {"locked"})},
        sent={p.PARTICIPANT: {"state"}, p.FACILITATOR: {"live"}},
        errors={"locked", "gone"},
        actions={"start", "stop"},
    )
    return doc.Wire(**{**fields, **changes})


def test_the_checker_reports_rows_twice_and_codes_unknown():
    problems = doc.problems(SMALL, small_wire())
    assert sorted(problems) == sorted([
        "endpoint GET /a is documented twice (lines 6 and 8)",
        "request /participant join is documented twice (lines 16 and 17)",
        "request /participant join: error code made_up is not in protocol.ERRORS",
        "error code locked is documented twice (lines 31 and 33)",
    ])


def test_the_checker_reports_what_the_code_has_and_the_document_lacks():
    wire = small_wire(
        endpoints={"GET /a", "POST /b/<id>", "DELETE /c"},
        requests={(p.PARTICIPANT, "join"): doc.Request({"token", "me", "seq"}, {"nickname", "discipline"},
                                                       {"locked", "full"}),
                  (p.PARTICIPANT, "answer"): doc.Request(set())},
        sent={p.PARTICIPANT: {"state", "result"}, p.FACILITATOR: {"live"}},
        errors={"locked", "gone", "made_up", "full"},
        actions={"start", "stop", "end"},
    )
    problems = set(doc.problems(SMALL, wire))
    assert {
        "endpoint DELETE /c is not documented",
        "request /participant answer is not documented",
        "request /participant join: acknowledgement field seq is not documented",
        "request /participant join: its handler answers error code full, not documented",
        "request /participant join: its handler reads payload field discipline, not documented",
        "message /participant result is not documented",
        "error code full is not documented",
        "error code made_up is not documented",
        "action end is not documented",
    } <= problems


def test_the_checker_reports_what_the_document_has_and_the_code_lacks():
    wire = small_wire(
        endpoints={"GET /a"},
        requests={(p.PARTICIPANT, "join"): doc.Request({"token"}, set(), set())},
        sent={p.PARTICIPANT: set(), p.FACILITATOR: {"live"}},
        errors={"locked"},
        actions={"start"},
    )
    problems = set(doc.problems(SMALL, wire))
    assert {
        "endpoint POST /b/<id> is documented but not in the code",
        "endpoint GET /a names the unknown error code gone",
        "request /participant join: acknowledgement field me is documented but not in the code",
        "message /participant state is documented but not in the code",
        "error code gone is documented but not in the code",
        "action stop is documented but not in the code",
    } <= problems


def test_the_checker_needs_a_namespace_heading_over_socket_tables():
    text = "| message | payload |\n|---|---|\n| `state` | x |\n"
    assert doc.problems(text, small_wire(endpoints=set(), requests={}, sent={}, errors=set(), actions=set())) == [
        "message state (line 3) sits under no heading naming its namespace"]


def test_the_checker_reads_a_handlers_acknowledgement_and_refuses_one_it_cannot_read():
    class Handlers:
        def on_join(self, room, binding, data):
            if binding.participant:
                return self.fail("already_joined")
            if data.get("nickname") and data["discipline"]:
                raise Rejected("bad_discipline")  # noqa: F821 (only parsed, never run)
            return {"ok": True, "token": "t", "me": {"id": 1}}

        def on_link(self, room, binding, data):
            return {"ok": True, **{"url": "u"}}

    read = doc.read_handler(Handlers.on_join, "join")
    assert (read.ack, read.reads, read.errors) == ({"token", "me"}, {"nickname", "discipline"},
                                                   {"already_joined", "bad_discipline"})
    with pytest.raises(ValueError, match="write out"):
        doc.read_handler(Handlers.on_link, "link")


# The pages' own names of the codes they handle

CLIENT_CODES = {"offline", "timeout", "refused"}  # W.request and W.connect's own, never the server's


def test_every_error_code_a_page_tests_for_is_one_the_server_sends():
    found: dict[str, str] = {}
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"code [!=]== '([a-z_]+)'", text):
            found.setdefault(match.group(1), path.name)
        for table in re.findall(r"const known = \{([^}]*)\}", text):  # code -> the page's own text
            for code in re.findall(r"([a-z_]+): '", table):
                found.setdefault(code, path.name)
        refusals = re.search(r"REFUSALS = \[([^\]]*)\]", text)
        for code in re.findall(r"'([a-z_]+)'", refusals.group(1) if refusals else ""):
            found.setdefault(code, path.name)
    assert {"bad_token", "stale_round", "session_deleted", "bad_discipline"} <= set(found)  # the scan sees them
    unknown = {code: where for code, where in found.items() if code not in p.ERRORS and code not in CLIENT_CODES}
    assert not unknown, f"codes the pages test for that the server never sends: {unknown}"
