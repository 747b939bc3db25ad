"""The rooms a process holds in memory: loaded from the store on first use, dropped when idle or deleted."""
from __future__ import annotations

import json
from typing import Any, Callable

from workshop.core import security
from workshop.core.questionnaire import Questionnaire
from workshop.core.state import Rejected, SessionState
from workshop.core.tally import Tally
from workshop.live.room import Room
from workshop.store.interface import SessionStore


class RoomCache:
    """The rooms a Live service holds in memory: loaded from the store on first use, dropped when idle or deleted.

    A part of Live (`live.rooms`), which shares its lock with it: every room's `lock` is that one lock.
    """

    def __init__(self, store: SessionStore, questionnaire: Questionnaire, config: dict[str, Any], lock: Any,
                 monotonic: Callable[[], float], loaded: Callable[[Room], None] = lambda room: None):
        """Read rooms from `store` for `questionnaire`; `loaded` is told of each room `room()` loads into memory."""
        self.store = store
        self.questionnaire = questionnaire
        self.config = config
        self.lock = lock
        self.monotonic = monotonic
        self.loaded = loaded
        self._rooms: dict[str, Room] = {}
        self._data_version = store.data_version()

    def room(self, code: object) -> Room | None:
        """Return the live room for a code, loading it from the database once."""
        code = security.normalise_code(code)
        if code is None:
            return None
        with self.lock:
            room = self._rooms.get(code)
            if room is None:
                room = self.load(code)
                if room is not None:
                    self._rooms[code] = room
                    self.loaded(room)
            if room is not None:
                room.used_at = self.monotonic()
            return room

    def peek(self, code: object) -> Room | None:
        """A room to read, without holding it in memory here when this process is one worker of several.

        Another worker may own the session (the proxy sends its sockets there): a copy kept here would be a
        ghost that never hears that worker's changes. So a worker reads such a room fresh from the store.
        """
        code = security.normalise_code(code)
        if code is None or not self.config.worker:
            return self.room(code)
        with self.lock:
            return self._rooms.get(code) or self.load(code)

    def in_memory(self, code: object) -> Room | None:
        """The room this process holds for a code, None when it holds none (nothing is loaded)."""
        with self.lock:
            return self._rooms.get(code) if isinstance(code, str) else None

    def current(self, room: Room) -> Room:
        """Return the live copy of a room a caller may have held across an eviction (call under the lock)."""
        if not room.evicted:
            return room
        current = self.room(room.code)
        if current is None:
            raise Rejected("unknown_session", "This session no longer exists")
        return current

    def evict_idle(self, idle_seconds: float, busy: Callable[[str], bool],
                   release: Callable[[str], None]) -> list[str]:
        """Drop rooms unused for idle_seconds that nothing is `busy` with; `release` each one's other state.

        Every change is committed before memory changes, so a dropped room reloads
        with the same state; a caller still holding it is sent to the new copy
        (`current`), so an old copy never writes over newer state.
        """
        with self.lock:
            cutoff = self.monotonic() - idle_seconds
            codes = [code for code, room in self._rooms.items() if room.used_at <= cutoff and not busy(code)]
            for code in codes:
                self._rooms.pop(code).evicted = True
                release(code)
        return codes

    def load(self, code: str) -> Room | None:
        """Build a room from its stored rows (not kept: `room` keeps what it loads)."""
        row = self.store.session(code)
        if row is None:
            return None
        tally = Tally.from_rows(self.questionnaire, self.store.participants(row["id"]), self.store.answers(row["id"]))
        tally.seq = max(tally.seq, self.store.max_seq(row["id"]))
        return Room(
            id=row["id"], code=row["code"], title=row["title"], language=row["language"],
            disciplines=json.loads(row["disciplines"]), facilitator_hash=row["facilitator_hash"],
            created_at=row["created_at"], report_generation=row["report_generation"],
            state=SessionState.from_dict(json.loads(row["state"])), tally=tally,
            organisation=row["organisation"], follows=row["follows"], carried=self.store.carried_steps(row["id"]),
            lock=self.lock,
        )

    def forget(self, code: str) -> Room | None:
        """Drop a room from memory (after it was deleted); return it when it was there."""
        with self.lock:
            room = self._rooms.pop(code, None)
            if room is not None:
                room.evicted = True
            return room

    def deleted_room(self, code: str) -> Room | None:
        """The room in memory for code if its session is no longer stored (deleted by another process)."""
        with self.lock:
            room = self._rooms.get(code)
            if room is None or self.store.missing_codes([code]) != {code}:
                return None
            return room

    def rooms_in_memory(self) -> int:
        """How many sessions this process holds in memory."""
        return len(self._rooms)

    def held(self) -> list[Room]:
        """The rooms this process holds in memory now."""
        with self.lock:
            return list(self._rooms.values())

    def changed_elsewhere(self) -> bool:
        """Whether another process committed to the database since the last look (one PRAGMA data_version)."""
        version = self.store.data_version()
        with self.lock:
            changed, self._data_version = version != self._data_version, version
        return changed

    def deleted_rooms(self) -> list[Room]:
        """The rooms in memory whose sessions another process deleted."""
        with self.lock:
            missing = self.store.missing_codes(list(self._rooms))
            return [self._rooms[code] for code in sorted(missing)]
