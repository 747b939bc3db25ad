"""Join codes, secret tokens and derived keys: generation, normal forms and constant-time checks."""
from __future__ import annotations

import hashlib
import hmac
import secrets

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


def link_id(stored_hash: str) -> str:
    """Name one facilitator link by its stored hash (a prefix: enough to tell a session's links apart, no secret)."""
    return stored_hash[:16]


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
