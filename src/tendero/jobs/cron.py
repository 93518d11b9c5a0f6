"""Cron expressions in a time zone, turned into UTC due times.

``cronsim`` evaluates them with Debian cron's rules, daylight saving included: a daily 02:30 in a zone
that skips 02:00-03:00 runs at 03:00 that day, and in the repeated hour it runs once, not twice.
Five fields (minute hour day-of-month month day-of-week) and the usual ``@daily``-style names.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
FIELDS = ("minute", "hour", "day of month", "month", "day of week")


class CronError(ValueError):
    """A cron expression or time zone that cannot be used; the message says which part and why."""


def expand(cron: str) -> str:
    """The expression with an alias replaced and spaces normalised."""
    text = " ".join(cron.split())
    return ALIASES.get(text.lower(), text)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CronError(f"unknown time zone {name!r}: use an IANA name such as Europe/Madrid or UTC") from error


def validate(cron: str, timezone: str) -> str:
    """The normalised expression, or ``CronError`` naming what is wrong."""
    text = expand(cron)
    fields = text.split(" ")
    if len(fields) != 5:
        raise CronError(f"cron {cron!r} has {len(fields)} field(s); it needs 5: {', '.join(FIELDS)} (e.g. '0 8 * * 1')")
    tz = zone(timezone)
    try:
        iterator = CronSim(text, datetime(2026, 1, 1, tzinfo=tz))
        next(iterator)
    except CronSimError as error:
        raise CronError(f"cron {cron!r}: {error}") from error
    except StopIteration as error:  # e.g. 30 February
        raise CronError(f"cron {cron!r} never matches a real date") from error
    return text


def due_times(cron: str, timezone: str, after: datetime) -> Iterator[datetime]:
    """Due times strictly after ``after``, in UTC, forever (the caller stops)."""
    tz = zone(timezone)
    start = after.astimezone(tz)
    for local in CronSim(expand(cron), start):
        yield local.astimezone(UTC)


def next_due(cron: str, timezone: str, after: datetime) -> datetime:
    """The first due time strictly after ``after`` (UTC)."""
    return next(due_times(cron, timezone, after))


def upcoming(cron: str, timezone: str, after: datetime, count: int = 5) -> list[datetime]:
    out = []
    for due in due_times(cron, timezone, after):
        out.append(due)
        if len(out) >= count:
            break
    return out


def describe(cron: str) -> str:
    """cronsim's English description (e.g. "At 08:00 on Monday"); the expression itself if it has none."""
    try:
        return CronSim(expand(cron), datetime(2026, 1, 1, tzinfo=UTC)).explain()
    except Exception:  # explain() is best effort; the expression was validated already
        return expand(cron)
