"""Sessions deleted by another process (`workshop sessions delete|purge`) disappear from the running server too."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO

    from workshop.live.service import Live, Room

log = logging.getLogger(__name__)


class DeletionWatcher:
    """Checks every `interval` seconds whether another process deleted a live session, and closes what it held.

    The check costs one `PRAGMA data_version` while nobody else writes to the database; only after
    another connection committed does it look up which rooms in memory lost their session. Every socket
    of those rooms hears `session_deleted` from the live service's notifier and is disconnected, and the
    rooms are forgotten (pages, API and connects then answer as for an unknown code). `tasks` (the
    SocketIO object) runs the checks in the async mode in use.
    """

    def __init__(self, app: "Flask", live: "Live", tasks: "SocketIO", interval: float):
        """Keep what a check needs; nothing runs until start()."""
        self.app = app
        self.live = live
        self.tasks = tasks
        self.interval = interval
        self._stopped = False
        self._failing = False
        self._sweep_again: list["Room"] = []

    def check(self) -> list[str]:
        """Close the rooms of sessions deleted elsewhere since the last check; return their codes."""
        again, self._sweep_again = self._sweep_again, []
        rooms = self.live.deleted_rooms()
        with self.app.app_context():
            # Sockets first, then memory: until its socket is closed a request finds its room and is
            # refused with session_deleted by the store. Once more on the next check: a socket whose
            # connect was under way during the sweep.
            for room in again + rooms:
                self.live.deleted_elsewhere(room)
        self._sweep_again = rooms
        for room in rooms:
            log.info("session %s was deleted by another process; its sockets were closed", room.code)
        return [room.code for room in rooms]

    def run(self) -> None:
        """Check every interval until stopped; a failing check is logged once, then retried quietly."""
        while not self._stopped:
            self.tasks.sleep(self.interval)
            if self._stopped:
                break
            try:
                self.check()
                self._failing = False
            except Exception:  # the watcher must outlive a bad moment (a locked database, a full disk)
                if not self._failing:
                    log.exception("checking for deleted sessions failed; retrying every %s s", self.interval)
                self._failing = True

    def start(self) -> None:
        """Run the checks as a background task of the async mode in use (a thread or a green thread)."""
        self.tasks.start_background_task(self.run)

    def stop(self) -> None:
        """Stop the background checks after the current wait."""
        self._stopped = True
