"""Text to dates, and why a date-looking text is not one.

Dates are held as pandas timestamps, which reach from 1677 to 2262-04-11. A text that is a real
calendar date outside that span (``2999-01-01``, ``0001-01-01``, ``9999-12-31``) is not "unparseable":
it is explained — in the future, before 1900, or a placeholder year — so the person can fix it.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from tendero.data.messages import Text, say

EARLIEST = pd.Timestamp("1900-01-01")
PLACEHOLDER_YEARS = (9999,)
_ISO = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[ T])")
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:$|[ T])")


def parse_datetimes(series: pd.Series) -> pd.Series:
    """ISO 8601 first (fast), then Unix seconds, then any other common layout (day first); naive UTC out."""
    present = series.notna()
    parsed = pd.to_datetime(series, errors="coerce", format="ISO8601", utc=True)
    missing = present & parsed.isna()
    if missing.any():
        candidates = series[missing]
        numeric = pd.to_numeric(candidates, errors="coerce")
        epoch = numeric.notna() & (numeric > 1e8) & (numeric < 1e10)
        if epoch.any():
            parsed.loc[epoch[epoch].index] = pd.to_datetime(numeric[epoch], unit="s", utc=True)
        rest = candidates[~epoch.to_numpy()]
        if len(rest):
            parsed.loc[rest.index] = pd.to_datetime(rest, errors="coerce", format="mixed", dayfirst=True, utc=True)
    return parsed.dt.tz_convert("UTC").dt.tz_localize(None)


def calendar_year(text: str) -> int | None:
    """The year of a text that is a real calendar date (ISO or day first), whatever its year; else None."""
    for pattern, order in ((_ISO, (0, 1, 2)), (_DAY_FIRST, (2, 1, 0))):
        found = pattern.match(text)
        if not found:
            continue
        parts = [int(found.group(i + 1)) for i in range(3)]
        year, month, day = (parts[i] for i in order)
        for m, d in ((month, day), (day, month)):
            try:
                date(year, m, d)
            except ValueError:
                continue
            return year
    return None


def unparsed_reasons(texts: pd.Series, *, not_future: bool, today: date) -> list[Text]:
    """For texts that did not parse as timestamps: why, one message per text."""
    reasons = []
    for text in texts.astype(str).to_numpy():
        year = calendar_year(text)
        if year is None:
            reasons.append(say("rule.date_unparseable"))
        elif year in PLACEHOLDER_YEARS:
            reasons.append(say("rule.date_placeholder", year=str(year)))
        elif year < EARLIEST.year:
            reasons.append(say("rule.date_before_1900", year=str(year)))
        elif not_future and year >= today.year:
            reasons.append(say("rule.date_future"))
        else:
            reasons.append(say("rule.date_after_2262", year=str(year)))
    return reasons


def out_of_range_years(texts: pd.Series) -> np.ndarray:
    """The calendar year of each text that is a date pandas cannot hold (0 where it is no date at all)."""
    return np.array([calendar_year(str(text)) or 0 for text in texts.to_numpy()], dtype=np.int64)
