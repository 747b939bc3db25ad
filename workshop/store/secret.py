"""The installation secret: generated once in the data directory, readable by its owner only."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def installation_secret(data_dir: str | Path) -> bytes:
    """Return the installation's secret key, generating it once in the data dir."""
    path = Path(data_dir) / "secret_key"
    if path.exists():
        value = path.read_bytes().strip()
        if len(value) >= 32:
            return value
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    tmp.replace(path)
    return value
