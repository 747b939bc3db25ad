"""Socket.IO handlers of the activities: mixed into the participant and facilitator namespaces (thin: parse, call, ack)."""
from __future__ import annotations

from typing import Any

from workshop.core.state import Rejected
from workshop.live import activity_views as av
from workshop.web import protocol as p
from workshop.web.services import services


def as_dict(data: Any) -> dict[str, Any]:
    """Return an event payload as a dict or raise Rejected."""
    if not isinstance(data, dict):
        raise Rejected("bad_request", "payload must be an object")
    return data


def phone_view(room: Any, participant_id: int | None) -> dict[str, Any]:
    """A phone's activities view with the full idea wall (its snapshot)."""
    live = services().live
    board = live.activities.board(room)
    data = av.phone(room, board, live.activities.programme, live.config, participant_id)
    data["wall"] = av.wall(board)
    return data


def facilitator_view(room: Any) -> dict[str, Any]:
    """The facilitator's activities view (its snapshot and acks)."""
    live = services().live
    return av.facilitator(room, live.activities.board(room), live.activities.programme, live.config)


def screen_view(room: Any) -> dict[str, Any]:
    """The projector's activities view with the wall (its snapshot)."""
    live = services().live
    board = live.activities.board(room)
    return av.screen(room, board, live.activities.programme, live.config)


def participant_only(room: Any, binding: Any) -> int:
    """The bound participant within its activity rate limit, or raise Rejected."""
    pid = binding.participant
    if not pid:
        raise Rejected("not_joined", "Join the session first")
    if not services().activity_limit.allow(f"{room.code}:{pid}"):
        raise Rejected("rate_limited", "Too many requests")
    return pid


class PhoneActivities:
    """The phone's activity events (the namespace's @bound wraps each one)."""

    def pick(self, room: Any, binding: Any, data: Any) -> dict[str, Any]:
        """Store the challenges a phone recognises most."""
        pid = participant_only(room, binding)
        picks = services().live.activities.pick(room, pid, as_dict(data).get("picks"))
        return {"ok": True, "picks": list(picks)}

    def idea(self, room: Any, binding: Any, data: Any) -> dict[str, Any]:
        """Store an idea for a first small step."""
        pid = participant_only(room, binding)
        data = as_dict(data)
        idea = services().live.activities.submit(room, pid, data.get("text"), data.get("prompt"))
        return {"ok": True, "idea": {"id": idea.id, "text": idea.text, "status": idea.status}}

    def dots(self, room: Any, binding: Any, data: Any) -> dict[str, Any]:
        """Set a phone's dots on one idea (moving a dot: lower one idea, then raise another)."""
        pid = participant_only(room, binding)
        data = as_dict(data)
        placed = services().live.activities.place(room, pid, data.get("idea"), data.get("count"))
        return {"ok": True, "dots": {str(k): v for k, v in placed.items()}}


class FacilitatorActivities:
    """The facilitator's activity events."""

    def activity(self, room: Any, binding: Any, data: Any) -> dict[str, Any]:
        """Open, close, reveal or show an activity; change the programme, challenges or auto-approve."""
        data = as_dict(data)
        services().live.activities.command(room, data.get("action"), data)
        return {"ok": True, "activities": facilitator_view(room)}

    def moderate(self, room: Any, binding: Any, data: Any) -> dict[str, Any]:
        """Approve, hide, edit or merge an idea; the ack carries the undo id."""
        data = as_dict(data)
        undo = services().live.activities.moderate(room, data.get("action"), data.get("idea"), data.get("text"),
                                                   data.get("target"))
        return {"ok": True, "undo": undo, "seconds": services().config.undo_seconds}

    def undo(self, room: Any, binding: Any, data: Any) -> dict[str, Any]:
        """Undo the last moderation action within UNDO_SECONDS."""
        services().live.activities.undo(room, as_dict(data).get("undo"))
        return {"ok": True}


EVENTS = (p.PICK, p.IDEA, p.DOTS, p.ACTIVITY, p.MODERATE, p.UNDO)
