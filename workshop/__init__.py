"""workshop: a live facilitation tool for Digitaal DNA maturity workshops."""
from __future__ import annotations

from typing import Any


def create_app(config: dict[str, Any] | None = None):
    """Build the Flask app: defaults, then WORKSHOP_* environment variables, then `config`."""
    from workshop.app import build_app  # imported here so `workshop serve` can monkey-patch first

    return build_app(config)
