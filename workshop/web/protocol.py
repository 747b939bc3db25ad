"""Socket.IO namespaces, room names, event names, facilitator actions and error codes with their texts, declared once."""
from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from workshop import settings
from workshop.core import actions
from workshop.core.state import Rejected

PARTICIPANT = "/participant"
SCREEN = "/screen"
FACILITATOR = "/facilitator"


# Rooms: who hears an emit, by session code (the broadcaster and the socket handlers name them only here).
def phones(code: str) -> str:
    """Room of every phone of a session (namespace /participant)."""
    return f"{code}:phones"


def person(code: str, participant_id: int) -> str:
    """Room of one participant's sockets (namespace /participant)."""
    return f"{code}:p:{participant_id}"


def screens(code: str) -> str:
    """Room of a session's projectors (namespace /screen) and facilitators (namespace /facilitator)."""
    return f"{code}:screens"


# Server to client
SNAPSHOT = "snapshot"
STATE = "state"
LIVE = "live"
ROSTER = "roster"
RESULT = "result"
REMOVED = "removed"
SESSION_DELETED = "session_deleted"  # the session was deleted (e.g. `workshop sessions delete`); the socket closes
FAILED = "failed"
NOTE_SAVED = "note"        # to facilitators: a note as stored, for every facilitator device
STEPS_SAVED = "steps"      # to facilitators: the first small steps as stored
REPORT = "report"          # to facilitators: the shared report link as it is now
PROJECTOR = "projector"    # to facilitators: whether a projector is connected, and since when
FOLLOWUP = "followup"  # the then-and-now view of a follow-up session (live/followup.py), to screens and facilitators
ACTIVITIES = "activities"  # the activities' view (phone, projector or facilitator)
WALL = "wall"              # phones: the idea wall as a diff {upsert: [[id, text]], remove: [id]}
MINE = "mine"              # one phone: its own picks, ideas (with status) and dots

# Client to server
JOIN = "join"
ANSWER = "answer"
COMMAND = "command"
NOTE = "note"
STEPS = "steps"
REPORT_LINK = "report_link"
STEP_STATUS = "step_status"  # what became of a step carried over from the followed session
DETACH_FOLLOWUP = "detach_followup"  # the earlier session's facilitator: this follow-up no longer shows this session
PICK = "pick"
IDEA = "idea"
DOTS = "dots"
ACTIVITY = "activity"
MODERATE = "moderate"
UNDO = "undo"

# What each namespace may receive from the server, by event (docs/protocol.md has one row for each; what each
# namespace accepts is its handler class's on_<event> methods). tests/unit/test_protocol_doc.py holds the three
# (this table, the handlers, the emits in workshop/web) against the document.
SENT: dict[str, tuple[str, ...]] = {
    PARTICIPANT: (SNAPSHOT, STATE, RESULT, ACTIVITIES, WALL, MINE, STEPS, REMOVED, SESSION_DELETED, FAILED),
    SCREEN: (SNAPSHOT, STATE, LIVE, FOLLOWUP, ACTIVITIES, STEPS, SESSION_DELETED, FAILED),
    FACILITATOR: (SNAPSHOT, STATE, LIVE, ROSTER, NOTE_SAVED, STEPS_SAVED, REPORT, PROJECTOR, FOLLOWUP, ACTIVITIES,
                  SESSION_DELETED, FAILED),
}

# Facilitator actions and the fields each one needs: core/actions.py's table (stages, undo, projector there too).
ACTIONS: dict[str, tuple[str, ...]] = actions.COMMANDS
# Optional fields of those actions passed on to the live service.
SCREEN_FIELDS = ("seconds", "reveal", "participant", "names")

