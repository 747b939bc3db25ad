"""Socket.IO room bookkeeping that knows each client's rooms, so a disconnect does not scan every room."""
from __future__ import annotations

import socketio


class RoomIndexManager(socketio.Manager):
    """python-socketio's in-memory manager plus an index of the rooms each client is in.

    The stock manager finds a leaving client's rooms by testing every room of the
    namespace, and every client has a room of its own (plus, here, a personal
    room): one disconnect costs O(connected clients), a thousand phones leaving
    at once O(n²) (docs/performance.md).
    """

    def __init__(self):
        """Start with no clients."""
        super().__init__()
        self._rooms_of: dict[tuple[str, str], set] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        """Enter a room and remember it for the client."""
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        """Leave a room and forget it for the client."""
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """Leave the client's own rooms only, then clean up as the stock manager does."""
        if namespace not in self.rooms:
            return
        # The None room (the client's registration) last: the namespace's entry goes once it is empty.
        for room in sorted(self._rooms_of.get((namespace, sid), ()), key=lambda r: r is None):
            self.basic_leave_room(sid, namespace, room)
        self._rooms_of.pop((namespace, sid), None)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if namespace in pending and sid in pending[namespace]:
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]
