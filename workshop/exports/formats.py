"""Export formats declared once: each one's media type, file extension and renderer (reports and comparisons)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Format:
    """One format of a report: what it is served as, the download's extension, and what renders it."""

    media_type: str
    extension: str
    render: Callable[..., Any]
