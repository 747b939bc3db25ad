"""`workshop deploy-files DIR`: the files of docs/deployment.md (systemd units, env file, nginx site, logrotate,
backup script), shipped inside the package, written to a folder to copy from (issue 24, point 6).

A checkout has them in deploy/; a wheel carries the same folder as workshop/deploy (pyproject.toml).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workshop import settings

SOURCE = settings.ROOT / "deploy"


@dataclass(frozen=True)
class Written:
    """What happened to one file: 'wrote', 'unchanged' or 'differs' (left as it was)."""

    path: Path
    outcome: str


def files() -> list[tuple[str, bytes]]:
    """Every deploy file as (path relative to deploy/, content), in a stable order."""
    found = [p for p in SOURCE.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"]
    return [(p.relative_to(SOURCE).as_posix(), p.read_bytes()) for p in sorted(found)]


def write(folder: Path, force: bool = False) -> list[Written]:
    """Write every deploy file under folder; a file there that differs is kept unless force. Scripts get 0755."""
    done = []
    for name, content in files():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.read_bytes() == content:
            done.append(Written(target, "unchanged"))
            continue
        if target.exists() and not force:
            done.append(Written(target, "differs"))
            continue
        target.write_bytes(content)
        target.chmod(0o755 if content.startswith(b"#!") else 0o644)
        done.append(Written(target, "wrote"))
    return done
