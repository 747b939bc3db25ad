"""Socket.IO handlers: parse what arrives, call the live sessions, reply to the sender (the notifier tells the rest)."""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from typing import Any, Callable

from flask import current_app, g, request
from flask_socketio import Namespace, join_room

from workshop.core import actions
from workshop.core.state import Rejected, changes
from workshop.live import views
from workshop.live.service import Live, Room
from workshop.web import activity_sockets as acts
from workshop.web import links, transport
from workshop.web import protocol as p
from workshop.web.auth import admit_facilitator, admit_participant, admit_projector, refuse
from workshop.web.services import services

log = logging.getLogger(__name__)


def client_address() -> str:
    """Return the remote address of the socket's handshake."""
    return request.remote_addr or "unknown"


def as_dict(data: Any) -> dict[str, Any]:
    """Return an event payload as a dict or raise Rejected."""
    if not isinstance(data, dict):
        raise Rejected("bad_request", "payload must be an object")
    return data


@dataclass(frozen=True)
class Binding:
    """What one namespace connection acts on: its session and role, fixed at that namespace's connect."""

    code: str
    role: str
    participant: int | None = None
    epoch: int = 0  # a facilitator's sign-in generation: a rotation since ends its control
    link: str | None = None  # the facilitator link it signed in with: evicting that link ends its control


