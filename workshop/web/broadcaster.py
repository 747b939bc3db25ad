"""The Socket.IO notifier: room names, who hears which change, and the coalescing sender of live aggregates."""
from __future__ import annotations

import logging
import math
import time
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Callable, ContextManager

from flask_babel import force_locale

from workshop.core.screen_control import NAMES_AUTO_MAX
from workshop.live import views
from workshop.live.followup import followup_view
from workshop.web import protocol as p
from workshop.web.protocol import person, phones, screens

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from workshop.core.state import SessionState
    from workshop.web.activity_sender import ActivitySender
    from workshop.live.service import Room

log = logging.getLogger(__name__)


# Under load a room's aggregates are at least this many flush durations apart, so flushing takes at most
# about 1/(COST_FACTOR + 1) of the process: cheap aggregates go out almost at once, costly ones coalesce more.
COST_FACTOR = 5
SCREEN_MIN_WINDOW = 0.02  # 50 projector updates a second is more than anyone can read
# The two parts of a room's broadcast: the projector's masked aggregate (cheap while questions run: no
# results or disciplines) and the facilitator's full aggregate with the roster (costly with many people).
SCREEN, FULL = "screen", "full"


class Broadcaster:
    """The live service's notifier over Socket.IO: decides who hears each change (workshop.live.notifier).

    Phones hear the public state and their own result or removal; projectors and facilitators the screen
    state and the live aggregate, facilitators the roster too. Aggregates go out at once when idle and
    coalesced under load (`window`): the projector's part within SCREEN_MIN_WINDOW..interval; the
    facilitator's full aggregate at most every `interval`, less often when building it costs more than
    1/(COST_FACTOR + 1) of the time. An interval of 0 sends everything at once (tests).
    """

    def __init__(self, socketio: "SocketIO", interval: float, join_url: Callable[[str], str], join_url_local: bool,
                 min_group_size: int, *, names_max: int = NAMES_AUTO_MAX,
                 report_info: Callable[["Room"], dict[str, Any]] = lambda room: {"enabled": False, "url": None},
                 notes: Callable[["Room"], dict[str, str]] = lambda room: {},
                 steps: Callable[["Room"], list[dict[str, str]]] = lambda room: [],
                 shared_steps: Callable[["Room"], list[dict[str, Any]]] = lambda room: [],
                 activity: "ActivitySender | None" = None, threads: bool = False):
        """Keep what a flush needs (the join address as worked out at start); no emit happens here.

        What facilitator devices are sent when it changes is read after the commit through `report_info`
        (the shared report link), `notes` and `steps`, and phones and projectors `shared_steps` (each with
        the text of the idea it came from); the app passes them (it holds the store, the secret and
        the links). `activity` sends the activities' views (web/activity_sender.py); None: nobody hears them.
        `threads`: background tasks are OS threads (async mode "threading"), see `reading`.
        """
        self.socketio = socketio
        self.interval = interval
        self.join_url = join_url
        self.join_url_local = join_url_local
        self.min_group_size = min_group_size
        self.names_max = names_max  # SCREEN_NAMES_MAX
        self.report_info = report_info
        self.notes = notes
        self.steps = steps
        self.shared_steps = shared_steps
        self.activity = activity
        self.threads = threads
        self._last: dict[tuple[str, str], float] = {}  # (code, part): when it was last sent
        self._cost: dict[tuple[str, str], float] = {}  # (code, part): seconds its last flush took
        self._stale: set[tuple[str, str]] = set()  # (code, part): changed since it was last sent
        self._pending: dict[str, float] = {}  # code: when its waiting flush task wakes up
        self._roster_dirty: set[str] = set()
        self._shows: dict[str, str] = {}  # code: what its projector was last told it shows after an activity change

    def reading(self, room: "Room") -> ContextManager[Any]:
        """What to hold while reading a room's tally or board from a task: its lock when tasks are OS threads.

        Green threads (eventlet, gevent) switch only where one yields, and building a view yields nowhere, so
        it needs no lock; waiting for one would queue the send behind every write that waits for SQLite.
        """
        return room.lock if self.threads else nullcontext()

    def waiting(self) -> int:
        """How many sessions have a flush waiting (the queue depth /metrics shows)."""
        return len(self._pending)

    def busy(self, code: str) -> bool:
        """Tell whether a session has a socket of any role connected, or a flush waiting."""
        rooms = self.socketio.server.manager.rooms
        return code in self._pending or any(
            rooms.get(namespace, {}).get(name) for namespace, name in (
                (p.PARTICIPANT, phones(code)), (p.SCREEN, screens(code)), (p.FACILITATOR, screens(code))))

    def release(self, code: str) -> None:
        """Forget what is kept about a session that was dropped from memory or deleted (the activities' part too)."""
        for part in (SCREEN, FULL):
            self._last.pop((code, part), None)
            self._cost.pop((code, part), None)
            self._stale.discard((code, part))
        self._pending.pop(code, None)
        self._roster_dirty.discard(code)
        self._shows.pop(code, None)
        if self.activity:
            self.activity.forget(code)

    def touch(self, room: "Room", roster: bool = False) -> None:
        """Note that a room's aggregates changed; schedule a flush for them."""
        if roster:
            self._roster_dirty.add(room.code)
        self._stale.update(((room.code, SCREEN), (room.code, FULL)))
        self._schedule(room)

    def window(self, code: str, part: str) -> float:
        """Shortest time between two flushes of a room's part (see the class)."""
        if not self.interval:
            return 0.0
        cost = COST_FACTOR * self._cost.get((code, part), 0.0)
        if part == SCREEN:
            return min(self.interval, max(SCREEN_MIN_WINDOW, cost))
        return max(self.interval, cost)

    def _due(self, code: str) -> dict[str, float]:
        """When each stale part of a room may be sent next."""
        return {part: self._last.get((code, part), -math.inf) + self.window(code, part)
                for part in (SCREEN, FULL) if (code, part) in self._stale}

    def _schedule(self, room: "Room") -> None:
        """Start a task that waits for the room's next due part, unless one already wakes up by then."""
        due = self._due(room.code)
        if not due:
            return
        wake = min(due.values())
        if self._pending.get(room.code, float("inf")) <= wake + 0.001:
            return
        self._pending[room.code] = wake
        self.socketio.start_background_task(self._flush_later, room, wake)

    def _flush_later(self, room: "Room", wake: float) -> None:
        """Wait, send the parts that are due, then wait again for the others."""
        self.socketio.sleep(max(0.0, wake - time.monotonic()))
        if self._pending.get(room.code) == wake:
            del self._pending[room.code]
        now = time.monotonic()
        try:
            self._send(room, {part for part, at in self._due(room.code).items() if at <= now + 0.001})
        except Exception:  # a failed send is logged; the parts it took are sent with the room's next change
            log.exception("broadcast to room %s failed", room.code)
        self._schedule(room)

    def flush(self, room: "Room") -> None:
        """Send the room's current aggregates (and roster, when it changed) right now."""
        self._send(room, {SCREEN, FULL})

    def _send(self, room: "Room", parts: set[str]) -> None:
        """Send some parts of a room's broadcast, timing each for the next window."""
        code, full = room.code, None
        if FULL in parts:
            started = self._last[(code, FULL)] = time.monotonic()
            self._stale.discard((code, FULL))
            roster = code in self._roster_dirty
            self._roster_dirty.discard(code)
            with self.reading(room):  # built in a task of its own: a handler may change the tally meanwhile
                full = views.aggregate(room, "facilitator", min_group_size=self.min_group_size)
                listed = self.roster(room) if roster else None
            self.socketio.emit(p.LIVE, full, to=screens(code), namespace=p.FACILITATOR)
            if listed is not None:
                self.socketio.emit(p.ROSTER, listed, to=screens(code), namespace=p.FACILITATOR)
            self._cost[(code, FULL)] = time.monotonic() - started
        if SCREEN in parts:
            started = self._last[(code, SCREEN)] = time.monotonic()
            self._stale.discard((code, SCREEN))
            with self.reading(room):
                masked = views.aggregate(room, "projector", min_group_size=self.min_group_size, full=full,
                                         names_max=self.names_max)
            self.socketio.emit(p.LIVE, masked, to=screens(code), namespace=p.SCREEN)
            self._cost[(code, SCREEN)] = time.monotonic() - started

    def session_deleted(self, room: "Room") -> int:
        """Tell every socket of a deleted session why it ends, disconnect it, forget the room; return how many."""
        code = room.code
        with self.reading(room):
            members = list(room.tally.members)
        targets = {
            p.PARTICIPANT: [phones(code), *(person(code, pid) for pid in members)],
            p.SCREEN: [screens(code)],
            p.FACILITATOR: [screens(code)],
        }
        server, count, notice = self.socketio.server, 0, None
        for namespace, names in targets.items():
            sids = {sid for name in names for sid, _eio in server.manager.get_participants(namespace, name)}
            for sid in sids:
                if notice is None:  # only with sockets to tell: the command line has no app context
                    with force_locale(room.language):
                        notice = p.error("session_deleted")
                self.socketio.emit(p.SESSION_DELETED, notice, to=sid, namespace=namespace)
                server.disconnect(sid, namespace=namespace)
            count += len(sids)
        self.release(code)
        return count

    def roster(self, room: "Room") -> dict[str, Any]:
        """The facilitator's roster (views.roster; a method so a benchmark can time it)."""
        return views.roster(room)

    # The notifier (workshop.live.notifier.Notifier)

    def joined(self, room: "Room", participant_id: int) -> None:
        """A new participant: the count, the names and the roster change."""
        self.touch(room, roster=True)

    def answered(self, room: "Room", participant_id: int, question_id: str) -> None:
        """A new answer: the aggregates change, and the roster shows how many questions each person answered."""
        self.touch(room, roster=True)

    def presence_changed(self, room: "Room", participant_id: int) -> None:
        """A participant's socket came or went: the roster's "connected" changes."""
        self.touch(room, roster=True)

    def participant_removed(self, room: "Room", participant_id: int) -> None:
        """Tell the removed participant's sockets, disconnect them, and update the screens."""
        target = person(room.code, participant_id)
        self.socketio.emit(p.REMOVED, {}, to=target, namespace=p.PARTICIPANT)
        server = self.socketio.server
        for sid, _ in list(server.manager.get_participants(p.PARTICIPANT, target)):
            server.disconnect(sid, namespace=p.PARTICIPANT)
        self.touch(room, roster=True)

    def state_changed(self, room: "Room", before: "SessionState") -> None:
        """Tell every socket of a session about its new state, and phones their results when they become due."""
        screen_state = views.screen_state(room, self.join_url(room.code), self.join_url_local)
        self._shows[room.code] = screen_state["shows"]
        self.socketio.emit(p.STATE, views.public_state(room), to=phones(room.code), namespace=p.PARTICIPANT)
        self.socketio.emit(p.STATE, screen_state, to=screens(room.code), namespace=p.SCREEN)
        self.socketio.emit(p.STATE, screen_state, to=screens(room.code), namespace=p.FACILITATOR)
        if room.state.stage in ("results", "ended") and room.state.stage != before.stage:
            with self.reading(room):
                results = [(pid, views.result(room, pid)) for pid in room.tally.members if room.sockets.get(pid)]
            for pid, result in results:
                if result is not None:
                    self.socketio.emit(p.RESULT, result, to=person(room.code, pid), namespace=p.PARTICIPANT)
        self.touch(room)

    def _to_facilitators(self, event: str, data: Any, room: "Room") -> None:
        """Send an event to every facilitator device of a session (a co-facilitator, a phone used as a remote)."""
        self.socketio.emit(event, data, to=screens(room.code), namespace=p.FACILITATOR)

    def notes_changed(self, room: "Room", question_id: str, note: dict[str, Any]) -> None:
        """Every facilitator device gets the stored note with its version (the one typing it ignores its own echo)."""
        self._to_facilitators(p.NOTE_SAVED, {"question": question_id, **note}, room)

    def steps_changed(self, room: "Room") -> None:
        """Every facilitator device gets the stored first small steps; phones and projectors too."""
        self._to_facilitators(p.STEPS_SAVED, {"items": self.steps(room)}, room)
        shared = self.shared_steps(room)
        self.socketio.emit(p.STEPS, shared, to=phones(room.code), namespace=p.PARTICIPANT)  # their result ends with them
        self.socketio.emit(p.STEPS, shared, to=screens(room.code), namespace=p.SCREEN)

    def report_link_changed(self, room: "Room") -> None:
        """Every facilitator device gets the shared report link as it is now."""
        self._to_facilitators(p.REPORT, self.report_info(room), room)

    def facilitators_signed_out(self, room: "Room", sids: list[str]) -> None:
        """Tell each facilitator socket whose link stopped working why, and disconnect it at once."""
        with force_locale(room.language):
            notice = p.error("bad_token")
        for sid in sids:
            self.socketio.emit(p.FAILED, notice, to=sid, namespace=p.FACILITATOR)
            self.socketio.server.disconnect(sid, namespace=p.FACILITATOR)

    def projector_changed(self, room: "Room") -> None:
        """Every facilitator device hears whether a projector is connected, and since when."""
        self._to_facilitators(p.PROJECTOR, views.projector(room), room)

    def followup_changed(self, room: "Room", earlier: "Room | None") -> None:
        """Send the then-and-now view: masked to the projectors, in full to the facilitator pages."""
        for namespace, audience in ((p.SCREEN, "projector"), (p.FACILITATOR, "facilitator")):
            data = followup_view(room, earlier, audience, min_group_size=self.min_group_size)
            self.socketio.emit(p.FOLLOWUP, data, to=screens(room.code), namespace=namespace)

    # The activities (workshop.web.activity_sender, given at construction)

    def activities_changed(self, room: "Room") -> None:
        """The activities' state changed: everyone hears it; screens the state, whose `shows` may have changed."""
        if self.activity:
            self.activity.state(room)
        shows = views.shows(room)
        if self._shows.get(room.code) == shows:
            return  # the projector renders the same view: nothing in the state it was sent changed
        screen_state = views.screen_state(room, self.join_url(room.code), self.join_url_local)
        self._shows[room.code] = screen_state["shows"]
        for namespace in (p.SCREEN, p.FACILITATOR):
            self.socketio.emit(p.STATE, screen_state, to=screens(room.code), namespace=namespace)

    def challenge_picked(self, room: "Room", participant_id: int) -> None:
        """A phone picked challenges."""
        if self.activity:
            self.activity.picked(room)

    def ideas_changed(self, room: "Room", idea_ids: list[int], moderated: bool = True) -> None:
        """Ideas were submitted or moderated."""
        if self.activity:
            self.activity.ideas(room, idea_ids, moderated)

    def dots_changed(self, room: "Room", participant_id: int) -> None:
        """A phone placed or moved dots."""
        if self.activity:
            self.activity.dots(room)
