"""The activities service: challenges, ideas and the dot vote; validate, store, commit, then tell the notifier."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Protocol

from workshop.core import activities as act
from workshop.core import ideas as idx
from workshop.core.activities import ActivityState
from workshop.core.ideas import Idea
from workshop.core.programme import Programme
from workshop.core.state import Rejected
from workshop.core.text import clean_text
from workshop.live.notifier import Notifier
from workshop.live.room import Room, stored
from workshop.store.interface import SessionStore
from workshop.settings import Settings


class Host(Protocol):
    """What the activities need of the live service (workshop.live.service.Live) that holds them."""

    store: SessionStore
    config: Settings
    notifier: Notifier
    clock: Callable[[], str]
    monotonic: Callable[[], float]

    def editing(self, room: Room) -> ContextManager[Room]:
        """Hold the lock and give the live copy of a room to change (Live.editing)."""


@dataclass
class Undo:
    """What one moderation action changed, to put back within UNDO_SECONDS."""

    id: int
    at: float
    ideas: dict[int, Idea]
    dots: dict[int, dict[int, int]]


@dataclass
class Board:
    """A room's activities in memory: the state, the picks, the ideas and the dots (loaded once from the store).

    `ideas` keeps the order of arrival (the store's ids): change it only through put(), which also keeps the
    number of approved ideas (the wall's length) without counting them again.
    """

    state: ActivityState
    picks: dict[int, tuple[str, ...]] = field(default_factory=dict)
    ideas: dict[int, Idea] = field(default_factory=dict)
    approved: int = 0
    dots: dict[int, dict[int, int]] = field(default_factory=dict)
    undo: Undo | None = None
    undo_count: int = 0
    written: Counter = field(default_factory=Counter)  # participant id: ideas it wrote (hidden and merged count)

    def put(self, *ideas: Idea) -> None:
        """Add ideas (a new one arrives last: it has the highest id) or replace them in place."""
        for idea in ideas:
            old = self.ideas.get(idea.id)
            if old is None and self.ideas and idea.id < next(reversed(self.ideas)):
                raise ValueError("a new idea must arrive after every other one")
            self.approved += (idea.status == "approved") - (old is not None and old.status == "approved")
            self.ideas[idea.id] = idea


def idea_row(idea: Idea) -> dict[str, Any]:
    """An idea in the form the store writes."""
    return {"id": idea.id, "text": idea.text, "status": idea.status, "merged_into": idea.merged_into,
            "authors": list(idea.all_authors())}


class Activities:
    """Every change to a room's activities goes through here (Live delegates: live.activities)."""

    def __init__(self, live: Host, programme: Programme):
        """Share the live service's store, settings, clocks and notifier, and change rooms through its `editing`."""
        self.live = live
        self.programme = programme

    @property
    def config(self) -> Settings:
        """The settings."""
        return self.live.config

    def initial(self, language: str, activities: object) -> ActivityState:
        """The activity state of a new session (validated programme, the default challenges in its language)."""
        return act.initial(act.clean_programme(activities),
                           [(c.id, c.text(language)) for c in self.programme.challenges])

    def board(self, room: Room) -> Board:
        """The room's activities, loaded from the store on first use (on the live copy of the room)."""
        if room.board is None:
            with self.live.editing(room) as current:
                if current.board is None:
                    current.board = self._load(current)
                return current.board
        return room.board

    def _load(self, room: Room) -> Board:
        """Build a board from the stored rows (a session from before the activities gets the default)."""
        stored_state = self.live.store.activities(room.id)
        state = ActivityState.from_dict(stored_state) if stored_state else self.initial(room.language, None)
        board = Board(state, {pid: tuple(p) for pid, p in self.live.store.picks(room.id).items()})
        board.put(*(Idea(r["id"], r["participant_id"], r["prompt"], r["text"], r["status"], r["merged_into"],
                         tuple(json.loads(r["authors"])), r["id"]) for r in self.live.store.ideas(room.id)))
        board.dots = self.live.store.dots(room.id)
        board.written = Counter(i.author for i in board.ideas.values())
        return board

    def _member(self, room: Room, participant_id: int) -> None:
        """Raise Rejected unless the participant is an active member of a session that has not ended."""
        if room.state.stage == "ended":  # no write moves an ended session's retention clock (issue 20, finding 10)
            raise Rejected("session_ended", "This session has ended")
        if participant_id not in room.tally.members:
            raise Rejected("not_joined", "Join the session first")

    # The facilitator

    def command(self, room: Room, action: object, data: dict[str, Any]) -> ActivityState:
        """Apply a facilitator's activity action, store and return the new state."""
        if not isinstance(action, str) or action not in act.ACTIVITY_ACTIONS:
            raise Rejected("unknown_action", "Unknown action", "action")
        items = data.get("items")
        if action == "challenges" and isinstance(items, list) and len(items) > self.config.challenges_max:
            raise Rejected("bad_request", f"at most {self.config.challenges_max} challenges", "challenges")

        def text_of(value: object) -> str | None:
            """A challenge text, cleaned and limited."""
            return clean_text(value, max_length=self.config.challenge_max, field_name="challenge")

        with self.live.editing(room) as room:
            board = self.board(room)
            new = act.apply(board.state, action, activity=data.get("activity"), activities=data.get("activities"),
                            items=items, enabled=data.get("enabled"), text_of=text_of,
                            ended=room.state.stage == "ended")
            changed = new != board.state
            if changed:
                with stored():
                    self.live.store.save_activities(room.id, new.to_dict(), self.live.clock())
                board.state = new
                room.undo = None  # not undoable: the session's undo never reaches past it (issue 22)
        if changed:
            self.live.notifier.activities_changed(room)
        return new

    def end(self, room: Room) -> None:
        """Close every open activity of a session that just ended (an activity left open took writes for ever).

        The projector and the phones leave the activity shown last: the end screen (the agreed phase and
        the first steps) is what the room sees at the end (issue 21); the facilitator can show one again.
        """
        with self.live.editing(room) as room:
            board = self.board(room)
            new = act.close_all(board.state, unshow=True)
            if new != board.state:
                with stored():
                    self.live.store.save_activities(room.id, new.to_dict(), self.live.clock())
                board.state = new
        self.live.notifier.activities_changed(room)  # what the facilitator may do changed too (nothing opens now)

    def reopened(self, room: Room) -> None:
        """The session left its end: the facilitator may open activities again (their allowed actions change)."""
        self.live.notifier.activities_changed(room)

    # Challenges

    def pick(self, room: Room, participant_id: int, picks: object) -> tuple[str, ...]:
        """Store a phone's one or two challenges."""
        with self.live.editing(room) as room:
            self._member(room, participant_id)
            board = self.board(room)
            chosen = act.check_picks(board.state, picks, self.config.challenge_picks_max)
            with stored():
                self.live.store.save_picks(room.id, participant_id, list(chosen), self.live.clock())
            board.picks[participant_id] = chosen
        self.live.notifier.challenge_picked(room, participant_id)
        return chosen

    # Ideas

    def submit(self, room: Room, participant_id: int, text: object, prompt: object) -> Idea:
        """Store a phone's idea (approved at once when the session auto-approves)."""
        text = clean_text(text, max_length=self.config.idea_max, field_name="idea", field="text", required=True,
                          max_bytes=self.config.idea_max_bytes)
        if self.programme.prompt(prompt) is None:
            raise Rejected("bad_request", "Unknown prompt", "prompt")
        with self.live.editing(room) as room:
            self._member(room, participant_id)
            board = self.board(room)
            idx.check_new_idea(board.state, board.written[participant_id], self.config.ideas_per_participant)
            status = "approved" if board.state.auto_approve else "pending"
            with stored():
                idea_id = self.live.store.add_idea(room.id, participant_id, prompt, text, status, self.live.clock())
            idea = Idea(idea_id, participant_id, prompt, text, status, None, (participant_id,), idea_id)
            board.put(idea)
            board.written[participant_id] += 1
        self.live.notifier.ideas_changed(room, [idea_id], moderated=False)
        return idea

    def moderate(self, room: Room, action: object, idea_id: object, text: object = None,
                 target: object = None) -> int:
        """Approve, hide, edit or merge an idea, or approve every waiting one; return the undo id (UNDO_SECONDS)."""
        if action not in idx.MODERATION:
            raise Rejected("unknown_action", "Unknown action", "action")
        if action == "edit":
            text = clean_text(text, max_length=self.config.idea_max, field_name="idea", field="text", required=True,
                              max_bytes=self.config.idea_max_bytes)
        with self.live.editing(room) as room:
            board = self.board(room)
            changed = idx.moderate(board.ideas, action, idea_id, text=text, target=target)
            dots = idx.carry_dots(board.dots, idea_id, target, self.config.dots_per_idea) \
                if action == "merge" else {}
            before = Undo(board.undo_count + 1, self.live.monotonic(), {i: board.ideas[i] for i in changed},
                          {pid: dict(board.dots.get(pid, {})) for pid in dots})
            self._write(room, board, changed, dots)
            board.undo, board.undo_count = before, before.id
            room.undo = None  # a moderation has its own undo: `undo` of the session never reaches past it
        self.live.notifier.ideas_changed(room, list(changed))
        return before.id

    def undo(self, room: Room, undo_id: object) -> None:
        """Put back what the last moderation action changed, within UNDO_SECONDS."""
        with self.live.editing(room) as room:
            board = self.board(room)
            last = board.undo
            if last is None or last.id != undo_id or self.live.monotonic() - last.at > self.config.undo_seconds:
                raise Rejected("undo_expired", "This action can no longer be undone", "undo")
            self._write(room, board, dict(last.ideas), last.dots)
            board.undo = None
        self.live.notifier.ideas_changed(room, list(last.ideas))

    def _write(self, room: Room, board: Board, ideas: dict[int, Idea], dots: dict[int, dict[int, int]]) -> None:
        """Commit changed ideas and dots, then update the board (call under the lock)."""
        with stored():
            self.live.store.save_ideas(room.id, [idea_row(i) for i in ideas.values()], dots, self.live.clock())
        board.put(*ideas.values())
        for pid, placed in dots.items():
            board.dots[pid] = dict(placed)

    # Dots

    def place(self, room: Room, participant_id: int, idea_id: object, count: object) -> dict[int, int]:
        """Set how many of a phone's dots lie on one idea (0 takes them off); return all its dots."""
        with self.live.editing(room) as room:
            self._member(room, participant_id)
            board = self.board(room)
            placed = idx.place_dots(board.state, board.ideas, board.dots.get(participant_id, {}), idea_id, count,
                                    total=self.config.dots_per_participant, per_idea=self.config.dots_per_idea)
            with stored():
                self.live.store.save_dots(room.id, participant_id, placed, self.live.clock())
            board.dots[participant_id] = placed
        self.live.notifier.dots_changed(room, participant_id)
        return placed

    def idea_for_step(self, room: Room, idea_id: object) -> Idea:
        """The approved idea a first step is made from, or raise Rejected."""
        idea = self.board(room).ideas.get(idea_id) if isinstance(idea_id, int) else None
        if idea is None or idea.status != "approved":
            raise Rejected("unknown_idea", "Unknown idea", "idea")
        return idea

