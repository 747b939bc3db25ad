"""Answers committed in groups: one transaction (one round trip to PostgreSQL) for the answers that arrive together.

`Live.answer` checks an answer under the live service's lock, gives it its sequence number and queues it
here (`add`, still under the lock, so the queue is in sequence order); then, without the lock, it waits for
the commit (`wait`). The first waiter takes everything queued, after letting the other ready tasks queue
theirs (`pause`: only for a store whose commit waits for a round trip), stores it in one transaction, and
`apply` puts the stored answers into the rooms in memory, in order, before any waiter returns. The others find
their answer done. An answer is acknowledged only after its commit, as before; a failed commit fails every
answer of its group, and none reaches memory. docs/decisions.md, "Answers committed in groups".
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from workshop.store.interface import AnswerRow, SessionStore


class Pending:
    """One queued answer: its room, its row, and once committed its outcome or the error."""

    __slots__ = ("room", "row", "done", "outcome", "error")

    def __init__(self, room: Any, row: AnswerRow):
        """Queue-side state of one answer."""
        self.room, self.row = room, row
        self.done = False
        self.outcome: str | None = None
        self.error: BaseException | None = None


class AnswerCommits:
    """The queue of checked answers and the one group commit at a time that stores them."""

    def __init__(self, store: SessionStore, apply: Callable[[list[Pending]], None],
                 pause: Callable[[], None] | None = None):
        """Store through `store`; `apply` the committed group (in order); `pause` before taking a group, if given."""
        self.store, self.apply, self.pause = store, apply, pause
        self._queue: list[Pending] = []
        # Guards the queue and `_committing`; its notify_all wakes every waiter of a finished group at once (a
        # lock handed from waiter to waiter would wake them one per turn of the event loop).
        self._changed = threading.Condition(threading.Lock())
        self._committing = False  # one group commit at a time, so groups commit in sequence order

    def add(self, room: Any, row: AnswerRow) -> Pending:
        """Queue a checked answer (call under the live service's lock: the queue keeps the sequence order)."""
        pending = Pending(room, row)
        with self._changed:
            self._queue.append(pending)
        return pending

    def wait(self, pending: Pending) -> str | None:
        """Return once `pending` is committed and applied: its outcome (None: stored, or the store's reason);
        raise the database's error when its group failed. Never call it holding the live service's lock."""
        with self._changed:
            while not pending.done and self._committing:
                self._changed.wait()
            lead = not pending.done
            if lead:
                self._committing = True
        if lead:
            try:
                if self.pause is not None:
                    self.pause()
                with self._changed:
                    group, self._queue = self._queue, []
                self._commit(group)
            finally:
                with self._changed:
                    self._committing = False
                    self._changed.notify_all()
        if pending.error is not None:
            raise pending.error
        return pending.outcome

    def _commit(self, group: list[Pending]) -> None:
        """Store a group, apply what was stored, and mark every answer of it done (failed, if anything raised)."""
        try:
            outcomes = self.store.save_answers([p.row for p in group])
            for p, outcome in zip(group, outcomes):
                p.outcome = outcome
            self.apply(group)
        except Exception as error:  # the whole group failed: none of its answers is acknowledged
            for p in group:
                p.error = error
        except BaseException:  # the committing task itself was stopped: its group is not acknowledged either
            for p in group:
                p.error = InterruptedError("the group commit was interrupted")
            raise
        finally:
            for p in group:
                p.done = True
