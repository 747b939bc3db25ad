"""What the live service tells after each committed change; whoever implements it decides who hears what."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from workshop.core.state import SessionState
    from workshop.live.room import Room


class Notifier(Protocol):
    """Hears every change `Live` committed, after the commit; never called for a refused (Rejected) write."""

    def joined(self, room: "Room", participant_id: int) -> None:
        """A participant joined the session."""

    def answered(self, room: "Room", participant_id: int, question_id: str) -> None:
        """A participant's answer was stored."""

    def presence_changed(self, room: "Room", participant_id: int) -> None:
        """One of a participant's sockets connected or went away (the roster's "connected")."""

    def participant_removed(self, room: "Room", participant_id: int) -> None:
        """The facilitator removed a participant: its token stopped working, its answers stopped counting."""

    def state_changed(self, room: "Room", before: "SessionState") -> None:
        """The session's state changed from `before` to `room.state`."""

    def notes_changed(self, room: "Room", question_id: str, note: "dict[str, object]") -> None:
        """The facilitator's note for a question ('' for the whole session) was stored: {text, version, conflict}."""

    def steps_changed(self, room: "Room") -> None:
        """The session's first small steps were stored."""

    def report_link_changed(self, room: "Room") -> None:
        """The shared report link was created anew or revoked."""

    def followup_changed(self, room: "Room", earlier: "Room | None") -> None:
        """The then-and-now view of a follow-up (of `earlier`) was shown, or what became of a step carried over from the followed session was recorded."""

    def session_deleted(self, room: "Room") -> None:
        """The session was deleted (here or by another process); its room is about to be forgotten."""

    def facilitators_signed_out(self, room: "Room", sids: "list[str]") -> None:
        """These facilitator sockets signed in with a link that was rotated away or evicted: end them."""

    def projector_changed(self, room: "Room") -> None:
        """A projector page connected or went away (room.projectors, room.projector_at)."""

    def activities_changed(self, room: "Room") -> None:
        """The activities' state changed (programme, status, challenge list, auto-approve, what is shown)."""

    def challenge_picked(self, room: "Room", participant_id: int) -> None:
        """A participant's challenge picks were stored."""

    def ideas_changed(self, room: "Room", idea_ids: "list[int]", moderated: bool = True) -> None:
        """Ideas were submitted (moderated False: the author has the ack) or moderated (approve, hide, edit, merge, undo)."""

    def dots_changed(self, room: "Room", participant_id: int) -> None:
        """A participant's dots were stored."""


class NullNotifier(Notifier):
    """A notifier that tells nobody (the command line, tests without sockets): the protocol's methods do nothing."""
