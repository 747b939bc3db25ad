"""Reading a content file (the questionnaire, the activities): UTF-8 TOML, every fault in one line."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable


def read(path: Path, error: Callable[[str], Exception]) -> dict[str, Any]:
    """The file's tables; a file that cannot be read, is not UTF-8 or not TOML raises error(what is wrong)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not valid UTF-8 (byte {exc.start})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"TOML syntax error: {exc}") from exc
