"""The app's wired services, kept on app.extensions['workshop'] (no module-level state)."""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from flask import current_app

from workshop.core import security
from workshop.live import views
from workshop.live.followup import followup_view
from workshop.web.broadcaster import Broadcaster
from workshop.live.service import Live, Room
from workshop.web.limits import RateLimiter, RecentCodes
from workshop.web.links import Links
from workshop.settings import Settings

if TYPE_CHECKING:
    from workshop.live.checkpoints import Checkpointer
    from workshop.live.deletions import DeletionWatcher

T = TypeVar("T")
log = logging.getLogger(__name__)


def run_here(work: Callable[[], T]) -> T:
    """Run work in the calling thread (tests, threading mode); `serve` swaps in its async server's pool."""
    return work()


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (macOS, musl); looked up at each call (rare)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def return_memory() -> None:
    """Free the cyclic garbage of closed connections and give malloc's free pages back to the system.

    A full collection pauses the process for about 0.1 s per 1,000 connected phones; the sweep calls this
    only after it dropped a room, at most once per sweep interval (docs/performance.md).
    """
    gc.collect()
    trim = malloc_trim()
    if trim is not None:
        trim(0)


@dataclass
class Services:
    """Live sessions, the broadcaster, the installation secret, the rate limits and the links."""

    live: Live
    broadcaster: Broadcaster  # the live service's notifier; handlers never call it
    secret: bytes
    join_limit: RateLimiter            # per client address
    answer_limit: RateLimiter          # per connection
    lookup_limit: RateLimiter          # failed code lookups per client address
    found_codes: RecentCodes           # codes each client address found: still found once its budget is spent
    join_connection_limit: RateLimiter  # per connection
    answer_address_limit: RateLimiter   # per client address
    create_limit: RateLimiter          # session creations per client address
    activity_limit: RateLimiter        # picks, ideas and dots per participant
    facilitator_limit: RateLimiter     # facilitator events per session
    facilitator_address_limit: RateLimiter  # facilitator events per client address
    export_limit: RateLimiter          # reports (downloads, summaries, shared reports, comparisons) per client address
    config: Settings
    links: Links                       # absolute links on the public URL, worked out once at start
    # Runs CPU-heavy work that touches no green primitives (building an export from a loaded summary) so
    # the event loop keeps serving meanwhile: an OS thread under eventlet/gevent (set in server.py).
    offload: Callable[[Callable[[], Any]], Any] = run_here
    # Notices sessions deleted by another process and closes their sockets (built in app.py).
    deletions: "DeletionWatcher | None" = None
    # Copies the database's write-ahead log into the database in an OS thread (built in app.py).
    checkpoints: "Checkpointer | None" = None
    # At most REPORT_THREADS reports built at once (built in app.py; a green semaphore under eventlet).
    reports: Any = None
    sweeping: bool = False
    gate: Any = None  # the server's ConnectionGate (web/limits.py, set in server.py), for /metrics; None in tests

    def may_create(self, address: str | None) -> float:
        """Count a session creation for an address; return 0, or the seconds to wait when it created too many."""
        key = address or "unknown"
        if self.create_limit.allow(key):
            return 0.0
        return max(1.0, self.create_limit.retry_after(key))

    def facilitator_may(self, code: str, address: str) -> bool:
        """Count a facilitator event for its session and its address; False when either used up its window."""
        return self.facilitator_limit.allow(code) and self.facilitator_address_limit.allow(address)

    def may_export(self, address: str | None) -> bool:
        """Count a report for an address; False when it asked for too many (RATE_EXPORT)."""
        return self.export_limit.allow(address or "unknown")

    def built(self, work: Callable[[Any], T]) -> T:
        """Run work(store) off the event loop: in an OS thread, on a read store of its own, REPORT_THREADS at once.

        The event loop keeps serving every socket meanwhile; the thread never touches the writer's
        connection or its green lock (issue 20, finding 7).
        """
        def job() -> T:
            reader = self.live.store.reader()
            try:
                return work(reader)
            finally:
                reader.close()
        if self.reports is None:
            return self.offload(job)
        with self.reports:  # waits cooperatively on the event loop
            return self.offload(job)

    def limiters(self) -> list[RateLimiter]:
        """Every rate limiter of the app."""
        return [value for value in vars(self).values() if isinstance(value, RateLimiter)]

    def sweep(self) -> list[str]:
        """Drop idle rooms nothing is connected to (and their broadcaster state) and quiet rate-limit keys."""
        self.live.keep_in_use(self.broadcaster.busy)  # a running session never looks unchanged to a purge
        codes = self.live.evict_idle(self.config.room_idle_seconds, self.broadcaster.busy,
                                     self.broadcaster.release)
        for limiter in self.limiters():
            limiter.prune()
        return codes

    def start_sweeping(self) -> None:
        """Run sweep() every quarter of ROOM_IDLE_SECONDS (1-60 s) in a background task; once per app."""
        if self.sweeping:
            return
        self.sweeping = True
        self.broadcaster.socketio.start_background_task(self._sweep_forever)

    def stop_sweeping(self) -> None:
        """End the background sweeps after the current wait."""
        self.sweeping = False

    def _sweep_forever(self) -> None:
        """Sweep at intervals until stop_sweeping(); a failed sweep is logged, the next one runs."""
        socketio = self.broadcaster.socketio
        interval = max(1.0, min(60.0, self.config.room_idle_seconds / 4))
        while self.sweeping:
            socketio.sleep(interval)
            try:
                if self.sweep():
                    return_memory()
            except Exception:  # a bug here must not end the sweeping for good
                log.exception("idle sweep failed")

    def join_url(self, code: str) -> str:
        """The address a phone opens to join a session."""
        return self.links.join_url(code)

    def projector_key(self, code: str) -> str:
        """The read-only key in a session's projector link."""
        return security.derived_key(self.secret, "screen", code)

    def projector_key_ok(self, code: str, key: object) -> bool:
        """Check a projector key in constant time."""
        return security.key_matches(self.secret, "screen", code, key)

    def projector_url(self, code: str) -> str:
        """The projector link (absolute, for a second device)."""
        return self.links.url("pages.screen", code=code, k=self.projector_key(code))

    def screen_state(self, room: Room) -> dict[str, Any]:
        """The state the projector and facilitator see, with the join URL (views.screen_state)."""
        self.live.activities.board(room)  # what the projector shows depends on the activity it shows
        return views.screen_state(room, self.links.join_url(room.code), not self.links.reachable)

    def aggregate(self, room: Room, audience: views.Audience) -> dict[str, Any]:
        """The live aggregate for "facilitator" or "projector" (views.aggregate), with the configured group size."""
        return views.aggregate(room, audience, min_group_size=self.config.min_group_size,
                               names_max=self.config.screen_names_max)

    def followup(self, room: Room, audience: views.Audience) -> dict[str, Any] | None:
        """The then-and-now view of a follow-up session for an audience (live/followup.py)."""
        return followup_view(room, self.live.followed(room), audience, min_group_size=self.config.min_group_size)

    def shared_steps(self, room: Room) -> list[dict[str, Any]]:
        """The first small steps for phones and projectors, with the text of the idea each came from."""
        return views.shared_steps(self.live.store.steps(room.id), self.live.activities.board(room).ideas)

    def report_key(self, room: Room) -> str | None:
        """The key of the current shared report link, None when there is none."""
        return report_key(self.secret, room)

    def report_key_ok(self, room: Room, key: object) -> bool:
        """Check a shared report key: only the current, unrevoked link works."""
        return room.report_generation > 0 and security.key_matches(
            self.secret, "report", room.code, key, room.report_generation)

    def report_info(self, room: Room) -> dict[str, Any]:
        """Whether a shared report link exists, and its URL."""
        return report_info(self.secret, self.links, room)

    def facilitator_url(self, code: str, token: str) -> str:
        """The facilitator link that signs a browser in (absolute, shown once at creation)."""
        return self.links.url("pages.manage", code=code, t=token)


def report_key(secret: bytes, room: Room) -> str | None:
    """The key of a room's current shared report link, None when there is none."""
    if room.report_generation <= 0:
        return None
    return security.derived_key(secret, "report", room.code, room.report_generation)


def report_info(secret: bytes, links: Links, room: Room) -> dict[str, Any]:
    """Whether a room's shared report link exists, and its URL (what facilitator devices are sent)."""
    key = report_key(secret, room)
    if key is None:
        return {"enabled": False, "url": None}
    return {"enabled": True, "url": links.url("exports.report", code=room.code, key=key)}


def services() -> Services:
    """Return the current app's services."""
    return current_app.extensions["workshop"]
