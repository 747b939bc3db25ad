"""Rate limits, the codes each client address found, and open connections per address: kept in memory, bounded;
the limits by address shared by every worker through Redis (below).
"""
from __future__ import annotations

import itertools
import logging
import math
import os
import secrets
import time
from collections import deque
from typing import Any, Callable

log = logging.getLogger(__name__)

WARN_INTERVAL = 60.0  # the same console warning at most once a minute


class RateLimiter:
    """Sliding-window limit of events per key (a connection or an address)."""

    def __init__(self, limit: int, window: float, clock=time.monotonic, max_keys: int = 50_000):
        """Allow `limit` events per `window` seconds for each key."""
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Record an event for key and tell whether it is within the limit."""
        now = self.clock()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._make_room(now)
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def exceeded(self, key: str) -> bool:
        """Tell whether key has used up its events in the current window (records nothing)."""
        events = self._events.get(key)
        if not events:
            return False
        cutoff = self.clock() - self.window
        return sum(1 for t in events if t > cutoff) >= self.limit

    def retry_after(self, key: str) -> float:
        """Seconds until key may have an event again (0 when it may now)."""
        events = self._events.get(key)
        if not events or len(events) < self.limit:
            return 0.0
        return max(0.0, events[len(events) - self.limit] + self.window - self.clock())

    def forget(self, key: str) -> None:
        """Drop a key whose events no longer matter (a closed connection)."""
        self._events.pop(key, None)

    def prune(self, now: float | None = None) -> int:
        """Forget keys with no event in the current window; return how many keys remain."""
        now = self.clock() if now is None else now
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
            del self._events[key]
        return len(self._events)

    def _make_room(self, now: float) -> None:
        """Get to at most nine tenths of max_keys: forget quiet keys, then the least recently used.

        Forgetting a busy key resets its count; only a flood from more than max_keys
        addresses or connections within one window gets there. Keeping a tenth free
        means one scan per max_keys/10 new keys, not one per key.
        """
        excess = self.prune(now) - self.max_keys * 9 // 10
        if excess > 0:
            for key in sorted(self._events, key=lambda k: self._events[k][-1])[:excess]:
                del self._events[key]


class RecentCodes:
    """Per client address, the session codes it found recently (bounded in addresses, codes and time)."""

    def __init__(self, ttl: float = 6 * 3600.0, per_key: int = 64, max_keys: int = 50_000, clock=time.monotonic):
        """Remember up to per_key codes per address for ttl seconds, for at most max_keys addresses."""
        self.ttl = ttl
        self.per_key = per_key
        self.max_keys = max_keys
        self.clock = clock
        self._seen: dict[str, dict[str, float]] = {}

    def add(self, key: str, code: str) -> None:
        """Note that an address found a code now."""
        codes = self._seen.pop(key, None)
        if codes is None:
            if len(self._seen) >= self.max_keys:
                del self._seen[next(iter(self._seen))]  # the address unheard of for longest
            codes = {}
        codes.pop(code, None)
        codes[code] = self.clock()
        while len(codes) > self.per_key:
            del codes[next(iter(codes))]
        self._seen[key] = codes  # most recently active address last

    def seen(self, key: str, code: str) -> bool:
        """Tell whether an address found a code within the last ttl seconds."""
        found = self._seen.get(key, {}).get(code)
        return found is not None and found > self.clock() - self.ttl


class ConnectionGate:
    """Counts open connections (or sessions) per client address and refuses those over the caps."""

    def __init__(self, total: int, per_address: int, clock=time.monotonic, what: str = "connections",
                 setting: str = "MAX_CONNECTIONS_PER_ADDRESS"):
        """Allow `total` `what` at once (0: any number), `per_address` (0: any number) from one address."""
        self.total = total
        self.per_address = per_address
        self.what = what
        self.setting = setting
        self.clock = clock
        self.open = 0
        self.refused = {"full": 0, "address": 0}  # refusals so far, by reason (/metrics)
        self._by_address: dict[str, int] = {}
        self._warned: dict[str, float] = {}

    def admit(self, address: str) -> bool:
        """Count a new connection from address, or tell that it must be closed."""
        if self.total and self.open >= self.total:
            self.refused["full"] += 1
            self.warn("full", f"{self.open} {self.what} open, room for {self.total}: refusing new ones.")
            return False
        count = self._by_address.get(address, 0)
        if self.per_address and count >= self.per_address:
            self.refused["address"] += 1
            self.warn("address", f"{address} has {count} {self.what} open ({self.setting}): refusing more from it.")
            return False
        self._by_address[address] = count + 1
        self.open += 1
        return True

    def release(self, address: str) -> None:
        """Forget one ended connection from address."""
        count = self._by_address.get(address, 0) - 1
        if count > 0:
            self._by_address[address] = count
        else:
            self._by_address.pop(address, None)
        self.open = max(0, self.open - 1)

    def out_of_descriptors(self, error: OSError) -> None:
        """Note that accept() found no descriptor for a new connection."""
        self.warn("descriptors", f"accept failed ({error.strerror}) with {self.open} connections open: "
                                 f"refusing new connections until some close.")

    def warn(self, kind: str, message: str) -> None:
        """Print a warning on the console, each kind at most once per WARN_INTERVAL."""
        now = self.clock()
        if now - self._warned.get(kind, -WARN_INTERVAL) >= WARN_INTERVAL:
            self._warned[kind] = now
            log.warning("%s", message)


# ---- Shared by every worker through Redis ----
# Rate limits shared by every worker through Redis (the MESSAGE_QUEUE), each worker's own while Redis is away.
#
# With several workers a client address reaches all of them (its sessions hash to different workers, and
# requests that name no session go round robin), so a limit per address kept by each worker would let it do N
# times as much. The limits by address are kept in Redis instead: a sliding window per key, one sorted set of
# event times, checked and counted in one Lua script (atomic; Redis's own clock, so every worker and machine
# counts alike). Limits by connection, participant or session stay in the worker, which holds the session.
# When Redis cannot be reached, a limiter counts in the worker (the same limit, RateLimiter), logs that once,
# and tries Redis again after RETRY_SECONDS. docs/decisions.md, "Limits shared across workers".

# The settings whose keys are client addresses: shared. RATE_JOIN_CONNECTION (per connection), RATE_ANSWER and
# RATE_ACTIVITY (per participant) and RATE_FACILITATOR (per session) count what one worker holds anyway.
SHARED = ("RATE_JOIN", "RATE_LOOKUP", "RATE_ANSWER_ADDRESS", "RATE_CREATE", "RATE_FACILITATOR_ADDRESS", "RATE_EXPORT")
PREFIX = "workshop:limit:"
RETRY_SECONDS = 5.0   # after a failure, the worker counts alone this long before it tries Redis again
TIMEOUT = 0.5         # seconds a Redis call may take before the worker counts alone

# KEYS[1]: the key's sorted set. ARGV: limit, window (microseconds), a unique member, 1 to count an event
# (0 only looks). Returns {allowed 1/0, microseconds until the next event is allowed}.
WINDOW_SCRIPT = """
local key, limit, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  local wait = 0
  if oldest[2] then wait = tonumber(oldest[2]) + window - now end
  return {0, wait}
