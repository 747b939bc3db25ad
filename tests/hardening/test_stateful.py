"""A stateful test: random sequences of joins, answers, reconnects and facilitator actions against a model.

The model is deliberately simple: who joined and who was removed, each question's
status and round, the stage, the lock, and every participant's latest answer per
question and round. Each step's acknowledgement must be what the model predicts, and
the facilitator's live aggregate (and the database) must match the model's counts.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flask_socketio import ConnectionRefusedError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import TEST_CONFIG
from workshop import create_app
from workshop.core.questionnaire import default as default_questionnaire

from .helpers import RUNS

QUESTIONS = {q.id: [o.id for o in q.options] for q in default_questionnaire().questions}
ORDER = list(QUESTIONS)
MAX_PARTICIPANTS = 6
QUESTION_ACTIONS = ("focus", "open", "close", "reveal", "new_round")
PLAIN_ACTIONS = ("start", "next", "prev", "results", "end", "reopen", "lock", "unlock", "undo")


class Refused(Exception):
    """The model's prediction that the app refuses a command with this code."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Person:
    """A participant as the model knows it."""

    pid: int
    token: str
    removed: bool = False
    answers: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass
class SessionModel:
    """Stage, pacing, lock, focus and each question's status and round."""

    pacing: str
    stage: str = "lobby"
    locked: bool = False
    focus: str | None = None
    status: dict[str, str] = field(default_factory=lambda: {q: "hidden" for q in ORDER})
    round: dict[str, int] = field(default_factory=lambda: {q: 1 for q in ORDER})
    view: str = "auto"  # every action that changes what the room looks at puts the projector there
    undo: tuple | None = None  # the state before the last action that changed it (undo restores it once)

    def snapshot(self) -> tuple:
        """The state an undo restores."""
        return (self.stage, self.locked, self.focus, dict(self.status), dict(self.round), self.view)

    def restore(self, snap: tuple) -> None:
        """Go back to a snapshot."""
        self.stage, self.locked, self.focus, status, rounds, self.view = snap
        self.status, self.round = dict(status), dict(rounds)

    def need(self, *stages: str) -> None:
        """Refuse unless the stage is one of these."""
        if self.stage not in stages:
            raise Refused("not_allowed_now")

    def close_open(self, keep: str | None = None) -> None:
        """Close every open question but one."""
        for q in ORDER:
            if q != keep and self.status[q] == "open":
                self.status[q] = "closed"

    def goto(self, q: str) -> None:
        """Focus a question; paced sessions open it (if new, or closed but never revealed) and close the rest."""
        self.focus, self.stage, self.view = q, "running", "question"
        if self.pacing == "paced":
            self.close_open(keep=q)
            if self.status[q] in ("hidden", "closed"):
                self.status[q] = "open"

    def to_results(self) -> None:
        """Close what is open and show results."""
        self.need("running", "results")
        self.close_open()
        self.stage, self.view = "results", "results"

    def apply(self, action: str, q: str | None = None) -> None:
        """Change the model as the facilitator's action should (undoably), or raise Refused."""
        if action == "undo":
            if self.undo is None:
                raise Refused("nothing_to_undo")
            self.restore(self.undo)
            self.undo = None
            return
        before = self.snapshot()
        self.act(action, q)
        if self.snapshot() != before:
            self.undo = before

    def act(self, action: str, q: str | None = None) -> None:
        """Change the model as one facilitator action should, or raise Refused."""
        if self.stage == "ended" and action != "reopen":
            raise Refused("not_allowed_now")
        if action == "start":
            self.need("lobby")
            if self.pacing == "self":
                self.status = {x: "open" for x in ORDER}
            self.stage = "running"
            self.goto(ORDER[0])
            self.view = "progress" if self.pacing == "self" else "question"
        elif action in ("next", "prev"):
            self.need("running", "results")
            index = ORDER.index(self.focus) if self.focus in ORDER else -1
            target = index + (1 if action == "next" else -1)
            if target >= len(ORDER):
                self.to_results()
            else:
                self.goto(ORDER[max(target, 0)])
        elif action == "focus":
            self.need("running", "results")
            self.goto(q)
        elif action == "open":
            self.need("lobby", "running", "results")
            if self.pacing == "paced":
                self.close_open(keep=q)
            self.status[q], self.stage, self.focus, self.view = "open", "running", q, "question"
        elif action == "close":
            if self.status[q] != "open":
                raise Refused("not_allowed_now")
            self.status[q] = "closed"
        elif action == "reveal":
            self.need("running", "results")
            if self.status[q] == "hidden":
                raise Refused("not_allowed_now")
            self.status[q], self.focus, self.view = "revealed", q, "question"
        elif action == "new_round":
            self.need("running", "results")
            if self.status[q] in ("hidden", "open"):
                raise Refused("not_allowed_now")
            if self.pacing == "paced":
                self.close_open()
            self.status[q], self.stage, self.focus, self.view = "open", "running", q, "question"
            self.round[q] += 1
        elif action == "results":
            self.to_results()
        elif action == "end":
            self.close_open()
            self.stage, self.view = "ended", "auto"
        elif action == "reopen":
            self.need("ended")
            self.stage, self.view = "results", "results"
        elif action in ("lock", "unlock"):
            self.locked = action == "lock"

    def answer_error(self, q: str, round_: int) -> str | None:
        """The refusal an answer to this question and round gets now, if any."""
        if self.stage == "ended":
            return "session_ended"
        if self.stage != "running" or self.status[q] != "open":
            return "question_closed"
        if round_ != self.round[q]:
            return "stale_round"
        return None


