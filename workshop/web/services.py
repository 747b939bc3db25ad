"""The app's wired services, kept on app.extensions['workshop'] (no module-level state)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from flask import current_app, has_request_context, request

from workshop.core import security
from workshop.core.state import Rejected
from workshop.live import views
from workshop.live.broadcaster import Broadcaster
from workshop.live.service import Live, Room
from workshop.web.limits import RateLimiter, RecentCodes
from workshop.web.netinfo import JoinBase

if TYPE_CHECKING:
    from workshop.live.deletions import DeletionWatcher

T = TypeVar("T")


def run_here(work: Callable[[], T]) -> T:
    """Run work in the calling thread (tests, threading mode); `serve` swaps in its async server's pool."""
    return work()


@dataclass
class Services:
    """Live sessions, the broadcaster, the installation secret and the rate limits."""

    live: Live
    broadcaster: Broadcaster  # the live service's notifier; handlers never call it
    secret: bytes
    join_limit: RateLimiter            # per client address
    answer_limit: RateLimiter          # per connection
    lookup_limit: RateLimiter          # failed code lookups per client address
    found_codes: RecentCodes           # codes each client address found: still found once its budget is spent
    join_connection_limit: RateLimiter  # per connection
    answer_address_limit: RateLimiter   # per client address
    config: dict[str, Any]
    # Runs CPU-heavy work that touches no green primitives (building an export from a loaded summary) so
    # the event loop keeps serving meanwhile: an OS thread under eventlet/gevent (set in server.py).
    offload: Callable[[Callable[[], Any]], Any] = run_here
    # Notices sessions deleted by another process and closes their sockets (set in app.py).
    deletions: "DeletionWatcher | None" = None

    def find(self, code: object, address: str | None,
             proven: Callable[[Room], bool] | None = None) -> Room | None:
        """Return the session with a code; raise Rejected('rate_limited') while the address has guessed wrong too often.

        Only wrong codes spend the address's budget (RATE_LOOKUP). Once it is spent, a code
        is still found when this address found it before (the rest of a room behind one
        venue NAT keeps joining and reloading) or when the caller proves it belongs (a
        participant token, the facilitator token, the projector key: `proven`). Any other
        code, valid or not, is refused alike, so a script cannot tell a hit from a miss.
        """
        key = address or "unknown"
        room = self.live.room(code)
        if room is None:
            if not self.lookup_limit.allow(key):
                raise Rejected("rate_limited", "Too many unknown codes from this address; wait a minute")
            return None
        if (self.lookup_limit.exceeded(key) and not self.found_codes.seen(key, room.code)
                and not (proven is not None and proven(room))):
            raise Rejected("rate_limited", "Too many unknown codes from this address; wait a minute")
        self.found_codes.add(key, room.code)
        return room

    def join_base(self) -> JoinBase:
        """Base URL phones use: the configured public URL, else the request's host."""
        if self.config.get("PUBLIC_URL"):
            return JoinBase(self.config["PUBLIC_URL"].rstrip("/"), self.config.get("PUBLIC_URL_REACHABLE", True))
        if has_request_context():
            host = request.host_url.rstrip("/")
            return JoinBase(host, not any(h in host for h in ("//127.", "//localhost", "//[::1]")))
        return JoinBase("http://localhost", False)

    def join_url(self, code: str) -> str:
        """The address a phone opens to join a session."""
        return f"{self.join_base().url}/j/{code}"

    def projector_key(self, code: str) -> str:
        """The read-only key in a session's projector link."""
        return security.derived_key(self.secret, "screen", code)

    def projector_key_ok(self, code: str, key: object) -> bool:
        """Check a projector key in constant time."""
        return security.key_matches(self.secret, "screen", code, key)

    def projector_url(self, code: str) -> str:
        """The projector link (absolute, for a second device)."""
        return f"{self.join_base().url}/s/{code}/screen?k={self.projector_key(code)}"

    def screen_state(self, room: Room) -> dict[str, Any]:
        """The state the projector and facilitator see, with the join URL (views.screen_state)."""
        return views.screen_state(room, self.join_url(room.code), not self.join_base().reachable)

    def aggregate(self, room: Room, audience: views.Audience) -> dict[str, Any]:
        """The live aggregate for "facilitator" or "projector" (views.aggregate), with the configured group size."""
        return views.aggregate(room, audience, min_group_size=self.config["MIN_GROUP_SIZE"])

    def report_key(self, room: Room) -> str | None:
        """The key of the current shared report link, None when there is none."""
        if room.report_generation <= 0:
            return None
        return security.derived_key(self.secret, "report", room.code, room.report_generation)

    def report_key_ok(self, room: Room, key: object) -> bool:
        """Check a shared report key: only the current, unrevoked link works."""
        return room.report_generation > 0 and security.key_matches(
            self.secret, "report", room.code, key, room.report_generation)

    def report_info(self, room: Room) -> dict[str, Any]:
        """Whether a shared report link exists, and its URL."""
        key = self.report_key(room)
        if key is None:
            return {"enabled": False, "url": None}
        return {"enabled": True, "url": f"{self.join_base().url}/r/{room.code}/{key}"}


def services() -> Services:
    """Return the current app's services."""
    return current_app.extensions["workshop"]
