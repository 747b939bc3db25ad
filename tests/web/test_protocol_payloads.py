"""Every field name the server puts on the wire is named in docs/protocol.md (issue 23, item 6).

A whole session runs through the Socket.IO test client (questions, results, activities, steps, a follow-up);
each key of every message and acknowledgement any role receives, at any depth, must appear in the document.
Keys that are data (question, option, phase and idea ids, round numbers) are left out. The tables' rows are
checked against the code in tests/unit/test_protocol_doc.py; this test catches a field added to a payload.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from workshop.core import questionnaire

from .helpers import connect, projector_key

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
Q = questionnaire.default()
DATA_KEYS = {q.id for q in Q.questions} | {p.id for p in Q.phases} | {"", "Directie", "Marketing"}


def keys(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(key, where) for every dict key at any depth, data keys left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in DATA_KEYS and not key.isdigit():
                yield key, f"{path}.{key}"
            yield from keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from keys(item, f"{path}[]")


def documented_names(text: str) -> set[str]:
    """The names written in code: in the document's code blocks and `code spans` (prose words do not count)."""
    blocks = re.findall(r"```.*?```", text, flags=re.S)
    spans = re.findall(r"`([^`\n]+(?:\n[^`\n]+)*)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", " ".join(blocks + spans)))


class Recorder:
    """Keeps every acknowledgement of the requests sent through it."""

    def __init__(self):
        """Nothing recorded yet."""
        self.acks: list[tuple[str, Any]] = []

    def emit(self, inbox, event: str, data: Any = None) -> Any:
        """Send a request, keep its acknowledgement, return it."""
        ack = inbox.emit(event, data)
        self.acks.append((f"{inbox.namespace} {event} ack", ack))
        return ack


def run_a_session(app, socketio, new_session, rec: Recorder) -> list[Any]:
    """A follow-up session from start to end, every request a role sends; return every inbox."""
    earlier = new_session(disciplines=["Directie", "Marketing"])
    later = connect(socketio, app, "facilitator", {"code": earlier["code"], "token": earlier["facilitator_token"]})
    rec.emit(later, "steps", {"items": [{"what": "Inventariseren", "who": "Bram", "due": "april"}]})
    session = new_session(disciplines=["Directie", "Marketing"], organisation="Museum",
                          follows=earlier["code"], follows_token=earlier["facilitator_token"])
    code = session["code"]
    fac = connect(socketio, app, "facilitator", {"code": code, "token": session["facilitator_token"]})
    screen = connect(socketio, app, "screen", {"code": code, "key": projector_key(session)})
    phones = []
    for n in range(8):
        phone = connect(socketio, app, "participant", {"code": code})
        ack = rec.emit(phone, "join", {"nickname": f"P{n}", "discipline": ["Directie", "Marketing"][n % 2]})
        phone.token = ack["token"]
        phones.append(phone)
    rec.emit(fac, "command", {"action": "start"})
    for question in Q.questions:
        rec.emit(fac, "command", {"action": "focus", "question": question.id})
        if question is Q.questions[0]:
            rec.emit(fac, "command", {"action": "timer", "question": question.id, "seconds": 60})
        for n, phone in enumerate(phones):
            option = question.options[(n // 3) % len(question.options)].id
            rec.emit(phone, "answer", {"question": question.id, "option": option, "round": 1})
        rec.emit(fac, "command", {"action": "reveal", "question": question.id})
        rec.emit(fac, "command", {"action": "agree", "question": question.id, "option": question.options[0].id})
    rec.emit(fac, "command", {"action": "results"})
    rec.emit(fac, "command", {"action": "view", "view": "followup"})
    rec.emit(fac, "note", {"question": "", "text": "Samen verder"})
    rec.emit(fac, "facilitator_link", {})
    rec.emit(fac, "report_link", {"enabled": True})
    rec.emit(fac, "step_status", {"position": 0, "status": "done"})
    for activity in ("challenges", "ideas"):
        rec.emit(fac, "activity", {"action": "open", "activity": activity})
    first_challenge = fac.last("snapshot")["activities"]["challenges"][0]["id"]
    rec.emit(fac, "activity", {"action": "auto_approve", "enabled": False})
    ideas = []
    for n, phone in enumerate(phones):
        rec.emit(phone, "pick", {"picks": [first_challenge]})
        ideas.append(rec.emit(phone, "idea", {"text": f"Idee {n}", "prompt": "project"})["idea"]["id"])
    for idea in ideas:
        rec.emit(fac, "moderate", {"action": "approve", "idea": idea})
    undo = rec.emit(fac, "moderate", {"action": "hide", "idea": ideas[-1]})["undo"]
    rec.emit(fac, "undo", {"undo": undo})
    rec.emit(fac, "activity", {"action": "open", "activity": "vote"})
    for phone in phones:
        rec.emit(phone, "dots", {"idea": ideas[0], "count": 1})
    for activity in ("challenges", "vote"):
        rec.emit(fac, "activity", {"action": "close", "activity": activity})
        rec.emit(fac, "activity", {"action": "reveal", "activity": activity})
    rec.emit(fac, "steps", {"items": [{"what": "Beginnen", "who": "Anna", "due": "mei", "idea": ideas[0]}]})
    rec.emit(phones[0], "answer", {"question": "nope", "option": "x", "round": 1})  # a failed
    rec.emit(fac, "command", {"action": "end"})
    rejoined = connect(socketio, app, "participant", {"code": code, "token": phones[1].token})
    rec.emit(fac, "command", {"action": "remove", "participant": 1})
    rec.emit(later, "detach_followup", {"code": code})
    return [fac, screen, later, rejoined, *phones]


def test_every_field_on_the_wire_is_named_in_the_protocol_document(app, socketio, new_session):
    rec = Recorder()
    inboxes = run_a_session(app, socketio, new_session, rec)
    inboxes[-1].wait("wall")  # the phones' wall follows within IDEAS_PHONE_INTERVAL
    received = [(f"{inbox.namespace} {name}", data) for inbox in inboxes for name, data in inbox.pull()]
    names = {name for name, _ in received}
    assert {"/participant result", "/participant mine", "/participant wall", "/screen followup",
            "/facilitator roster", "/facilitator report", "/facilitator note"} <= names  # the run reached them
    assert all(ack["ok"] for name, ack in rec.acks if "answer" not in name), rec.acks
    words = documented_names(DOC.read_text(encoding="utf-8"))
    missing: dict[str, str] = {}
    for event, data in received + rec.acks:
        for key, where in keys(data):
            if key not in words:
                missing.setdefault(key, f"{event}{where}")
    assert not missing, f"fields on the wire that docs/protocol.md does not name: {missing}"
