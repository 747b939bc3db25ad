"""A background task that does one step every `interval` seconds and outlives a failing step."""
from __future__ import annotations

import logging
from typing import Any, Callable


class Periodic:
    """Runs `work()` every `interval` seconds in the async mode in use (`tasks`: the SocketIO object).

    A failing step is logged once (`failure`, with the interval) and retried quietly until one succeeds:
    a locked database or a full disk must not end the loop.
    """

    failure = "a background step failed; retrying every %s s"

    def __init__(self, tasks: Any, interval: float, log: logging.Logger, work: Callable[[], Any]):
        """Keep the task runner, the interval, the logger and the work; nothing runs until start()."""
        self.tasks, self.interval, self.log, self.work = tasks, interval, log, work
        self._stopped = False
        self._failing = False

    def run(self) -> None:
        """Step every interval until stopped."""
        while not self._stopped:
            self.tasks.sleep(self.interval)
            if self._stopped:
                break
            try:
                self.work()
                self._failing = False
            except Exception:
                if not self._failing:
                    self.log.exception(self.failure, self.interval)
                self._failing = True

    def start(self) -> None:
        """Run as a background task (a thread or a green thread)."""
        self.tasks.start_background_task(self.run)

    def stop(self) -> None:
        """Stop after the current wait."""
        self._stopped = True