def bound(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run an event handler with the room bound at this namespace's connect; a Rejected becomes the failed ack.

    The handler is called as handler(self, room, binding, data). Bindings are kept per
    (namespace, sid), never in Flask's session, which Flask-SocketIO shares between every
    namespace of one Engine.IO connection (docs/security.md, finding 1).
    """
    @functools.wraps(handler)
    def run(self: "BaseNamespace", data: Any = None) -> Any:
        binding = self.binding()
        room = services().live.room(binding.code) if binding else None
        if room is None:
            return self.fail("unknown_session")
        if not room.owned:
            return self.not_owner(room)
        g.session_language = room.language
        live = services().live
        if (binding.role == "facilitator" and not live.signed_in_with(room, binding.epoch, binding.link)
                and live.facilitator_epoch(room) >= 0):  # a deleted session's writes answer session_deleted
            reply = self.fail("bad_token")
            self.socketio.server.disconnect(request.sid, namespace=self.namespace)  # its link was revoked since
            return reply
        if binding.role == "facilitator" and not services().facilitator_may(room.code, client_address()):
            return self.fail("rate_limited")  # per session and per address (issue 20, finding 5)
        try:
            return handler(self, room, binding, data)
        except Rejected as exc:
            if exc.code == "not_owner":
                return self.not_owner(room)
            return self.rejected(exc)
    return run


def bindings(environ: dict[str, Any]) -> dict[tuple[str, str], Binding]:
    """The bindings of one Engine.IO connection, one per (namespace, Socket.IO sid)."""
    return environ.setdefault("workshop.bindings", {})  # logline.BINDINGS reads it for log lines


def handler_failed(exc: BaseException) -> Any:
    """Log an unexpected error in a socket handler; refuse a connect, else answer with a generic failure."""
    log.error("socket handler failed", exc_info=exc)
    reply = p.failure("internal")
    if request.event and request.event.get("message") == "connect":
        raise refuse("internal")
    current_app.extensions["socketio"].emit(p.FAILED, reply["error"], to=request.sid, namespace=request.namespace)
    return reply


class BaseNamespace(Namespace):
    """Common handling: unknown events are refused, unexpected errors become an error reply."""

    def trigger_event(self, event, *args):
        """Dispatch to on_<event> with at most one payload; refuse events this role may not send."""
        if event in ("connect", "disconnect") and not self.socketio.server.manager.is_connected(args[0], self.namespace):
            return super().trigger_event(event, *args)  # the real (dis)connect: the socket is still pending
        # A connected client's own event named 'connect'/'disconnect', a non-text name or an unknown one is refused.
        if not isinstance(event, str) or event in ("connect", "disconnect") or not hasattr(self, "on_" + event):
            return self.socketio._handle_event(self._not_allowed, event, self.namespace, *args[:1])
        return super().trigger_event(event, *args[:2])

    def _not_allowed(self, *args):
        """Refuse an event that this namespace does not accept."""
        return self.fail("not_allowed")

    def fail(self, code: str, field: str | None = None) -> dict[str, Any]:
        """Tell this socket only that its request failed; return the failed acknowledgement."""
        reply = p.failure(code, field)
        self.reply(p.FAILED, reply["error"])
        return reply

    def reply(self, event: str, data: Any) -> None:
        """Emit an event to the socket whose event is being handled, only."""
        self.socketio.emit(event, data, to=request.sid, namespace=self.namespace)

    def on_connect(self, auth=None):
        """Accept or refuse a connection (Flask-SocketIO retries a TypeError without auth: never let one out)."""
        try:
            self.connect(auth)
        except (TypeError, AttributeError):
            log.exception("bad connect payload")
            raise refuse("bad_request") from None

    def on_disconnect(self, reason=None):
        """Forget the binding of a connection that went away."""
        self.unbind()

    def not_owner(self, room: Room) -> dict[str, Any]:
        """Refuse a request on a session another worker holds now; drop the room here and close its connections."""
        reply = self.fail("not_owner")
        svc = services()
        if svc.leases is not None:
            svc.leases.lost(room.code)  # every socket of the room reconnects and the proxy routes it again
        transport.close_connection(self.socketio.server, request.sid, self.namespace)
        return reply

    def rejected(self, exc: Rejected) -> dict[str, Any]:
        """Turn a domain refusal into a failed acknowledgement."""
        return self.fail(exc.code if exc.code in p.ERRORS else "bad_request", exc.field)

    def bind(self, binding: Binding) -> None:
        """Fix what this namespace connection acts on (only at connect, or a participant's own join)."""
        bindings(request.environ)[(self.namespace, request.sid)] = binding

    def binding(self) -> Binding | None:
        """What this namespace connection was bound to at its connect, None before that."""
        return bindings(request.environ).get((self.namespace, request.sid))

    def unbind(self) -> None:
        """Forget this namespace connection's binding (it disconnected)."""
        bindings(request.environ).pop((self.namespace, request.sid), None)


class ParticipantNamespace(BaseNamespace):
    """Phones: join, answer, receive their own state and result."""

    def connect(self, auth):
        """Rebind a returning participant by token, or connect a visitor; send a snapshot."""
        try:
            room = admit_participant(auth)
            live: Live = services().live
            member = live.rebind(room, auth.get("token"))
        except Rejected as exc:
            raise refuse(exc.code) from None
        if member is None and auth.get("token") is not None:
            raise refuse("bad_token")  # a wrong or stale token: the phone forgets it and joins afresh
        if member is None and room.state.stage == "ended":
            raise refuse("session_ended")
        self.bind(Binding(room.code, "participant", member.id if member else None))
        join_room(p.phones(room.code))
        if member:
            self._attach(room, member.id)
        self.reply(p.SNAPSHOT, self.snapshot(room, member.id if member else None))

    def _attach(self, room: Room, participant_id: int) -> None:
        """Attach this socket to a participant's personal room and count it as connected."""
        join_room(p.person(room.code, participant_id))
        services().live.connected(room, participant_id)

    def snapshot(self, room: Room, participant_id: int | None) -> dict[str, Any]:
        """Everything a phone needs to draw itself."""
        return {
            "state": views.public_state(room),
            "me": views.me(room, participant_id) if participant_id else None,
            "result": views.result(room, participant_id) if participant_id else None,
            "activities": acts.phone_view(room, participant_id),
            "steps": services().shared_steps(room),
        }

    def on_disconnect(self, reason=None):
        """Note that one of a participant's sockets went away."""
        binding = self.binding()
        room = services().live.in_memory(binding.code) if binding else None  # a room not in memory counts nobody
        pid = binding.participant if binding else None
        self.unbind()
        if room and pid:
            services().live.disconnected(room, pid)

    @bound
    def on_join(self, room: Room, binding: Binding, data: Any):
        """Join the session with an optional nickname and discipline."""
        svc = services()
        if binding.participant:
            return self.fail("already_joined")
        if not (svc.join_connection_limit.allow(request.sid) and svc.join_limit.allow(client_address())):
            return self.fail("rate_limited")
        data = {} if data is None else as_dict(data)
        member, token = svc.live.join(room, data.get("nickname"), data.get("discipline"))
        self.bind(replace(binding, participant=member.id))
        self._attach(room, member.id)
        return {"ok": True, "token": token, "me": views.me(room, member.id)}

    @bound
    def on_answer(self, room: Room, binding: Binding, data: Any):
        """Store an answer; acknowledge only after it is committed."""
        svc = services()
        pid = binding.participant
        if not pid:
            return self.fail("not_joined")
        # Per participant (whatever the number of its sockets) and per address.
        if not (svc.answer_limit.allow(f"{room.code}:{pid}") and svc.answer_address_limit.allow(client_address())):
            return self.fail("rate_limited")
        data = as_dict(data)
        seq = svc.live.answer(room, pid, data.get("question"), data.get("option"), data.get("round"))
        return {"ok": True, "question": data["question"], "option": data["option"],
                "round": data["round"], "seq": seq}


class ScreenNamespace(BaseNamespace):
    """Projectors: read-only, authenticated by the projector key."""

    def connect(self, auth):
        """Check the projector key, join the screens room and send a snapshot; count it unless it is a preview."""
        svc = services()
        room = admit_projector(auth)
        preview = isinstance(auth, dict) and auth.get("preview") is True  # the facilitator page's small copy
        self.bind(Binding(room.code, "preview" if preview else "screen"))
        join_room(p.screens(room.code))
        self.reply(p.SNAPSHOT, {"state": svc.screen_state(room), "live": svc.aggregate(room, "projector"),
                                "followup": svc.followup(room, "projector"),
                                "activities": acts.screen_view(room), "steps": svc.shared_steps(room)})
        if not preview:
            svc.live.projector_connected(room, True)

    def on_disconnect(self, reason=None):
        """Count a projector page less when it goes away."""
        binding = self.binding()
        self.unbind()
        room = services().live.in_memory(binding.code) if binding and binding.role == "screen" else None
        if room is not None:
            services().live.projector_connected(room, False)


class FacilitatorNamespace(BaseNamespace):
    """The facilitator's control socket: every session command goes through here."""

    def connect(self, auth):
        """Check the facilitator token or cookie, join the screens room, send a snapshot."""
        room, sign_in = admit_facilitator(auth)
        self.bind(Binding(room.code, "facilitator", epoch=sign_in.epoch, link=sign_in.link))
        services().live.facilitator_connected(room, request.sid, sign_in.epoch, sign_in.link)
        join_room(p.screens(room.code))
        self.reply(p.SNAPSHOT, self.snapshot(room))

    def on_disconnect(self, reason=None):
        """Forget a facilitator socket that went away."""
        binding = self.binding()
        self.unbind()
        room = services().live.in_memory(binding.code) if binding else None
        if room is not None:
            services().live.facilitator_disconnected(room, request.sid)

    def snapshot(self, room: Room) -> dict[str, Any]:
        """Everything the control page needs to draw itself."""
        svc = services()
        return {
            "state": svc.screen_state(room),
            "live": svc.aggregate(room, "facilitator"),
            "roster": views.roster(room),
            "notes": svc.live.store.notes(room.id),
            "note_versions": svc.live.store.note_versions(room.id),
            "steps": svc.live.store.steps(room.id),
            "report": svc.report_info(room),
            "projector": views.projector(room),
            "undo": svc.live.undo_seconds(room),
            "undoes": svc.live.undo_offer(room),
            "actions": actions.table(),
            "followup": svc.followup(room, "facilitator"),
            "followups": svc.live.followups(room),
            "activities": acts.facilitator_view(room),
        }

    @bound
    def on_command(self, room: Room, binding: Binding, data: Any):
        """Apply a facilitator action (the live service tells every screen and phone what changed)."""
        svc = services()
        data = as_dict(data)
        action = data.get("action")
        if not isinstance(action, str) or action not in p.ACTIONS:
            raise Rejected("unknown_action", "Unknown action", "action")
        missing = [f for f in p.ACTIONS[action] if f not in data]
        if missing:
            raise Rejected("bad_request", f"{action} needs {missing[0]}", missing[0])
        before = room.state
        if action == "remove":
            svc.live.remove(room, data["participant"])
        else:
            svc.live.command(room, action, question=data.get("question"), option=data.get("option"),
                             view=data.get("view"), **{f: data[f] for f in p.SCREEN_FIELDS if f in data})
        return {"ok": True, "state": svc.screen_state(room), "undo": svc.live.undo_seconds(room),
                "undoes": svc.live.undo_offer(room), "changes": changes(before, room.state)}

    @bound
    def on_facilitator_link(self, room: Room, binding: Binding, data: Any):
        """Make a facilitator link for another device (earlier links keep working)."""
        offer = links.offer(room, services().live.facilitator_link(room))
        return {"ok": True, "url": offer["url"], "qr": offer["qr"], "mailto": offer["mailto"]}

    @bound
    def on_note(self, room: Room, binding: Binding, data: Any):
        """Save the note for a question ('' for the whole session) as it is typed."""
        data = as_dict(data)
        note = services().live.save_note(room, data.get("question"), data.get("text"), data.get("version", 0),
                                         p.note_markers())
        return {"ok": True, "text": note["text"], "version": note["version"], "conflict": note["conflict"]}

    @bound
    def on_steps(self, room: Room, binding: Binding, data: Any):
        """Save the session's first small steps."""
        steps = services().live.save_steps(room, as_dict(data).get("items"))
        return {"ok": True, "items": steps}

    @bound
    def on_report_link(self, room: Room, binding: Binding, data: Any):
        """Create a new shared report link or revoke the current one."""
        svc = services()
        enabled = as_dict(data).get("enabled")
        if not isinstance(enabled, bool):
            raise Rejected("bad_request", "enabled must be true or false", "enabled")
        svc.live.set_report_link(room, enabled)
        return {"ok": True, "report": svc.report_info(room)}

    @bound
    def on_step_status(self, room: Room, binding: Binding, data: Any):
        """Record what became of a step carried over from the followed session (done, partly, not_yet, null)."""
        data = as_dict(data)
        steps = services().live.set_step_status(room, data.get("position"), data.get("status"))
        return {"ok": True, "steps": steps}

    @bound
    def on_detach_followup(self, room: Room, binding: Binding, data: Any):
        """Detach a follow-up of this session: it no longer shows any of this session's figures."""
        return {"ok": True, "followups": services().live.detach_followup(room, as_dict(data).get("code"))}


# The activities' events (workshop.web.activity_sockets), each bound like the others.
ParticipantNamespace.on_pick = bound(acts.PhoneActivities.pick)
ParticipantNamespace.on_idea = bound(acts.PhoneActivities.idea)
ParticipantNamespace.on_dots = bound(acts.PhoneActivities.dots)
FacilitatorNamespace.on_activity = bound(acts.FacilitatorActivities.activity)
FacilitatorNamespace.on_moderate = bound(acts.FacilitatorActivities.moderate)
FacilitatorNamespace.on_undo = bound(acts.FacilitatorActivities.undo)