end
if ARGV[4] == '1' then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
end
return {1, 0}
"""


class SharedRateLimiter(RateLimiter):
    """A sliding-window limit per key kept in Redis; the inherited, per-worker count while Redis is away."""

    def __init__(self, redis: "SharedLimits", name: str, limit: int, window: float, clock=time.monotonic):
        """Allow `limit` events per `window` seconds per key, across every worker using the same Redis."""
        super().__init__(limit, window, clock)
        self.redis, self.name = redis, name
        self._window_us = int(window * 1_000_000)

    def _shared(self, key: str, record: bool) -> tuple[int, int] | None:
        """Run the window script for key: (allowed, wait in µs), None when Redis cannot answer (count alone)."""
        return self.redis.run(f"{PREFIX}{self.name}:{key}", self.limit, self._window_us, record)

    def allow(self, key: str) -> bool:
        """Record an event for key and tell whether it is within the limit (all workers' events counted)."""
        answer = self._shared(key, True)
        return super().allow(key) if answer is None else bool(answer[0])

    def exceeded(self, key: str) -> bool:
        """Tell whether key has used up its events in the current window (records nothing)."""
        answer = self._shared(key, False)
        return super().exceeded(key) if answer is None else not answer[0]

    def retry_after(self, key: str) -> float:
        """Seconds until key may have an event again (0 when it may now)."""
        answer = self._shared(key, False)
        return super().retry_after(key) if answer is None else answer[1] / 1_000_000


class SharedLimits:
    """One Redis connection pool for the shared limiters, and whether Redis answers now."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic, client: Any = None):
        """Connect lazily to the Redis at url (the MESSAGE_QUEUE)."""
        import redis

        self.errors = redis.exceptions.RedisError
        self.client = client or redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.script = self.client.register_script(WINDOW_SCRIPT)
        self.clock = clock
        self.down_until = 0.0  # while clock() is below it, count in the worker
        self.warned = False
        self._ids = itertools.count()
        self._me = f"{os.getpid()}-{secrets.token_hex(3)}"

    def run(self, key: str, limit: int, window_us: int, record: bool) -> tuple[int, int] | None:
        """The window script's answer for key, or None while Redis is away (logged once per outage)."""
        if self.clock() < self.down_until:
            return None
        try:
            allowed, wait = self.script(keys=[key], args=[limit, window_us, f"{self._me}-{next(self._ids)}",
                                                          1 if record else 0])
        except self.errors as error:
            self.down_until = self.clock() + RETRY_SECONDS
            if not self.warned:
                self.warned = True
                log.warning("Redis cannot be reached (%s): rate limits count per worker until it is back.", error)
            return None
        if self.warned:
            self.warned = False
            log.warning("Redis answers again: rate limits are shared by the workers again.")
        return int(allowed), max(0, math.ceil(int(wait)))

    def limiter(self, name: str, limit: int, window: float) -> SharedRateLimiter:
        """A shared limiter for one setting (RATE_...)."""
        return SharedRateLimiter(self, name, limit, window)


def limiter_factory(cfg: Any) -> Callable[[str], RateLimiter]:
    """A function making the limiter of a RATE_ setting (`cfg`: the Settings): shared through Redis with a message queue."""
    shared = SharedLimits(cfg.message_queue) if cfg.message_queue else None

    def make(name: str) -> RateLimiter:
        """The limiter for setting `name`."""
        count, window = getattr(cfg, name.lower())
        if shared is not None and name in SHARED:
            return shared.limiter(name, count, window)
        return RateLimiter(count, window)
    return make