class Harness:
    """One app shared by every example (each example gets its own session); notes connection refusals."""

    def __init__(self, data_dir: Path):
        """Build the app; handler exceptions propagate into the test."""
        self.app = create_app({**TEST_CONFIG, "DATA_DIR": str(data_dir), "MAX_PARTICIPANTS": MAX_PARTICIPANTS,
                               "TESTING": True, "UNDO_SECONDS": 3600.0})  # undo by order, never by a slow step
        self.socketio = self.app.extensions["socketio"]
        self.socketio.default_exception_handler = None
        self.store = self.app.extensions["workshop"].live.store
        self.refusals: list[str | None] = []
        for handler in self.socketio.server.namespace_handlers.values():
            handler.connect = self._noting(handler.connect)

    def _noting(self, connect):
        """Wrap a namespace's connect to remember the code of a refusal."""
        def wrapped(auth):
            try:
                return connect(auth)
            except ConnectionRefusedError as exc:
                self.refusals.append((exc.error_args.get("data") or {}).get("code"))
                raise
        return wrapped


class SessionMachine(RuleBasedStateMachine):
    """One session; rules are what phones and the facilitator can do."""

    def __init__(self, harness: Harness):
        super().__init__()
        self.harness = harness
        self.app, self.socketio = harness.app, harness.socketio
        self.people: dict[int, Person] = {}
        self.phones: dict[int, object] = {}
        self.clients: list = []
        RUNS["stateful: examples"] += 1

    def teardown(self):
        for client, ns in self.clients:
            if client.is_connected(ns):
                client.disconnect(namespace=ns)

    # helpers

    def connect(self, role: str, auth: dict):
        """A test client for a role; None (with the refusal code noted) when refused."""
        self.harness.refusals.clear()
        client = self.socketio.test_client(self.app, namespace=f"/{role}", auth=auth,
                                           flask_test_client=self.app.test_client())
        self.clients.append((client, f"/{role}"))
        if not client.is_connected(f"/{role}"):
            self.last_refusal = self.harness.refusals[-1] if self.harness.refusals else None
            return None
        return client

    def call(self, client, namespace: str, event: str, data):
        """Emit and return the acknowledgement."""
        RUNS["stateful: steps"] += 1
        return client.emit(event, data, namespace=namespace, callback=True)

    def active(self) -> list[Person]:
        """Participants not removed, in join order."""
        return [p for p in self.people.values() if not p.removed]

    def check_state(self, state: dict) -> None:
        """The app's ScreenState equals the model."""
        m = self.model
        assert (state["stage"], state["locked"], state["focus"], state["view"]) == \
               (m.stage, m.locked, m.focus, m.view), (state, m)
        assert {q["id"]: (q["status"], q["round"]) for q in state["questions"]} == \
               {q: (m.status[q], m.round[q]) for q in ORDER}, (state, m)

    # rules

    @initialize(pacing=st.sampled_from(["paced", "self"]), start=st.booleans())
    def create(self, pacing, start):
        reply = self.app.test_client().post("/api/sessions", json={"title": "Model", "pacing": pacing}).get_json()
        self.code, self.token = reply["code"], reply["facilitator_token"]
        self.model = SessionModel(pacing)
        self.fac = self.connect("facilitator", {"code": self.code, "token": self.token})
        assert self.fac is not None
        if start:
            self._command("start")

    @rule(nickname=st.sampled_from([None, "Anna", "Bert"]))
    def join(self, nickname):
        phone = self.connect("participant", {"code": self.code})
        if self.model.stage == "ended":
            assert phone is None and self.last_refusal == "session_ended"
            return
        assert phone is not None
        ack = self.call(phone, "/participant", "join", {"nickname": nickname})
        if self.model.locked:
            assert ack["error"]["code"] == "locked", ack
        elif len(self.active()) >= MAX_PARTICIPANTS:
            assert ack["error"]["code"] == "full", ack
        else:
            assert ack["ok"], ack
            pid = ack["me"]["id"]
            assert pid not in self.people
            self.people[pid] = Person(pid, ack["token"])
            self.phones[pid] = phone

    @precondition(lambda self: self.active())
    @rule(data=st.data(), round_shift=st.sampled_from([0, 0, 0, -1, 1]))
    def answer(self, data, round_shift):
        """Any active participant answers any question, in the current round or not."""
        self._answer(data, data.draw(st.sampled_from(ORDER)), round_shift)

    @precondition(lambda self: self.active() and "open" in self.model.status.values())
    @rule(data=st.data(), votes=st.integers(min_value=1, max_value=8))
    def vote_on_open_question(self, data, votes):
        """A few answers (some changing an earlier one) from active participants to a question that is open."""
        question = data.draw(st.sampled_from([q for q in ORDER if self.model.status[q] == "open"]))
        for _ in range(votes):
            self._answer(data, question, 0)

    def _answer(self, data, question: str, round_shift: int) -> None:
        """One active participant answers; the ack must be what the model predicts."""
        person = data.draw(st.sampled_from(self.active()))
        option = data.draw(st.sampled_from(QUESTIONS[question]))
        round_ = self.model.round[question] + round_shift
        ack = self.call(self.phones[person.pid], "/participant", "answer",
                        {"question": question, "option": option, "round": round_})
        expected = self.model.answer_error(question, round_)
        if expected:
            assert ack["ok"] is False and ack["error"]["code"] == expected, (ack, expected)
        else:
            assert ack["ok"], ack
            person.answers[(question, round_)] = option
            RUNS["stateful: answers accepted"] += 1

    @precondition(lambda self: self.people)
    @rule(data=st.data())
    def reconnect(self, data):
        person = data.draw(st.sampled_from(sorted(self.people.values(), key=lambda p: p.pid)))
        phone = self.connect("participant", {"code": self.code, "token": person.token})
        if person.removed:
            assert phone is None and self.last_refusal == "removed"
            return
        assert phone is not None
        snapshot = [e["args"][0] for e in phone.get_received("/participant") if e["name"] == "snapshot"][-1]
        assert snapshot["me"]["id"] == person.pid
        want: dict[str, dict[str, str]] = {}
        for (q, r), opt in person.answers.items():
            want.setdefault(q, {})[str(r)] = opt
        assert snapshot["me"]["answers"] == want
        old = self.phones[person.pid]
        if old.is_connected("/participant"):
            old.disconnect(namespace="/participant")
        self.phones[person.pid] = phone
        RUNS["stateful: reconnects"] += 1

    @rule(action=st.sampled_from(PLAIN_ACTIONS))
    def command(self, action):
        self._command(action)

    @rule(action=st.sampled_from(QUESTION_ACTIONS), question=st.sampled_from(ORDER))
    def command_on_question(self, action, question):
        self._command(action, question)

    def _command(self, action: str, question: str | None = None) -> None:
        """Send a command; the ack and the new state must be what the model predicts."""
        payload = {"action": action, **({"question": question} if question else {})}
        ack = self.call(self.fac, "/facilitator", "command", payload)
        try:
            self.model.apply(action, question)
        except Refused as exc:
            assert ack["ok"] is False and ack["error"]["code"] == exc.code, (payload, ack, self.model)
            return
        assert ack["ok"], (payload, ack, self.model)
        self.check_state(ack["state"])
        RUNS["stateful: commands accepted"] += 1

    @rule(data=st.data())
    def remove(self, data):
        ids = sorted(self.people) + [10**6]
        pid = data.draw(st.sampled_from(ids))
        ack = self.call(self.fac, "/facilitator", "command", {"action": "remove", "participant": pid})
        person = self.people.get(pid)
        if person is None or person.removed:
            assert ack["error"]["code"] == "unknown_participant", ack
            return
        assert ack["ok"], ack
        person.removed = True
        RUNS["stateful: participants removed"] += 1
        assert not self.phones[pid].is_connected("/participant")  # its socket is closed at once

    # invariants

    @invariant()
    def live_counts_match_the_model(self):
        if not hasattr(self, "model"):
            return
        watcher = self.connect("facilitator", {"code": self.code, "token": self.token})
        snapshot = [e["args"][0] for e in watcher.get_received("/facilitator") if e["name"] == "snapshot"][-1]
        watcher.disconnect(namespace="/facilitator")
        live = snapshot["live"]
        self.check_state(snapshot["state"])
        assert live["joined"] == len(self.active()) == snapshot["roster"]["count"]
        for q, options in QUESTIONS.items():
            rounds = live["questions"][q]["rounds"]
            assert [r["round"] for r in rounds] == list(range(1, self.model.round[q] + 1))
            for item in rounds:
                tally = Counter(p.answers[(q, item["round"])] for p in self.active() if (q, item["round"]) in p.answers)
                assert item["stats"]["counts"] == [tally[o] for o in options], (q, item, tally)

    @invariant()
    def database_matches_the_model(self):
        if not hasattr(self, "model"):
            return
        store = self.harness.store
        session_id = store.session(self.code)["id"]
        rows = store.participants(session_id)
        assert {r["id"]: r["removed_at"] is not None for r in rows} == {p.pid: p.removed for p in self.people.values()}
        stored = {(r["participant_id"], r["question_id"], r["round"]): r["option_id"] for r in store.answers(session_id)}
        assert stored == {(p.pid, q, r): opt for p in self.people.values() for (q, r), opt in p.answers.items()}


def test_session_against_model(tmp_path):
    harness = Harness(tmp_path / "data")
    run_state_machine_as_test(lambda: SessionMachine(harness), settings=settings(
        max_examples=100, stateful_step_count=30, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    harness.store.close()
