"""Live sessions: validate, store, commit, then update the in-memory room and say what changed."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Collection, Iterator

from workshop.core import commands, notes, security
from workshop.core import state as sm
from workshop.core.programme import Programme
from workshop.core.programme import default as default_programme
from workshop.core.questionnaire import Questionnaire
from workshop.core.state import Rejected, SessionState
from workshop.core.tally import Member
from workshop.core.text import clean_multiline, clean_text, strip_invisible  # noqa: F401 (re-exported)
from workshop.live import undo as undoing
from workshop.live.activities import Activities
from workshop.live.cache import RoomCache
from workshop.live.commits import AnswerCommits, Pending
from workshop.live.notifier import Notifier, NullNotifier
from workshop.live.ownership import Ownership
from workshop.live.timers import Background, Deadlines, screen_fields
from workshop.store.interface import AnswerRow, SessionStore
from workshop.live.room import (  # noqa: F401 (re-exported: the web layer and tests import them from here)
    DEFAULT_DISCIPLINES, LANGUAGES, STEP_FIELDS, STEP_STATUSES, Room, joins_late, raise_outcome, stored, utcnow)
from workshop.settings import Settings

MIN_PURGE_DAYS = 1  # `sessions purge --older-than` and RETENTION_DAYS below this delete nothing
KEEP_IN_USE_SECONDS = 3600.0  # how often a room something is connected to has its retention clock moved


class Live:
    """The application's sessions: every change goes through here, is committed, then told to the notifier."""

    def __init__(self, store: SessionStore, questionnaire: Questionnaire, config: Settings,
                 clock: Callable[[], str] = utcnow, monotonic: Callable[[], float] = time.monotonic, *,
                 notifier: Notifier | None = None, wall: Callable[[], float] = time.time,
                 programme: Programme | None = None, background: Background | None = None,
                 ownership: Ownership | None = None):
        """Wire the store, the questionnaire, the settings and who hears each change (nobody by default).

        `wall` is the clock of timer deadlines (seconds since the epoch). With `background` (what starts and
        paces background tasks: the Socket.IO server), `deadlines` (live/timers.py) watches each running timer
        and closes its question at zero; without it (the command line) no timer is watched. `programme` is the
        activities' content (default: workshop/data/activities.toml). `ownership` (several workers on one database)
        holds the session leases: a room is kept in memory only while this worker holds its lease.
        """
        self.wall = wall
        self.deadlines: Deadlines | None = (
            Deadlines(self, background.start_background_task, background.sleep, wall=wall) if background else None)
        self.store = store
        self.questionnaire = questionnaire
        self.config = config
        self.clock = clock
        self.monotonic = monotonic
        self.notifier: Notifier = notifier if notifier is not None else NullNotifier()
        self._lock = threading.RLock()
        # the rooms in memory, under the same lock: every room's `lock` is this one (Room.lock)
        self.rooms = RoomCache(store, questionnaire, config, self._lock, monotonic, loaded=self._watch_timer,
                               ownership=ownership)
        self.activities = Activities(self, programme or default_programme())  # challenges, ideas, dot vote
        # Answers commit in groups (live/commits.py); a store whose commit waits for a round trip lets the other
        # ready tasks queue theirs first.
        self.commits = AnswerCommits(store, self.apply_answers,
                                     pause=(lambda: time.sleep(0)) if store.commits_travel else None)

    @contextmanager
    def editing(self, room: Room) -> Iterator[Room]:
        """Hold the service's lock and give the live copy of a room (the one to change; see RoomCache.current).

        Every change of a room goes this way, the activities' too: validate, commit, update the copy, leave
        the block, and only then tell the notifier (never while holding the lock).
        """
        with self._lock:
            yield self.rooms.current(room)

    # The rooms in memory (live/cache.py), as the web layer asks for them

    def room(self, code: object) -> Room | None:
        """Return the live room for a code, loading it from the database once (RoomCache.room)."""
        return self.rooms.room(code)

    def peek(self, code: object) -> Room | None:
        """A room to read without holding it here when another worker may own it (RoomCache.peek)."""
        return self.rooms.peek(code)

    def in_memory(self, code: object) -> Room | None:
        """The room this process holds for a code, None when it holds none (RoomCache.in_memory)."""
        return self.rooms.in_memory(code)

    def deleted_room(self, code: str) -> Room | None:
        """The room in memory for code if another process deleted its session (RoomCache.deleted_room)."""
        return self.rooms.deleted_room(code)

    def evict_idle(self, idle_seconds: float, busy: Callable[[str], bool],
                   release: Callable[[str], None]) -> list[str]:
        """Drop idle rooms nothing is busy with; `release` each one's other state (RoomCache.evict_idle)."""
        return self.rooms.evict_idle(idle_seconds, busy, release)

    def rooms_in_memory(self) -> int:
        """How many sessions this process holds in memory."""
        return self.rooms.rooms_in_memory()

    def deleted_elsewhere(self, room: Room) -> None:
        """Tell the notifier that another process deleted a room's session, then forget the room."""
        self.notifier.session_deleted(room)
        self.rooms.forget(room.code)

    def _watch_timer(self, room: Room) -> None:
        """Watch the running timer of a room one worker of several loaded (that worker closes its question)."""
        if room.state.timer is not None and self.deadlines is not None and self.config.worker:
            self.deadlines.watch(room.code, float(room.state.timer.deadline))

    # Sessions

    def create(self, title: object, pacing: object = "paced", disciplines: object = None,
               language: object = "nl", organisation: object = None, followed: Room | None = None,
               activities: object = None) -> tuple[Room, str]:
        """Create a session; return its room and the facilitator token (shown once).

        `followed` is an earlier session this one follows up, whose facilitator secret the caller
        has checked: its organisation label is taken over (unless one is given) and its first
        steps are carried over, to record what became of them. `activities` chooses the programme
        after the quiz (default: all of them).
        """
        title = clean_text(title, max_length=self.config.title_max, field_name="title", required=True)
        organisation = clean_text(organisation, max_length=self.config.organisation_max,
                                  field_name="organisation") or (followed.organisation if followed else "")
        if pacing not in sm.PACINGS:
            raise Rejected("bad_request", "pacing must be 'paced' or 'self'", "pacing")
        if language not in LANGUAGES:
            raise Rejected("bad_request", "language must be 'nl' or 'en'", "language")
        disciplines = self._clean_disciplines(disciplines, language)
        board = self.activities.initial(language, activities)
        token = security.new_token()
        state = sm.initial(pacing, [q.id for q in self.questionnaire.questions])
        with self._lock:
            code = security.new_code()
            while self.store.code_exists(code):
                code = security.new_code()
            self.store.create_session(
                code=code, title=title, language=language, questionnaire_id=self.questionnaire.id,
                questionnaire_version=self.questionnaire.version, disciplines=disciplines,
                facilitator_hash=security.token_hash(token), state=state.to_dict(), now=self.clock(),
                organisation=organisation, follows=followed.code if followed else None,
                carried=self.store.steps(followed.id) if followed else None,
            )
            self.store.save_activities(self.store.session(code)["id"], board.to_dict(), self.clock())
        if self.config.worker:  # one of several workers: the one the code hashes to loads it on first use
            return self.rooms.load(code), token
        return self.room(code), token

    def _clean_disciplines(self, value: object, language: str) -> list[str]:
        """Validate the list of disciplines, defaulting to the seed list."""
        if value is None:
            return list(DEFAULT_DISCIPLINES[language])
        if not isinstance(value, list) or len(value) > self.config.max_disciplines:
            raise Rejected("bad_request", f"disciplines must be a list of at most {self.config.max_disciplines}",
                           "disciplines")
        result: list[str] = []
        for item in value:
            text = clean_text(item, max_length=self.config.discipline_max, field_name="disciplines")
            if text and text not in result:
                result.append(text)
        return result

    def is_facilitator(self, room: Room, token: object) -> bool:
        """Tell whether a token is one of this session's facilitator links (read from the store: the CLI may add some)."""
        return self.link_of(room, token) is not None

    def link_of(self, room: Room, token: object) -> str | None:
        """The id of the facilitator link a token is (security.link_id), None when it is none of the session's."""
        if not isinstance(token, str) or not token:
            return None
        found = [h for h in self.store.facilitator_hashes(room.id) if security.token_matches(token, h)]
        return security.link_id(found[0]) if found else None

    def facilitator_epoch(self, room: Room) -> int:
        """The session's sign-in generation: a browser or socket signed in under an older one is signed out."""
        return self.store.facilitator_epoch(room.id)

    def signed_in_with(self, room: Room, epoch: int, link: str | None) -> bool:
        """Whether a sign-in made under `epoch` with link `link` still counts (no rotation since, link not evicted).

        `link` None is a browser cookie written before links were named: it counts until the next rotation.
        """
        if epoch != self.facilitator_epoch(room):
            return False
        return link is None or link in {security.link_id(h) for h in self.store.facilitator_hashes(room.id)}

    def facilitator_link(self, room: Room, rotate: bool = False) -> str:
        """Make a new facilitator token for another device and return it (only its hash is stored).

        Earlier links keep working (an open co-facilitator device is not signed out), up to
        FACILITATOR_LINKS_MAX extra ones; with rotate, the new token is the only one that works.
        Facilitator sockets of this process signed in with a link that stopped working are signed out.
        """
        token = security.new_token()
        with stored():
            if rotate:
                self.store.replace_facilitator_tokens(room.id, security.token_hash(token), self.clock())
            else:
                self.store.add_facilitator_token(room.id, security.token_hash(token), self.clock(),
                                                 self.config.facilitator_links_max)
        self.sign_out_revoked(room)
        return token

    def facilitator_connected(self, room: Room, sid: str, epoch: int, link: str | None) -> None:
        """Remember which link a facilitator socket of this process signed in with."""
        with self._lock:
            room.facilitators[sid] = (epoch, link)

    def facilitator_disconnected(self, room: Room, sid: str) -> None:
        """Forget a facilitator socket that went away."""
        with self._lock:
            room.facilitators.pop(sid, None)

    def sign_out_revoked(self, room: Room) -> list[str]:
        """Tell the notifier to sign out the facilitator sockets whose link stopped working; return their sids."""
        with self._lock:
            signed_in = dict(room.facilitators)
        gone = [sid for sid, (epoch, link) in signed_in.items() if not self.signed_in_with(room, epoch, link)]
        if gone:
            with self._lock:
                for sid in gone:
                    room.facilitators.pop(sid, None)
            self.notifier.facilitators_signed_out(room, gone)
        return gone

    def sign_out_revoked_everywhere(self) -> list[str]:
        """Sign out revoked facilitator sockets of every room in memory (after another process wrote)."""
        with self._lock:
            rooms = [room for room in self.rooms.held() if room.facilitators]
        return [sid for room in rooms for sid in self.sign_out_revoked(room)]

    # Participants

    def join(self, room: Room, nickname: object = None, discipline: object = None) -> tuple[Member, str]:
        """Add a participant; return it with its secret token."""
        sm.check_join(room.state)
        nickname = clean_text(nickname, max_length=self.config.nickname_max, field_name="nickname",
                              max_bytes=self.config.nickname_max_bytes)
        if discipline is not None and discipline != "" and discipline not in room.disciplines:
            raise Rejected("bad_discipline", "Unknown discipline", "discipline")
        token = security.new_token()
        with self.editing(room) as room:
            if len(room.tally.members) >= self.config.max_participants:
                raise Rejected("full", "This session is full")
            late = joins_late(room.state)
            with stored():
                pid, number = self.store.add_participant(
                    room.id, security.token_hash(token), nickname, discipline or None, self.clock(), joined_late=late)
            member = Member(pid, number, nickname, discipline or None, late)
            room.tally.add(member)
        self.notifier.joined(room, member.id)
        return member, token

    def rebind(self, room: Room, token: object) -> Member | None:
        """Return the active participant a token belongs to; raise Rejected if it was removed."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        row = self.store.participant_by_token(room.id, security.token_hash(token))
        if row is None or not security.token_matches(token, row["token_hash"]):
            return None
        if row["removed_at"] is not None:
            raise Rejected("removed", "You were removed from this session")
        return room.tally.members.get(row["id"])

    def remove(self, room: Room, participant_id: object) -> int:
        """Remove a participant: its token stops working and its answers stop counting."""
        if not isinstance(participant_id, int) or isinstance(participant_id, bool):
            raise Rejected("bad_request", "participant must be a number", "participant")
        with self.editing(room) as room:
            if participant_id not in room.tally.members:
                raise Rejected("unknown_participant", "Unknown participant", "participant")
            with stored():
                self.store.remove_participant(room.id, participant_id, self.clock())
            room.tally.remove(participant_id)
            room.sockets.pop(participant_id, None)  # its sockets are about to be closed
            room.undo = None  # removing cannot be undone, and an undo never reaches past it (issue 22)
        self.notifier.participant_removed(room, participant_id)
        return participant_id

    def connected(self, room: Room, participant_id: int) -> None:
        """Count one more socket of a participant (the roster's "connected")."""
        with self._lock:
            room.sockets[participant_id] += 1
        self.notifier.presence_changed(room, participant_id)

    def disconnected(self, room: Room, participant_id: int) -> None:
        """Count one socket of a participant less, if any was counted."""
        with self._lock:
            if not room.sockets.get(participant_id):
                return
            room.sockets[participant_id] -= 1
        self.notifier.presence_changed(room, participant_id)

    def answer(self, room: Room, participant_id: int, question_id: object, option_id: object,
               round_: object) -> int:
        """Validate, store and commit an answer; return its sequence number (a repeat of the stored answer: the current one).

        Checked under the lock, then committed with the answers that arrived with it (live/commits.py) and put
        into the room before this returns; the notifier hears of it after that. Never call it holding the lock.
        """
        if not isinstance(question_id, str) or not isinstance(option_id, str):
            raise Rejected("bad_request", "question and option must be ids")
        if not isinstance(round_, int) or isinstance(round_, bool):
            raise Rejected("bad_request", "round must be a number")
        question = self.questionnaire.question(question_id)
        if question is None:
            raise Rejected("unknown_question", "Unknown question")
        if question.option(option_id) is None:
            raise Rejected("unknown_option", "Unknown option")
        with self.editing(room) as room:
            if room.state.stage == "ended":
                raise Rejected("session_ended", "This session has ended")
            if participant_id not in room.tally.members:
                raise Rejected("not_joined", "Join the session first")
            sm.check_answer(room.state, question_id, round_)
            if room.tally.answers[participant_id].get(question_id, {}).get(round_) == option_id:
                return room.tally.seq  # a repeat (a phone re-sending after a lost ack): already stored, nothing changes
            seq = room.tally.next_seq()
            pending = self.commits.add(room, AnswerRow(room.id, participant_id, question_id, round_, option_id, seq,
                                                       self.clock()))
        with stored():
            raise_outcome(self.commits.wait(pending), room.id)  # committed and in the room (apply_answers) when it returns
        self.notifier.answered(room, participant_id, question_id)
        return seq

    def apply_answers(self, group: list[Pending]) -> None:
        """Put a committed group of answers into the rooms in memory, in sequence order (AnswerCommits.apply)."""
        with self._lock:
            for p in group:
                if p.outcome is not None:
                    continue
                room = self.rooms.in_memory(p.room.code) if p.room.evicted else p.room
                if room is not None and p.row.participant_id in room.tally.members:
                    room.tally.set_answer(p.row.participant_id, p.row.question_id, p.row.round, p.row.option_id,
                                          p.row.seq)

    # Facilitator

    def command(self, room: Room, action: object, **kwargs: Any) -> SessionState:
        """Apply a facilitator action, store the new state and return it."""
        if not isinstance(action, str):
            raise Rejected("bad_request", "action must be text", "action")
        question = kwargs.get("question")
        if question is not None and not isinstance(question, str):
            raise Rejected("bad_request", "question must be an id", "question")
        options = ()
        if isinstance(question, str) and self.questionnaire.question(question):
            options = [o.id for o in self.questionnaire.question(question).options]
        if kwargs.get("view") == "followup" and not room.follows:
            raise Rejected("not_allowed_now", "This session does not follow up an earlier one", "view")
        with self.editing(room) as room:
            before = room.state
            now = self.monotonic()
            if action == "undo":
                new = undoing.target(room.undo, before, now, self.config.undo_seconds)
            else:
                new = commands.apply(before, action, question=question, option=kwargs.get("option"),
                                     valid_options=options, view=kwargs.get("view"),
                                     **screen_fields(room, action, kwargs, self.config, self.wall()))
            if new != before:
                with stored():
                    self.store.save_state(room.id, new.to_dict(), self.clock())
                room.state = new
                room.undo = undoing.remember(action, before, new, now, question)
            elif not self.store.session_exists(room.id):  # nothing to store, but never "ok" for a deleted session
                raise Rejected("session_deleted", "This session has been deleted")
        if new != before:
            self.notifier.state_changed(room, before)
            if new.stage == "ended" and before.stage != "ended":
                self.activities.end(room)
            elif before.stage == "ended" and new.stage != "ended":
                self.activities.reopened(room)
            if new.timer is not None and new.timer != before.timer and self.deadlines is not None:
                self.deadlines.watch(room.code, new.timer.deadline)
            if new.view == "followup":
                self.notifier.followup_changed(room, self.followed(room))
        return new

    def undo_seconds(self, room: Room) -> float:
        """Seconds left to undo the last control action on a session (0: nothing to undo)."""
        return undoing.remaining(room.undo, self.monotonic(), self.config.undo_seconds)

    def undo_offer(self, room: Room) -> dict[str, Any] | None:
        """What `undo` would undo now ({action, question, seconds}), None when nothing."""
        return undoing.offer(room.undo, self.monotonic(), self.config.undo_seconds)

    def projector_connected(self, room: Room, connected: bool) -> None:
        """Count a projector page that connected (True) or went away (False), and tell the facilitators."""
        with self._lock:
            room.projectors = max(0, room.projectors + (1 if connected else -1))
            room.projector_at = self.clock()
        self.notifier.projector_changed(room)

    def save_note(self, room: Room, question_id: object, text: object, version: object = 0,
                  markers: tuple[str, str, str] = notes.MARKERS) -> dict[str, Any]:
        """Store the facilitator's note for a question ('' for the general note), typed on `version`.

        A save based on an older version than the stored one (another device saved meanwhile) never
        replaces it: both texts are kept, marked with `markers` (core/notes.py). Return {text, version, conflict}.
        """
        if question_id != "" and (not isinstance(question_id, str) or not self.questionnaire.question(question_id)):
            raise Rejected("unknown_question", "Unknown question", "question")
        if not isinstance(text, str) or len(text) > self.config.note_max:
            raise Rejected("bad_request", f"note must be text of at most {self.config.note_max} characters", "text")
        if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version < 2**53:
            raise Rejected("bad_request", "version must be the note's version the text was typed on", "version")
        with self._lock:
            room = self.rooms.current(room)
            stored_text, stored_version = self.store.note(room.id, question_id)
            saved = notes.save(stored_text, stored_version, clean_multiline(text), version, markers)
            if saved.version != stored_version:
                with stored():
                    self.store.save_note(room.id, question_id, saved.text, self.clock(), saved.version)
        if saved.version != stored_version:
            self.notifier.notes_changed(room, question_id, saved.to_dict())
        return saved.to_dict()

    def save_steps(self, room: Room, items: object) -> list[dict[str, str]]:
        """Store the session's first small steps (what, who, by when)."""
        if not isinstance(items, list) or len(items) > self.config.steps_max:
            raise Rejected("bad_request", f"steps must be a list of at most {self.config.steps_max}", "steps")
        steps = []
        for item in items:
            if not isinstance(item, dict):
                raise Rejected("bad_request", "each step must be an object", "steps")
            what, who, due = (clean_text(item.get(name), max_length=getattr(self.config, f"step_{name}_max"),
                                         field_name=name) or "" for name in STEP_FIELDS)
            idea = item.get("idea")
            if idea is not None:
                idea = self.activities.idea_for_step(room, idea).id
            if what or who or due:
                steps.append({"what": what, "who": who, "due": due, "idea": idea})
        with stored():
            self.store.save_steps(room.id, steps, self.clock())
        self.notifier.steps_changed(room)
        return steps

    def followed(self, room: Room) -> Room | None:
        """The earlier session a room follows up, None when it follows none, was detached or that one was deleted.

        Read from the store each time: the earlier session's owner may detach it from another process.
        """
        follows = self.store.follows(room.id)
        with self._lock:
            room.follows = follows
        return self.peek(follows) if follows else None

    def followups(self, room: Room) -> list[dict[str, Any]]:
        """The sessions that follow up this one (code, title, created_at), for its facilitator to see and detach."""
        return self.store.followups(room.code)

    def detach_followup(self, room: Room, code: object) -> list[dict[str, Any]]:
        """Make a follow-up of this session follow none: it no longer shows any of this session. Return the rest."""
        followup = security.normalise_code(code)
        with stored():
            if followup is None or not self.store.detach_followup(room.id, followup, self.clock()):
                raise Rejected("unknown_session", "That session does not follow up this one", "code")
        held = self.in_memory(followup)
        if held is not None:  # its screens here drop the then-and-now view at once; elsewhere at its next view
            self.notifier.followup_changed(held, self.followed(held))
        return self.followups(room)

    def set_step_status(self, room: Room, position: object, status: object) -> list[dict[str, Any]]:
        """Record what became of a step carried over from the followed session; return the carried steps."""
        if not isinstance(position, int) or isinstance(position, bool):
            raise Rejected("bad_request", "position must be a number", "position")
        if not 0 <= position < len(room.carried):  # also keeps a huge number away from SQLite's 64-bit integers
            raise Rejected("bad_request", "No carried-over step at this position", "position")
        if status is not None and status not in STEP_STATUSES:
            raise Rejected("bad_request", "status must be done, partly, not_yet or null", "status")
        with self.editing(room) as room:
            with stored():
                if not self.store.set_carried_status(room.id, position, status, self.clock()):
                    raise Rejected("bad_request", "No carried-over step at this position", "position")
            room.carried = self.store.carried_steps(room.id)
        self.notifier.followup_changed(room, self.followed(room))
        return room.carried

    def set_report_link(self, room: Room, enabled: bool) -> int:
        """Enable a new shared report link or revoke the current one; return the generation."""
        with self.editing(room) as room:
            generation = (abs(room.report_generation) + 1) if enabled else -abs(room.report_generation)
            with stored():
                self.store.set_report_generation(room.id, generation, self.clock())
            room.report_generation = generation
        self.notifier.report_link_changed(room)
        return generation

    # Archive

    def sessions(self, codes: list[str] | None = None) -> list[dict[str, Any]]:
        """List sessions (all or the given codes) with title, date, participants and stage."""
        items = []
        for row in self.store.list_sessions(codes):
            state = json.loads(row["state"])
            items.append({
                "code": row["code"], "title": row["title"], "created_at": row["created_at"],
                "updated_at": row["updated_at"], "participants": row["participant_count"],
                "stage": state["stage"], "language": row["language"],
                "facilitator_epoch": row["facilitator_epoch"],
                "organisation": row["organisation"], "follows": row["follows"],
            })
        return items

    def delete(self, code: str) -> bool:
        """Delete a session with every row that belongs to it."""
        with self._lock:
            deleted = self.store.delete_session(code)
            room = self.rooms.forget(code)
        if room is not None:
            self.notifier.session_deleted(room)
        return deleted

    def expired(self, older_than_days: float) -> list[dict[str, Any]]:
        """The sessions a purge of this age would delete (as `sessions()` lists them), oldest change first.

        Never fewer than MIN_PURGE_DAYS: a session in use is changed (or kept in use, `keep_in_use`)
        well within a day, so a purge can never reach a running session.
        """
        if not older_than_days >= MIN_PURGE_DAYS:  # also refuses NaN
            raise ValueError(f"a purge needs an age of at least {MIN_PURGE_DAYS} day, not {older_than_days}")
        try:
            cutoff = (datetime.now(timezone.utc) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        except OverflowError:  # before year 1: nothing is that old
            return []
        codes = self.store.codes_older_than(cutoff)
        return sorted(self.sessions(codes) if codes else [], key=lambda s: (s["updated_at"], s["code"]))

    def purge(self, older_than_days: float, only: Collection[str] | None = None) -> list[str]:
        """Delete sessions unchanged for more than the given number of days (at least one); return their codes.

        `only` limits it to these codes (those a person was shown): one changed since is kept.
        """
        codes = [s["code"] for s in self.expired(older_than_days) if only is None or s["code"] in only]
        for code in codes:
            self.delete(code)
        return codes

    def keep_in_use(self, busy: Callable[[str], bool]) -> list[str]:
        """Move the retention clock of the rooms something is connected to (at most hourly each); return their codes.

        A projector left on shows a session without changing it; this keeps such a running session out of
        every purge. An ended session is left alone: its clock stays put (issue 20, finding 10).
        """
        now = self.monotonic()
        with self._lock:
            rooms = [room for room in self.rooms.held()
                     if room.state.stage != "ended" and now - room.kept_at >= KEEP_IN_USE_SECONDS and busy(room.code)]
            for room in rooms:
                room.kept_at = now
        if rooms:
            self.store.touch_sessions([room.id for room in rooms], self.clock())
        return [room.code for room in rooms]
