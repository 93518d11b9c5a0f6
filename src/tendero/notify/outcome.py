"""What one attempt to deliver a message came to: the record a delivery keeps for each attempt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """``ok``: delivered. ``retryable``: a later attempt may succeed (timeouts, 5xx, a server that is down);
    otherwise the address or the message is wrong and retrying cannot help (a 404, a refused recipient)."""

    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float
    retryable: bool = True

    def record(self) -> dict[str, object]:
        return {
            "status_code": self.status_code,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 1),
            "ok": self.ok,
        }


def retry_delay(attempt: int, base_seconds: float, cap_seconds: float = 6 * 3600) -> float:
    """Exponential backoff after the ``attempt``-th failure: base, 2x base, 4x base, ... capped."""
    return float(min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1)))
