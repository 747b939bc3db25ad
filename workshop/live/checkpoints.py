"""The store's disk maintenance (SQLite's WAL checkpoints) in an OS thread, never on the event loop."""
from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger(__name__)


class Checkpointer:
    """Every `interval` seconds, hands the store's checkpoint to `offload` (an OS thread under eventlet).

    `offload` is looked up at each run (the server installs its thread pool after the app is built). The
    store stops checkpointing at commit time only when start() runs, so a process without this loop (the
    command line) keeps SQLite's own checkpoints.
    """

    def __init__(self, store: Any, tasks: Any, offload: Callable[[], Callable[[Callable[[], Any]], Any]],
                 interval: float):
        """Keep what a run needs; nothing runs until start()."""
        self.store, self.tasks, self.offload, self.interval = store, tasks, offload, interval
        self._stopped = False
        self._failing = False
        self.runs = 0

    def run_once(self) -> tuple[int, int, int]:
        """One checkpoint, in the thread the offload gives."""
        result = self.offload()(self.store.checkpoint)
        self.runs += 1
        return result

    def run(self) -> None:
        """Checkpoint every interval until stopped; a failure is logged once, then retried quietly."""
        while not self._stopped:
            self.tasks.sleep(self.interval)
            if self._stopped:
                break
            try:
                self.run_once()
                self._failing = False
            except Exception:  # a full disk or a locked file must not end the loop: the WAL would only grow
                if not self._failing:
                    log.exception("checkpointing the database failed; retrying every %s s", self.interval)
                self._failing = True

    def start(self) -> None:
        """Take checkpoints away from commit time and run the loop as a background task."""
        self.store.checkpoint_elsewhere()
        self.tasks.start_background_task(self.run)

    def stop(self) -> None:
        """Stop after the current wait."""
        self._stopped = True