ERRORS = {
    "bad_request": _l("That request was not understood."),
    "not_allowed": _l("You are not allowed to do that."),
    "not_allowed_now": _l("That is not possible at this point of the session."),
    "unknown_action": _l("Unknown action."),
    "unknown_session": _l("There is no session with this code. Check the code on the screen."),
    "session_ended": _l("This session has ended. Thank you for taking part!"),
    "session_deleted": _l("This session has been deleted. Everything it held is gone."),
    "bad_key": _l("This screen link is not valid. Copy the projector link from the facilitator page."),
    "bad_token": _l("This link is not valid for this session."),
    "removed": _l("The facilitator removed you from this session."),
    "rate_limited": _l("Too many attempts in a short time. Wait a moment and try again."),
    "locked": _l("The facilitator has closed joining for this session."),
    "full": _l("This session is full."),
    "bad_nickname": _l("Your name can be at most %(max)s characters."),
    "bad_discipline": _l("Pick one of the listed disciplines."),
    "already_joined": _l("You have already joined this session."),
    "not_joined": _l("Join the session first."),
    "unknown_question": _l("Unknown question."),
    "unknown_option": _l("Unknown option."),
    "unknown_participant": _l("Unknown participant."),
    "question_closed": _l("This question is closed. Wait for the next one."),
    "stale_round": _l("A new round has started. Answer the question again."),
    "too_large": _l("That message is too large."),
    "internal": _l("Something went wrong on the server. Try again."),
    "unhealthy": _l("The server cannot store anything right now."),
    "nothing_to_undo": _l("There is nothing to undo: the last action cannot be undone, is too long ago or was "
                          "changed since."),
    "not_facilitator_of_all": _l("You need the facilitator link of every session you name."),
    "unknown_activity": _l("This activity is not part of the programme."),
    "activity_closed": _l("This activity is not open now."),
    "bad_picks": _l("Pick one or two of the listed challenges."),
    "bad_challenge": _l("A challenge can be at most %(max)s characters."),
    "bad_idea": _l("An idea can be at most %(max)s characters."),
    "too_many_ideas": _l("You have sent the most ideas you can."),
    "unknown_idea": _l("That idea is not on the wall."),
    "merge_target_not_approved": _l("Merge only into an idea that is on the wall: approve it first."),
    "too_many_dots": _l("You have no dots left to place there. Take one off another idea first."),
    "undo_expired": _l("This can no longer be undone."),
    "too_many_connections": _l("Too many connections from this address; close some and try again."),
    "wrong_worker": _l("This request reached a server process that does not hold this session. "
                       "Reload the page; if this stays, the proxy in front of the workers is set up wrongly."),
}

# The lines around both texts of a note saved on two devices at once (core/notes.py), in the session's language.
NOTE_MARKERS = (
    _l("⚠ Typed on two devices at once. Saved first:"),
    _l("⚠ Saved next:"),
    _l("⚠ End of both texts: keep what is right, remove the rest."),
)


def note_markers() -> tuple[str, str, str]:
    """The conflict markers of a note in the current language."""
    first, then, end = (str(m) for m in NOTE_MARKERS)
    return first, then, end


# Error messages that name a limit: the setting that holds it.
LIMITS = {"bad_nickname": "NICKNAME_MAX", "bad_challenge": "CHALLENGE_MAX", "bad_idea": "IDEA_MAX"}


def limit(name: str) -> Any:
    """A setting's value in the running app (its default outside one)."""
    config = current_app.extensions["workshop"].config if has_app_context() else settings.Settings()
    return getattr(config, settings.attribute(name))


def error(code: str, field: str | None = None) -> dict[str, Any]:
    """Return the error object for a code, in the current language."""
    message = str(ERRORS.get(code, ERRORS["bad_request"]))
    if code in LIMITS:
        message = message % {"max": limit(LIMITS[code])}
    data = {"code": code, "message": message}
    if field:
        data["field"] = field
    return data


def rejected(exc: Rejected) -> dict[str, Any]:
    """Return the error object for a Rejected exception."""
    return error(exc.code if exc.code in ERRORS else "bad_request", exc.field)


def failure(code: str, field: str | None = None) -> dict[str, Any]:
    """Return a failed acknowledgement."""
    return {"ok": False, "error": error(code, field)}
