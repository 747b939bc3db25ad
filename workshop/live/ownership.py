"""Exactly one worker holds a session in memory: a lease in the database, taken at load, renewed, given up.

Several workers (one machine or more) share one database. A worker loads a session only after it took the
session's lease (store.take_lease); it renews all its leases every third of LEASE_SECONDS, gives one up when
the room leaves memory or the worker stops, and hands one over when the worker the proxy now routes the
session to asks for it. A worker that died keeps its leases until they expire; then the worker its sessions
are routed to takes them and loads them from the database. Writes are fenced by the lease's generation
(store.fence_writes): a worker whose lease was taken over (it was paused) stores nothing more for that
session, and drops the room at its next renewal. docs/decisions.md, "One owner per session".
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from typing import Any, Callable

from workshop.live.periodic import Periodic
from workshop.store.interface import SessionStore

log = logging.getLogger(__name__)


def worker_identity(worker: object) -> str:
    """A name for this worker process that no other process on any machine shares: host, worker number, pid, random."""
    return f"{socket.gethostname()}/{worker}/{os.getpid()}/{secrets.token_hex(4)}"


class Ownership:
    """The leases this worker holds, by session code: (session id, generation)."""

    def __init__(self, store: SessionStore, owner: str, seconds: float, wall: Callable[[], float] = time.time):
        """Hold leases of `seconds` as `owner`, timed by `wall` (epoch seconds); fence the store's writes from now on."""
        self.store, self.owner, self.seconds, self.wall = store, owner, seconds, wall
        self._held: dict[str, tuple[int, int]] = {}
        store.fence_writes(owner)

    def take(self, code: str, session_id: int) -> bool:
        """Take a session's lease before loading it; when another worker holds it, ask it to hand the session over."""
        generation = self.store.take_lease(session_id, self.owner, self.wall(), self.seconds)
        if generation is None:
            self.store.want_lease(session_id, self.owner, self.wall())
            return False
        self._held[code] = (session_id, generation)
        return True

    def holds(self, code: str) -> bool:
        """Whether this worker holds a session's lease (as far as it knows since its last renewal)."""
        return code in self._held

    def renew(self) -> tuple[list[str], list[str]]:
        """Renew every lease; return the codes lost (taken over: drop without writing) and those another worker wants."""
        rows = self.store.renew_leases(self.owner, self.wall(), self.seconds)
        current = {int(r["session_id"]): (int(r["generation"]), r["wanted"]) for r in rows}
        lost = [code for code, (sid, generation) in self._held.items() if current.get(sid, (None,))[0] != generation]
        for code in lost:
            del self._held[code]
        held_ids = {sid for sid, _ in self._held.values()}
        for sid, (generation, _wanted) in current.items():
            if sid not in held_ids:  # a lease no room of ours stands for (lost in a race): free it
                self.store.release_lease(sid, self.owner, generation)
        wanted = [code for code, (sid, _) in self._held.items() if current[sid][1]]
        return lost, wanted

    def forget(self, code: str) -> None:
        """Stop counting a lease as held without touching its row (another worker holds it now)."""
        self._held.pop(code, None)

    def release(self, code: str) -> None:
        """Give up a session's lease (its room left memory)."""
        held = self._held.pop(code, None)
        if held is not None:
            self.store.release_lease(held[0], self.owner, held[1])

    def release_all(self) -> list[str]:
        """Give up every lease (the worker stops); return their codes."""
        codes = list(self._held)
        for code in codes:
            self.release(code)
        return codes


class LeaseKeeper:
    """Renews this worker's leases in a background task and drops the rooms it no longer may hold.

    `live.rooms` forgets a room (RoomCache.forget); `dropped(room)` closes that room's sockets here, so their
    clients reconnect and the proxy routes them again (the web layer's part).
    """

    def __init__(self, ownership: Ownership, live: Any, tasks: Any, dropped: Callable[[Any], None]):
        """Keep the parts; start() begins renewing every third of the lease time."""
        self.ownership, self.live, self.dropped = ownership, live, dropped
        self.periodic = Periodic(tasks, max(0.2, ownership.seconds / 3), log, self.step)

    def step(self) -> tuple[list[str], list[str]]:
        """Renew; drop the rooms whose lease was lost, hand over the wanted ones; return both lists of codes."""
        lost, wanted = self.ownership.renew()
        for code in lost:
            room = self.live.in_memory(code)
            if room is not None and not self.live.store.session_exists(room.id):
                self.live.deleted_elsewhere(room)  # deleted (its lease with it): its sockets are told so
                continue
            log.warning("lost the lease of session %s to another worker: dropping it without writing", code)
            self._drop(code)
        for code in wanted:
            log.info("handing session %s over to the worker the proxy now routes it to", code)
            room = self.live.rooms.forget(code)
            self.ownership.release(code)
            if room is not None:
                self.dropped(room)
        return lost, wanted

    def _drop(self, code: str) -> None:
        """Forget a room whose lease is gone and close its sockets."""
        room = self.live.rooms.forget(code)
        if room is not None:
            self.dropped(room)

    def lost(self, code: str) -> None:
        """A write found the lease gone (LeaseLost): drop the room now rather than at the next renewal."""
        self.ownership.forget(code)
        self._drop(code)

    def start(self) -> None:
        """Start renewing."""
        self.periodic.start()

    def stop(self) -> list[str]:
        """Stop renewing and give up every lease; return their codes."""
        self.periodic.stop()
        return self.ownership.release_all()
