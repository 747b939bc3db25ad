"""Who hears which change of the activities, and when: the Broadcaster's part for challenges, ideas and dots.

Projectors and facilitators get their whole view, coalesced (a projector at most every SCREEN_WINDOW,
a facilitator at most every EMIT_INTERVAL), and only when it differs from the one they were sent last (a
pending idea changes the facilitator's list, not the projector's wall). Phones get the idea wall coalesced
at most every IDEAS_PHONE_INTERVAL as a diff (`upsert` and `remove` by id) of the ideas touched since the
last send; a phone that connects gets the full list in its snapshot, and applying a diff twice is harmless.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, ContextManager

from workshop.core.programme import Programme
from workshop.live import activity_views as av
from workshop.web import protocol as p
from workshop.web.protocol import person, phones, screens
from workshop.settings import Settings

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from workshop.live.activities import Board
    from workshop.live.room import Room

# The facilitator's list waits at least this many times what its last send cost: at 2,000 voters and 6,000 ideas
# a send costs ~15 ms, which at broadcaster.py's factor 5 took a fifth of the process and held up the
# phones' dots (bench/activities.py); a list a person reads follows well enough every few tenths of a second.
COST_FACTOR = 20
FACILITATOR_MAX_WINDOW = 1.0  # the facilitator's list follows at least once a second
SCREEN_WINDOW = 0.05  # the projector's wall follows within 50 ms, 20 updates a second at most
SCREEN, FACILITATOR, PHONES = "screen", "facilitator", "phones"
PHONE_STATE = "phone_state"  # the phones' view of the activities (sent at once when the state changes)
# Phones hear the idea list in slices of this many sockets, yielding in between: writing one list to 2,000
# websockets takes ~0.1 s, which the projector's wall would otherwise wait behind (bench/activities.py)
WALL_SLICE = 200


class ActivitySender:
    """Sends the activities' views; one per app, given to the Broadcaster at construction.

    It reads a room's activities from `room.board`, which `Live.activities` loaded before it committed the
    change it tells about; it never reaches back into the live service.
    """

    def __init__(self, socketio: "SocketIO", config: Settings, programme: Programme, threads: bool = False):
        """Keep the socket server, the settings and the activities' programme (its prompts); `threads` as the Broadcaster's."""
        self.socketio = socketio
        self.threads = threads
        self.config = config
        self.programme = programme
        self._pending: set[tuple[str, str]] = set()
        self._touched: dict[str, set[int]] = {}  # code: idea ids changed since phones last heard
        self._cost: dict[tuple[str, str], float] = {}  # (code, part): seconds its last send took
        self._sent: dict[tuple[str, str], dict[str, Any]] = {}  # (code, part): the view its audience has

    def reading(self, room: "Room") -> ContextManager[Any]:
        """What to hold while reading a room's tally or board from a task: its lock when tasks are OS threads.

        Green threads (eventlet, gevent) switch only where one yields, and building a view yields nowhere, so
        it needs no lock; waiting for one would queue the send behind every write that waits for SQLite.
        """
        return room.lock if self.threads else nullcontext()

    def window(self, code: str, part: str) -> float:
        """Shortest time between two sends of a part (0 in tests: at once); the facilitator's grows with its cost.

        The cost is wall-clock time of a send, which under eventlet includes other green threads that ran
        while it yielded; so it only stretches the facilitator's window, up to FACILITATOR_MAX_WINDOW.
        """
        cfg = self.config
        if part == PHONES:
            return cfg.ideas_phone_interval
        if not cfg.emit_interval:
            return 0.0
        if part == SCREEN:  # the wall follows at once: its view is small (WALL_SCREEN_MAX ideas)
            return SCREEN_WINDOW
        return min(FACILITATOR_MAX_WINDOW, max(cfg.emit_interval, COST_FACTOR * self._cost.get((code, part), 0.0)))

    def mark(self, room: "Room", *parts: str) -> None:
        """Schedule a send of some parts of a room's views."""
        for part in parts:
            key = (room.code, part)
            wait = self.window(room.code, part)
            if not wait:
                self.send(room, part)
            elif key not in self._pending:
                self._pending.add(key)
                self.socketio.start_background_task(self._later, room, part, wait)

    def _later(self, room: "Room", part: str, wait: float) -> None:
        """Wait a window, then send a part (unless the room was forgotten meanwhile)."""
        self.socketio.sleep(wait)
        if (room.code, part) in self._pending:
            self._pending.discard((room.code, part))
            self.send(room, part)

    def send(self, room: "Room", part: str) -> None:
        """Send one part now, timing it for the next window."""
        started = time.monotonic()
        self._send(room, part)
        self._cost[(room.code, part)] = time.monotonic() - started

    def _send(self, room: "Room", part: str) -> None:
        """Build one part and emit it if its audience does not have it yet."""
        board: "Board | None" = room.board
        if board is None:  # never loaded: nothing about the activities changed
            return
        if part == PHONES:
            self._send_wall(room, board)
            return
        with self.reading(room):  # a task of its own may build it while a handler changes the board
            if part == SCREEN:
                data = av.screen(room, board, self.programme, self.config)
            else:
                data = av.facilitator(room, board, self.programme, self.config)
        self._changed(room, part, data, screens(room.code), p.SCREEN if part == SCREEN else p.FACILITATOR)

    def _changed(self, room: "Room", part: str, data: dict[str, Any], to: str, namespace: str) -> None:
        """Emit a view to a room of sockets unless it equals the one they were sent last."""
        if self._sent.get((room.code, part)) == data:
            return
        self._sent[(room.code, part)] = data
        self.socketio.emit(p.ACTIVITIES, data, to=to, namespace=namespace)

    def _send_wall(self, room: "Room", board: "Board") -> None:
        """Send phones the diff of the ideas touched since the last send."""
        touched = self._touched.pop(room.code, set())
        if not touched:
            return
        with self.reading(room):
            upsert = [[i, board.ideas[i].text] for i in sorted(touched)
                      if i in board.ideas and board.ideas[i].status == "approved"]
            remove = [i for i in sorted(touched) if i not in board.ideas or board.ideas[i].status != "approved"]
        self.in_slices(p.WALL, {"upsert": upsert, "remove": remove}, phones(room.code), p.PARTICIPANT)

    def in_slices(self, event: str, data: Any, room: str, namespace: str) -> None:
        """Emit to a room's sockets WALL_SLICE at a time, letting other green threads run between slices."""
        sids = [sid for sid, _ in self.socketio.server.manager.get_participants(namespace, room)]
        for start in range(0, len(sids), WALL_SLICE):
            if start:
                self.socketio.sleep(0)
            self.socketio.emit(event, data, to=sids[start:start + WALL_SLICE], namespace=namespace)

    def state(self, room: "Room") -> None:
        """The activities' state changed: every audience hears it at once (when its view changed)."""
        if room.board is not None:
            with self.reading(room):
                data = av.phone(room, room.board, self.programme, self.config, None)
            self._changed(room, PHONE_STATE, data, phones(room.code), p.PARTICIPANT)
        self.send(room, SCREEN)
        self.send(room, FACILITATOR)

    def picked(self, room: "Room") -> None:
        """A phone picked challenges: the counts on the projector and the facilitator's ranking change."""
        self.mark(room, SCREEN, FACILITATOR)

    def ideas(self, room: "Room", idea_ids: list[int], moderated: bool = True) -> None:
        """Ideas were added or moderated: the wall, the facilitator's list, the phones' wall and (moderated) authors' own lists.

        A new idea waiting for moderation is on no phone's wall, so phones hear of it once it is approved.
        """
        board = room.board
        if board is None:
            return
        with self.reading(room):
            touched = [i for i in idea_ids if moderated or i in board.ideas and board.ideas[i].status == "approved"]
            authors = {board.ideas[i].author for i in idea_ids if i in board.ideas} if moderated else set()
            mine = {author: av.mine(board, author) for author in authors}
        if touched:
            self._touched.setdefault(room.code, set()).update(touched)
        self.mark(room, SCREEN, FACILITATOR, *((PHONES,) if touched else ()))
        for author, data in mine.items():
            self.socketio.emit(p.MINE, data, to=person(room.code, author), namespace=p.PARTICIPANT)

    def dots(self, room: "Room") -> None:
        """A phone moved dots: the voter count and the facilitator's tallies change."""
        self.mark(room, SCREEN, FACILITATOR)

    def forget(self, code: str) -> None:
        """Drop what is kept about a room (a send still waiting for it is dropped too)."""
        self._touched.pop(code, None)
        for part in (SCREEN, FACILITATOR, PHONES, PHONE_STATE):
            self._cost.pop((code, part), None)
            self._sent.pop((code, part), None)
            self._pending.discard((code, part))
