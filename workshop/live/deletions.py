"""What another process (the command line) changed reaches the running server: deleted sessions disappear,
facilitator links rotated away or evicted (`workshop sessions link`) sign their open sockets out."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from workshop.live.periodic import Periodic

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO

    from workshop.live.service import Live, Room

log = logging.getLogger(__name__)


class DeletionWatcher(Periodic):
    """Checks every `interval` seconds whether another process deleted a live session or revoked facilitator links.

    The check costs one `PRAGMA data_version` while nobody else writes to the database; only after
    another connection committed does it look up which rooms in memory lost their session. Every socket
    of those rooms hears `session_deleted` from the live service's notifier and is disconnected, and the
    rooms are forgotten (pages, API and connects then answer as for an unknown code). Then every facilitator
    socket whose link stopped working (`sessions link --rotate`, or evicted as the oldest) is signed out.
    `tasks` (the SocketIO object) runs the checks in the async mode in use.
    """

    failure = "checking for deleted sessions failed; retrying every %s s"

    def __init__(self, app: "Flask", live: "Live", tasks: "SocketIO", interval: float):
        """Keep what a check needs; nothing runs until start()."""
        super().__init__(tasks, interval, log, self.check)
        self.app = app
        self.live = live
        self._sweep_again: list["Room"] = []

    def check(self) -> list[str]:
        """Close the rooms of sessions deleted elsewhere since the last check; return their codes."""
        again, self._sweep_again = self._sweep_again, []
        changed = self.live.rooms.changed_elsewhere()
        rooms = self.live.rooms.deleted_rooms() if changed else []
        with self.app.app_context():
            # Sockets first, then memory: until its socket is closed a request finds its room and is
            # refused with session_deleted by the store. Once more on the next check: a socket whose
            # connect was under way during the sweep.
            for room in again + rooms:
                self.live.deleted_elsewhere(room)
            if changed:
                self.live.sign_out_revoked_everywhere()
        self._sweep_again = rooms
        for room in rooms:
            log.info("session %s was deleted by another process; its sockets were closed", room.code)
        return [room.code for room in rooms]

