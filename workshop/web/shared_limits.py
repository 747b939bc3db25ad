"""Rate limits shared by every worker through Redis (the MESSAGE_QUEUE), each worker's own while Redis is away.

With several workers a client address reaches all of them (its sessions hash to different workers, and
requests that name no session go round robin), so a limit per address kept by each worker would let it do N
times as much. The limits by address are kept in Redis instead: a sliding window per key, one sorted set of
event times, checked and counted in one Lua script (atomic; Redis's own clock, so every worker and machine
counts alike). Limits by connection, participant or session stay in the worker, which holds the session.
When Redis cannot be reached, a limiter counts in the worker (the same limit, RateLimiter), logs that once,
and tries Redis again after RETRY_SECONDS. docs/decisions.md, "Limits shared across workers".
"""
from __future__ import annotations

import itertools
import logging
import math
import os
import secrets
import time
from typing import Any, Callable

from workshop.web.limits import RateLimiter

log = logging.getLogger(__name__)

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
