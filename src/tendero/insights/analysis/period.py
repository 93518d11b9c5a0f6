"""Periods of days (inclusive, as people say them) and the periods they are compared with.

``2011-11`` is November, ``2011-Q4`` a quarter, ``2011-W45`` an ISO week, ``2011`` a year, and
``2011-11-01..2011-11-15`` any run of days. The previous period of a whole calendar month is the
previous calendar month (not "the 30 days before"), and so for weeks, quarters and years; any other
run of days is compared with the same number of days just before it. Last year is the same dates a
year earlier (29 February falls back to the 28th).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from tendero.catalogue.refusals import refusal_text

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|:| to )\s*(\d{4}-\d{2}-\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodError(ValueError):
    """A period that cannot be read or makes no sense; ``field`` says which part (start, end, period)."""

    def __init__(self, message: str, field: str = "period") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(refusal_text("period.ends_before_start", end=self.end, start=self.start), "end")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def shape(self) -> str:
        """month, quarter, year, week or days: what calendar unit the period is, if any."""
        start, end = self.start, self.end
        if start.day == 1 and end == _month_end(start):
            return "month"
        if start.day == 1 and start.month in (1, 4, 7, 10) and end == _month_end(_add_months(start, 2)):
            return "quarter"
        if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
            return "year"
        if start.weekday() == 0 and self.days == 7:
            return "week"
        return "days"

    def previous(self) -> Period:
        """The period just before, of the same calendar shape."""
        shape = self.shape
        if shape == "month":
            first = _add_months(self.start, -1)
            return Period(first, _month_end(first))
        if shape == "quarter":
            first = _add_months(self.start, -3)
            return Period(first, _month_end(_add_months(first, 2)))
        if shape == "year":
            return Period(date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> Period:
        """The same dates one year earlier."""
        if self.shape == "month":
            first = _add_months(self.start, -12)
            return Period(first, _month_end(first))
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    def next(self) -> Period:
        """The period just after, of the same calendar shape (what an outlook forecasts)."""
        shape = self.shape
        if shape in ("month", "quarter"):
            months = 1 if shape == "month" else 3
            first = _add_months(self.start, months)
            return Period(first, _month_end(_add_months(first, months - 1)))
        if shape == "year":
            return Period(date(self.start.year + 1, 1, 1), date(self.start.year + 1, 12, 31))
        return Period(self.end + timedelta(days=1), self.end + timedelta(days=self.days))

    def clip(self, first: date, last: date) -> Period | None:
        """The days of this period between ``first`` and ``last``; None when they do not overlap."""
        start, end = max(self.start, first), min(self.end, last)
        return Period(start, end) if start <= end else None

    def mask(self, timestamps: pd.Series) -> pd.Series:
        """Which timestamps fall on the period's days."""
        return (timestamps >= pd.Timestamp(self.start)) & (timestamps < pd.Timestamp(self.end + timedelta(days=1)))

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days, "shape": self.shape}

    def label(self, language: str) -> str:
        """How a person names it: "noviembre de 2011", "November 2011", "1–15 Nov 2011"."""
        if self.shape == "month":
            name = MONTHS[language][self.start.month - 1]
            return f"{name} de {self.start.year}" if language == "es" else f"{name} {self.start.year}"
        if self.shape == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return f"T{quarter} de {self.start.year}" if language == "es" else f"Q{quarter} {self.start.year}"
        if self.shape == "year":
            return str(self.start.year)
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


MONTHS = {
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def parse_period(value: str | dict[str, object] | Period, field: str = "period") -> Period:
    """A period from its written forms (see the module docstring) or ``{"start", "end"}``."""
    if isinstance(value, Period):
        return value
    if isinstance(value, dict):
        try:
            start, end = value["start"], value["end"]
        except KeyError as error:
            raise PeriodError(refusal_text("period.needs_start_end", field=field), field) from error
        return Period(_date(start, f"{field}.start"), _date(end, f"{field}.end"))
    text = str(value).strip()
    if match := _RANGE.match(text):
        return Period(_date(match.group(1), f"{field}.start"), _date(match.group(2), f"{field}.end"))
    if _DAY.match(text):
        day = _date(text, field)
        return Period(day, day)
    if match := _MONTH.match(text):
        year, month = _year(match.group(1), field), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(refusal_text("period.no_month", field=field, month=month), field)
        first = date(year, month, 1)
        return Period(first, _month_end(first))
    if match := _QUARTER.match(text):
        first = date(_year(match.group(1), field), 3 * int(match.group(2)) - 2, 1)
        return Period(first, _month_end(_add_months(first, 2)))
    if match := _WEEK.match(text):
        year, week = int(match.group(1)), int(match.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError as error:
            raise PeriodError(refusal_text("period.no_week", field=field, year=year, week=week), field) from error
        return Period(monday, monday + timedelta(days=6))
    if match := _YEAR.match(text):
        year = _year(match.group(1), field)
        return Period(date(year, 1, 1), date(year, 12, 31))
    raise PeriodError(refusal_text("period.unreadable", field=field, text=repr(text[:40])), field)


def _year(text: str, field: str) -> int:
    """A calendar year Python's dates can hold: 0000 is refused in words, not a 500."""
    year = int(text)
    if not 1 <= year <= 9999:
        raise PeriodError(refusal_text("period.no_year", field=field, year=text), field)
    return year


def _date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as error:
        raise PeriodError(
            refusal_text("period.not_iso_date", field=field, value=repr(str(value)[:40])), field
        ) from error


def _month_end(day: date) -> date:
    following = _add_months(date(day.year, day.month, 1), 1)
    return following - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
