"""The store's disk maintenance (SQLite's WAL checkpoints) in an OS thread, never on the event loop."""
from __future__ import annotations

import logging
from typing import Any, Callable

from workshop.live.periodic import Periodic

log = logging.getLogger(__name__)


class Checkpointer(Periodic):
    """Every `interval` seconds, hands the store's checkpoint to `offload` (an OS thread under eventlet).

    `offload` is looked up at each run (the server installs its thread pool after the app is built). The
    store stops checkpointing at commit time only when start() runs, so a process without this loop (the
    command line) keeps SQLite's own checkpoints.
    """

    failure = "checkpointing the database failed; retrying every %s s"

    def __init__(self, store: Any, tasks: Any, offload: Callable[[], Callable[[Callable[[], Any]], Any]],
                 interval: float):
        """Keep what a run needs; nothing runs until start()."""
        super().__init__(tasks, interval, log, self.step)
        self.store, self.offload = store, offload
        self.runs = 0

    def step(self) -> tuple[int, int, int]:
        """One checkpoint, in the thread the offload gives."""
        result = self.offload()(self.store.checkpoint)
        self.runs += 1
        return result

    def start(self) -> None:
        """Take checkpoints away from commit time, then run the loop."""
        self.store.checkpoint_elsewhere()
        super().start()
