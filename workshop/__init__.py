"""workshop: a live facilitation tool for Digitaal DNA maturity workshops."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from workshop.settings import Settings


def create_app(config: Mapping[str, Any] | Settings | None = None):
    """Build the Flask app: defaults, then WORKSHOP_* environment variables, then `config` (a Settings or NAME: value)."""
    from workshop.app import build_app  # imported here so `workshop serve` can monkey-patch first

    return build_app(config)
