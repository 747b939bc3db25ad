"""Secrets, codes, token hashing and rate limits."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import deque
from pathlib import Path

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 6
TOKEN_BYTES = 24  # 192 bits


def new_code() -> str:
    """Return a random join code of unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: object) -> str | None:
    """Return a typed code in canonical form, or None when it cannot be a code."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    code = "".join(ch for ch in raw.upper() if ch not in " -_.")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    """Return the code split in two groups for reading aloud."""
    return f"{code[:3]} {code[3:]}"


def new_token() -> str:
    """Return a new random secret token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()  # any str, even a lone surrogate


def token_matches(token: object, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


def derived_key(secret: bytes, purpose: str, code: str, generation: int = 0) -> str:
    """Return an unguessable key for a read-only link, derived from the installation secret."""
    message = f"{purpose}:{code}:{generation}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def key_matches(secret: bytes, purpose: str, code: str, presented: object, generation: int = 0) -> bool:
    """Check a read-only link key in constant time."""
    if not isinstance(presented, str) or len(presented) > 100 or not presented.isascii():
        return False  # compare_digest refuses non-ASCII str: such a key is wrong anyway
    return hmac.compare_digest(derived_key(secret, purpose, code, generation), presented)


def installation_secret(data_dir: str | Path) -> bytes:
    """Return the installation's secret key, generating it once in the data dir."""
    path = Path(data_dir) / "secret_key"
    if path.exists():
        value = path.read_bytes().strip()
        if len(value) >= 32:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    tmp.replace(path)
    return value


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
