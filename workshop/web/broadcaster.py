"""The Socket.IO notifier: room names, who hears which change, and the one coalescer of every part a room is sent."""
from __future__ import annotations

import logging
import math
import time
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Callable, ContextManager

from flask_babel import force_locale

from workshop.core.screen_control import NAMES_AUTO_MAX
from workshop.live import activity_views as av
from workshop.live import views
from workshop.live.followup import followup_view
from workshop.web import protocol as p
from workshop.web.protocol import person, phones, screens

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from workshop.core.programme import Programme
    from workshop.core.state import SessionState
    from workshop.live.service import Room

log = logging.getLogger(__name__)


# Under load a room's aggregates are at least this many flush durations apart, so flushing takes at most
# about 1/(COST_FACTOR + 1) of the process: cheap aggregates go out almost at once, costly ones coalesce more.
COST_FACTOR = 5
SCREEN_MIN_WINDOW = 0.02  # 50 projector updates a second is more than anyone can read
# The facilitator's activities view waits at least this many times what its last send cost: at 2,000 voters and
# 6,000 ideas a send costs ~15 ms, which at factor 5 took a fifth of the process and held up the phones' dots
# (bench/activities.py); a list a person reads follows well enough every few tenths of a second.
BOARD_COST_FACTOR = 20
BOARD_FULL_MAX_WINDOW = 1.0  # the facilitator's activities view follows at least once a second
BOARD_SCREEN_WINDOW = 0.05  # the projector's wall follows within 50 ms, 20 updates a second at most
# Phones hear the idea list in slices of this many sockets, yielding in between: writing one list to 2,000
# websockets takes ~0.1 s, which the projector's wall would otherwise wait behind (bench/activities.py)
WALL_SLICE = 200
# The parts of a room's broadcast, each coalesced on its own window (Broadcaster.window), sent in this order
# within one flush. The quiz: the projector's masked aggregate (cheap while questions run: no results or
# disciplines), the facilitator's full aggregate (costly with many people) and the facilitator's roster (sent
# with the full aggregate when both are due; alone when only presence changed). The activities: the
# projector's view, the phones' idea-list diff and the facilitator's view.
SCREEN, FULL, ROSTER = "screen", "full", "roster"
BOARD_SCREEN, WALL, BOARD_FULL = "board_screen", "wall", "board_full"
PARTS = (FULL, ROSTER, SCREEN, BOARD_SCREEN, WALL, BOARD_FULL)
BOARD_PARTS = (BOARD_SCREEN, WALL, BOARD_FULL)
PHONE_STATE = "phone_state"  # the phones' activities view: not coalesced, sent at once when the state changes


