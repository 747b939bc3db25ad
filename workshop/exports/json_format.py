"""The summary as JSON: the full document (schema workshop.summary/2, docs/summary.md)."""
from __future__ import annotations

import json
from typing import Any, Mapping


def to_json(summary: Mapping[str, Any]) -> str:
    """The summary as JSON text: keys in schema order, UTF-8 characters as they are, indented."""
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
