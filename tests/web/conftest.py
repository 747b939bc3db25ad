"""Fixtures for web tests: a facilitator, a projector and participants of one session."""
from __future__ import annotations

import pytest

from .helpers import Inbox, connect, projector_key


@pytest.fixture
def room(app, socketio, new_session):
    """A factory for a session with a connected facilitator and projector."""
    def make(**fields):
        session = new_session(**fields)
        facilitator = connect(socketio, app, "facilitator",
                              {"code": session["code"], "token": session["facilitator_token"]})
        screen = connect(socketio, app, "screen", {"code": session["code"], "key": projector_key(session)})
        assert facilitator.client.is_connected("/facilitator")
        assert screen.client.is_connected("/screen")
        return Room(app, socketio, session, facilitator, screen)
    return make


class Room:
    """One session under test with its facilitator and projector inboxes."""

    def __init__(self, app, socketio, session, facilitator: Inbox, screen: Inbox):
        """Keep the clients of the session."""
        self.app, self.socketio, self.session = app, socketio, session
        self.code = session["code"]
        self.facilitator, self.screen = facilitator, screen

    def phone(self, token: str | None = None) -> Inbox:
        """Connect a phone (a visitor, or a returning participant with its token)."""
        auth = {"code": self.code}
        if token:
            auth["token"] = token
        return connect(self.socketio, self.app, "participant", auth)

    def join(self, nickname: str | None = None, discipline: str | None = None) -> tuple[Inbox, dict]:
        """Connect a phone and join; return its inbox and the join acknowledgement."""
        phone = self.phone()
        ack = phone.emit("join", {"nickname": nickname, "discipline": discipline})
        assert ack["ok"], ack
        return phone, ack

    def command(self, action: str, **fields):
        """Send a facilitator command and return the acknowledgement."""
        return self.facilitator.emit("command", {"action": action, **fields})

    def live_rows(self):
        """The database's answers for this session."""
        svc = self.app.extensions["workshop"]
        room = svc.live.room(self.code)
        return svc.live.store.answers(room.id)
