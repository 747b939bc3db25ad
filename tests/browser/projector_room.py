"""A session filled by python-socketio clients (phones and a facilitator), for the projector's browser tests."""
from __future__ import annotations

from typing import Any

import socketio

from .helpers import create_session, questionnaire

Q = questionnaire("nl")
DISCIPLINES = ["Directie/management", "Publiek & marketing", "Collectie & ICT"]


class FilledRoom:
    """A session with `size` phones that answered every question (spread over the options) and a facilitator."""

    def __init__(self, base_url: str, size: int = 12, **fields: Any):
        """Create the session, join the phones and connect the facilitator (nothing is started yet)."""
        self.url = base_url
        self.session = create_session(base_url, disciplines=DISCIPLINES, **fields)
        self.code = self.session["code"]
        self.fac = self._client("/facilitator", {"code": self.code, "token": self.session["facilitator_token"]})
        self.phones: list[tuple[socketio.Client, int]] = []
        self.join_more(size)

    def join_more(self, count: int) -> None:
        """Join `count` more phones, named "Deelnemer N" in the order they join."""
        for i in range(len(self.phones), len(self.phones) + count):
            phone = self._client("/participant", {"code": self.code})
            ack = phone.call("join", {"nickname": f"Deelnemer {i + 1}", "discipline": DISCIPLINES[i % 3]},
                             namespace="/participant", timeout=10)
            assert ack["ok"], ack
            self.phones.append((phone, ack["me"]["id"]))

    def _client(self, namespace: str, auth: dict[str, Any]) -> socketio.Client:
        """A connected client on one namespace."""
        client = socketio.Client(reconnection=False)
        client.connect(self.url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=10)
        return client

    def command(self, action: str, **fields: Any) -> dict[str, Any]:
        """Send a facilitator command; fail unless it is accepted."""
        ack = self.fac.call("command", {"action": action, **fields}, namespace="/facilitator", timeout=10)
        assert ack["ok"], (action, ack)
        return ack

    def answer_all(self, question: dict[str, Any], round_: int = 1, shift: int = 0) -> None:
        """Every phone answers a question, spread over its options."""
        options = question["options"]
        for i, (phone, _pid) in enumerate(self.phones):
            option = options[(i * 7 // 5 + shift) % len(options)]["id"]
            ack = phone.call("answer", {"question": question["id"], "option": option, "round": round_},
                             namespace="/participant", timeout=10)
            assert ack["ok"], ack

    def run_every_question(self) -> None:
        """Start, answer and reveal every question; a second round on the first; agree on every question."""
        self.command("start")
        for index, question in enumerate(Q["questions"]):
            if index:
                self.command("next")
            self.answer_all(question)
            self.command("reveal", question=question["id"])
        first = Q["questions"][0]
        self.command("new_round", question=first["id"])
        self.answer_all(first, round_=2, shift=1)
        self.command("reveal", question=first["id"])
        for question in Q["questions"]:
            self.command("agree", question=question["id"], option=question["options"][-1]["id"])

    def close(self) -> None:
        """Disconnect every client."""
        for client in [self.fac, *(phone for phone, _ in self.phones)]:
            client.disconnect()  # a no-op for a client that is already gone
