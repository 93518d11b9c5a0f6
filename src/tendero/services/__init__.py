"""What the faces call: one module per capability (the API routes, the dashboard, the CLI and schedules share it).

A service loads what it needs from the store and the registry, calls the domain package, and shapes the
answer; it knows nothing of HTTP, HTML or terminals.
"""

from __future__ import annotations

from typing import Any


class Invalid(ValueError):
    """A request whose parts do not fit together; ``errors`` name each field and why (faces show them)."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
