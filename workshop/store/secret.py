"""The installation secret: generated once in the data directory, readable by its owner only."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def installation_secret(data_dir: str | Path) -> bytes:
    """Return the installation's secret key, generating it once in the data dir.

    Workers started together on a fresh directory race to make it: each writes its candidate to a file of
    its own, and only one can link it in place (link fails when the name exists), so every process then
    reads the same, complete secret. A damaged file (too short) is replaced.
    """
    path = Path(data_dir) / "secret_key"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for _ in range(3):
        value = _read(path)
        if value:
            return value
        if value is not None:  # damaged (too short): take it away, then make a new one as on a fresh directory
            path.unlink(missing_ok=True)
        candidate = secrets.token_hex(32).encode()
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others, not even briefly
        with os.fdopen(fd, "wb") as f:
            f.write(candidate)
        try:
            os.link(tmp, path)  # atomic and exclusive: the first process's secret wins, whole
            return candidate
        except FileExistsError:
            continue  # another process linked its secret first: read that one
        except OSError:  # a file system without hard links: move it in place (racy only at a first start)
            tmp.replace(path)
            return candidate
        finally:
            tmp.unlink(missing_ok=True)
    raise RuntimeError(f"could not read or create {path}")


def _read(path: Path) -> bytes | None:
    """The stored secret; b"" when the file is damaged (too short), None when there is none."""
    try:
        value = path.read_bytes().strip()
    except FileNotFoundError:
        return None
    return value if len(value) >= 32 else b""