class Broadcaster:
    """The live service's notifier over Socket.IO: decides who hears each change (workshop.live.notifier).

    Phones hear the public state and their own result or removal; projectors and facilitators the screen
    state and the live aggregate, facilitators the roster too; every role its view of the activities. Each
    part of a room's broadcast (PARTS) goes out at once when idle and coalesced under load, at most once
    per `window`: the projector's aggregate within SCREEN_MIN_WINDOW..interval; the facilitator's full
    aggregate at most every `interval`, less often when building it costs more than 1/(COST_FACTOR + 1) of
    the time; the projector's activities within BOARD_SCREEN_WINDOW, the facilitator's at most every
    `interval` up to BOARD_FULL_MAX_WINDOW; the phones' idea list as a diff at most every
    IDEAS_PHONE_INTERVAL. An interval of 0 sends everything at once (tests). An activities view goes out
    only when it differs from the one its audience was sent last.
    """

    def __init__(self, socketio: "SocketIO", interval: float, join_url: Callable[[str], str], join_url_local: bool,
                 min_group_size: int, *, names_max: int = NAMES_AUTO_MAX,
                 report_info: Callable[["Room"], dict[str, Any]] = lambda room: {"enabled": False, "url": None},
                 notes: Callable[["Room"], dict[str, str]] = lambda room: {},
                 steps: Callable[["Room"], list[dict[str, str]]] = lambda room: [],
                 shared_steps: Callable[["Room"], list[dict[str, Any]]] = lambda room: [],
                 programme: "Programme | None" = None, config: dict[str, Any] | None = None,
                 threads: bool = False):
        """Keep what a flush needs (the join address as worked out at start); no emit happens here.

        What facilitator devices are sent when it changes is read after the commit through `report_info`
        (the shared report link), `notes` and `steps`, and phones and projectors `shared_steps` (each with
        the text of the idea it came from); the app passes them (it holds the store, the secret and
        the links). The activities' views need their `programme` (its prompts) and the settings `config`
        (their limits, IDEAS_PHONE_INTERVAL); without a programme nobody hears the activities.
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
        self.programme = programme
        self.config = config if config is not None else {"IDEAS_PHONE_INTERVAL": 0.0}
        self.threads = threads
        self._last: dict[tuple[str, str], float] = {}  # (code, part): when it was last sent
        self._cost: dict[tuple[str, str], float] = {}  # (code, part): seconds its last flush took
        self._stale: set[tuple[str, str]] = set()  # (code, part): changed since it was last sent
        self._pending: dict[str, float] = {}  # code: when its waiting flush task wakes up
        self._tasks: dict[str, int] = {}  # code: flush tasks started and not yet finished
        self._shows: dict[str, str] = {}  # code: what its projector was last told it shows after an activity change
        self._sent: dict[tuple[str, str], dict[str, Any]] = {}  # (code, activities part): the view its audience has
        self._touched: dict[str, set[int]] = {}  # code: idea ids changed since phones last heard

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
        """Forget everything kept about a session that was dropped from memory or deleted (a waiting flush sends nothing)."""
        for part in (*PARTS, PHONE_STATE):
            self._last.pop((code, part), None)
            self._cost.pop((code, part), None)
            self._stale.discard((code, part))
            self._sent.pop((code, part), None)
        self._pending.pop(code, None)
        self._shows.pop(code, None)
        self._touched.pop(code, None)

    def touch(self, room: "Room", roster: bool = False, parts: tuple[str, ...] = (SCREEN, FULL)) -> None:
        """Note that some parts of a room's broadcast changed (by default the quiz's aggregates, `roster`: and the roster).

        An activities part whose window is 0 goes out at once, in the caller (as the activities' state does);
        every other part in the room's flush task (`_schedule`).
        """
        parts = (*parts, ROSTER) if roster else parts
        self._stale.update((room.code, part) for part in parts)
        now = {part for part in parts if part in BOARD_PARTS and not self.window(room.code, part)}
        if now:
            self._send(room, now)
        self._schedule(room)

    def window(self, code: str, part: str) -> float:
        """Shortest time between two flushes of a room's part (see the class)."""
        if part == WALL:
            return self.config.ideas_phone_interval
        if not self.interval:
            return 0.0
        if part == BOARD_SCREEN:  # the wall follows at once: its view is small (WALL_SCREEN_MAX ideas)
            return BOARD_SCREEN_WINDOW
        if part == BOARD_FULL:  # wall-clock cost, which under eventlet includes other green threads: capped
            return min(BOARD_FULL_MAX_WINDOW, max(self.interval, BOARD_COST_FACTOR * self._cost.get((code, part), 0.0)))
        cost = COST_FACTOR * self._cost.get((code, part), 0.0)
        if part == SCREEN:
            return min(self.interval, max(SCREEN_MIN_WINDOW, cost))
        return max(self.interval, cost)

    def _due(self, code: str) -> dict[str, float]:
        """When each stale part of a room may be sent next."""
        return {part: self._last.get((code, part), -math.inf) + self.window(code, part)
                for part in PARTS if (code, part) in self._stale}

    def _schedule(self, room: "Room") -> None:
        """Start a task that waits for the room's next due part, unless one already wakes up by then."""
        due = self._due(room.code)
        if not due:
            return
        wake = min(due.values())
        if self._pending.get(room.code, float("inf")) <= wake + 0.001:
            return
        self._pending[room.code] = wake
        self._tasks[room.code] = self._tasks.get(room.code, 0) + 1
        self.socketio.start_background_task(self._flush_later, room, wake)

    def _flush_later(self, room: "Room", wake: float) -> None:
        """Wait, send the parts that are due, then wait again for the others."""
        try:
            self.socketio.sleep(max(0.0, wake - time.monotonic()))
            if self._pending.get(room.code) == wake:
                del self._pending[room.code]
            now = time.monotonic()
            try:
                self._send(room, {part for part, at in self._due(room.code).items() if at <= now + 0.001})
            except Exception:  # a failed send is logged; the parts it took are sent with the room's next change
                log.exception("broadcast to room %s failed", room.code)
            self._schedule(room)
        finally:
            left = self._tasks.get(room.code, 1) - 1
            if left > 0:
                self._tasks[room.code] = left
            else:
                self._tasks.pop(room.code, None)

    def settled(self, code: str) -> bool:
        """Tell whether nothing of a session waits to be sent: no part changed since its last send, no flush task runs."""
        return not self._tasks.get(code) and not any((code, part) in self._stale for part in PARTS)

    def flush(self, room: "Room") -> None:
        """Send the room's current aggregates (and roster, when it changed) right now."""
        self._send(room, {SCREEN, FULL})

    def _send(self, room: "Room", parts: set[str]) -> None:
        """Send some parts of a room's broadcast (in the order of PARTS), timing each for its next window."""
        full = None
        for part in (part for part in PARTS if part in parts and not (part == ROSTER and FULL in parts)):
            key = (room.code, part)
            started = self._last[key] = time.monotonic()
            self._stale.discard(key)
            if part == FULL:
                full = self._send_full(room)
            elif part == ROSTER:
                self._send_roster(room)
            elif part == SCREEN:
                self._send_screen(room, full)
            elif part == WALL:
                self._send_wall(room)
            else:
                self._send_board(room, part)
            self._cost[key] = time.monotonic() - started

    def _send_full(self, room: "Room") -> dict[str, Any]:
        """Send the facilitators the full aggregate, and the roster when it changed too; return the aggregate."""
        code = room.code
        roster = (code, ROSTER) in self._stale
        if roster:
            self._stale.discard((code, ROSTER))
            self._last[(code, ROSTER)] = time.monotonic()
        with self.reading(room):  # built in a task of its own: a handler may change the tally meanwhile
            full = views.aggregate(room, "facilitator", min_group_size=self.min_group_size)
            listed = self.roster(room) if roster else None
        self.socketio.emit(p.LIVE, full, to=screens(code), namespace=p.FACILITATOR)
        if listed is not None:
            self.socketio.emit(p.ROSTER, listed, to=screens(code), namespace=p.FACILITATOR)
        return full

    def _send_roster(self, room: "Room") -> None:
        """Send the facilitators the roster alone (who is connected changed, nothing they count)."""
        with self.reading(room):
            listed = self.roster(room)
        self.socketio.emit(p.ROSTER, listed, to=screens(room.code), namespace=p.FACILITATOR)

    def _send_screen(self, room: "Room", full: dict[str, Any] | None) -> None:
        """Send the projectors the masked aggregate (from the full one when this flush built it)."""
        with self.reading(room):
            masked = views.aggregate(room, "projector", min_group_size=self.min_group_size, full=full,
                                     names_max=self.names_max)
        self.socketio.emit(p.LIVE, masked, to=screens(room.code), namespace=p.SCREEN)

    def _send_board(self, room: "Room", part: str) -> None:
        """Send the projectors (BOARD_SCREEN) or the facilitators (BOARD_FULL) their activities view if it changed."""
        board = room.board
        if board is None or self.programme is None:  # never loaded: nothing about the activities changed
            return
        with self.reading(room):  # a task of its own may build it while a handler changes the board
            view = av.screen if part == BOARD_SCREEN else av.facilitator
            data = view(room, board, self.programme, self.config)
        self._changed(room, part, data, screens(room.code), p.SCREEN if part == BOARD_SCREEN else p.FACILITATOR)

    def _changed(self, room: "Room", part: str, data: dict[str, Any], to: str, namespace: str) -> None:
        """Emit an activities view to a room of sockets unless it equals the one they were sent last."""
        if self._sent.get((room.code, part)) == data:
            return
        self._sent[(room.code, part)] = data
        self.socketio.emit(p.ACTIVITIES, data, to=to, namespace=namespace)

    def _send_wall(self, room: "Room") -> None:
        """Send phones the diff of the ideas touched since the last send."""
        board, touched = room.board, self._touched.pop(room.code, set())
        if board is None or not touched:
            return
        with self.reading(room):
            upsert = [[i, board.ideas[i].text] for i in sorted(touched)
                      if i in board.ideas and board.ideas[i].status == "approved"]
            remove = [i for i in sorted(touched) if i not in board.ideas or board.ideas[i].status != "approved"]
        self._in_slices(p.WALL, {"upsert": upsert, "remove": remove}, phones(room.code), p.PARTICIPANT)

    def _in_slices(self, event: str, data: Any, room: str, namespace: str) -> None:
        """Emit to a room's sockets WALL_SLICE at a time, letting other green threads run between slices."""
        sids = [sid for sid, _ in self.socketio.server.manager.get_participants(namespace, room)]
        for start in range(0, len(sids), WALL_SLICE):
            if start:
                self.socketio.sleep(0)
            self.socketio.emit(event, data, to=sids[start:start + WALL_SLICE], namespace=namespace)

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
        """A participant's socket came or went: only the roster's "connected" changes, no aggregate."""
        self.touch(room, roster=True, parts=())

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

    # The activities (workshop.live.activities; views in workshop.live.activity_views)

    def activities_changed(self, room: "Room") -> None:
        """The activities' state changed: every role hears its view at once (if it changed); screens the state, if `shows` did."""
        if self.programme is not None and room.board is not None:
            with self.reading(room):
                data = av.phone(room, room.board, self.programme, self.config, None)
            self._changed(room, PHONE_STATE, data, phones(room.code), p.PARTICIPANT)
            self._send(room, {BOARD_SCREEN, BOARD_FULL})
        shows = views.shows(room)
        if self._shows.get(room.code) == shows:
            return  # the projector renders the same view: nothing in the state it was sent changed
        screen_state = views.screen_state(room, self.join_url(room.code), self.join_url_local)
        self._shows[room.code] = screen_state["shows"]
        for namespace in (p.SCREEN, p.FACILITATOR):
            self.socketio.emit(p.STATE, screen_state, to=screens(room.code), namespace=namespace)

    def challenge_picked(self, room: "Room", participant_id: int) -> None:
        """A phone picked challenges: the respondents on the projector and the facilitator's ranking change."""
        self.touch(room, parts=(BOARD_SCREEN, BOARD_FULL))

    def ideas_changed(self, room: "Room", idea_ids: list[int], moderated: bool = True) -> None:
        """Ideas were added or moderated: the facilitator's list; the wall (projector, phones) when one is or was on it.

        A new idea waiting for moderation is on no wall: only the facilitator hears of it, and everyone else once
        it is approved. A moderation tells each author its own list (`mine`, built alone).
        """
        board = room.board
        if board is None or self.programme is None:
            return
        with self.reading(room):
            touched = [i for i in idea_ids if moderated or i in board.ideas and board.ideas[i].status == "approved"]
            authors = {board.ideas[i].author for i in idea_ids if i in board.ideas} if moderated else set()
            mine = {author: av.mine(board, author) for author in authors}
        if touched:
            self._touched.setdefault(room.code, set()).update(touched)
        self.touch(room, parts=(BOARD_SCREEN, WALL, BOARD_FULL) if touched else (BOARD_FULL,))
        for author, data in mine.items():
            self.socketio.emit(p.MINE, data, to=person(room.code, author), namespace=p.PARTICIPANT)

    def dots_changed(self, room: "Room", participant_id: int) -> None:
        """A phone placed or moved dots: the voter count on the projector and the facilitator's tallies change."""
        self.touch(room, parts=(BOARD_SCREEN, BOARD_FULL))
