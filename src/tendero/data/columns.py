"""Typing a user's table column by column: numbers, booleans, dates or text, where nearly all cells agree.

Used for dataset uploads, whose columns are not known in advance. A cell that does not fit the type its
column took is reported (row, column, value, why) and set missing, so one typo does not turn a numeric
column into text; a text cell that a spreadsheet would run as a formula is set missing too.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd

from tendero.data.budget import Budget
from tendero.data.dates import calendar_year
from tendero.data.formulas import formula_mask
from tendero.data.issues import Issue
from tendero.data.messages import Text, say
from tendero.data.numbers import parse_numbers
from tendero.data.table import ROW

# Only the words a program writes for a boolean make a boolean column: a column of sí/no, yes/no or y/n is
# the shop's own words, kept as categories, so a class label comes back exactly as the data wrote it.
TRUE_WORDS = {"true"}
FALSE_WORDS = {"false"}
MISSING_WORDS = {"", "na", "n/a", "nan", "null", "none", "-", "?"}
PARSE_SHARE = 0.9  # a column takes a type when at least this share of its non-empty cells parse as it
SLICE_ROWS = 20_000  # slow parses (dates in free layouts) work in slices, checking the budget between them


class Report(Protocol):
    """Where issues go: kept up to ``room`` of them, the rest only counted (reports stay bounded)."""

    @property
    def room(self) -> int: ...

    def add(self, issue: Issue) -> None: ...

    def count(self, more: int) -> None: ...


def type_columns(frame: pd.DataFrame, report: Report, budget: Budget | None = None) -> pd.DataFrame:
    """Type every text column of ``frame`` (which may carry ``__row__``, the row numbers for issues)."""
    budget = budget or Budget()
    rows = frame[ROW].to_numpy() if ROW in frame else np.arange(1, len(frame) + 1)
    out = {}
    for name in frame.columns:
        if name == ROW:
            continue
        budget.tick()
        series = frame[name]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[name] = _type_text_column(series, str(name), rows, report, budget)
        else:
            out[name] = series
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _type_text_column(series: pd.Series, name: str, rows: np.ndarray, report: Report, budget: Budget) -> pd.Series:
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "boolean":
        return series.astype("boolean")
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return pd.to_numeric(series, errors="coerce")
    if inferred == "string":
        text = series.str.strip()
    else:
        text = series.map(lambda value: None if value is None or value is np.nan else str(value).strip())
    missing = (text.isna() | text.str.lower().isin(MISSING_WORDS)).to_numpy()
    present = text[~missing]
    if present.empty:
        return pd.Series(np.nan, index=series.index, dtype=float)
    present_rows = rows[~missing]
    lowered = present.str.lower()
    if lowered.isin(TRUE_WORDS | FALSE_WORDS).all() and lowered.nunique() <= 2:
        values = pd.Series(pd.NA, index=series.index, dtype="boolean")
        values[~missing] = lowered.isin(TRUE_WORDS).to_numpy()
        return values
    numbers = parse_numbers(present)
    if numbers.notna().mean() >= PARSE_SHARE:
        _report_unparsed(present, present_rows, numbers.isna().to_numpy(), name, report,
                         lambda _: say("cell.not_number_set_missing"))  # fmt: skip
        result = pd.Series(np.nan, index=series.index, dtype=float)
        result[~missing] = numbers.to_numpy(dtype=float)
        if result.notna().all() and result.eq(result.round()).all():
            return result.astype("int64")
        return result
    if present.str.contains(r"\d", regex=True).mean() >= PARSE_SHARE:
        dates = _parse_dates(present, budget)
        if dates.notna().mean() >= PARSE_SHARE:
            _report_unparsed(present, present_rows, dates.isna().to_numpy(), name, report, _why_not_a_date)
            result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
            result[~missing] = dates.to_numpy()
            return result
    formulas = formula_mask(present)
    if formulas.any():
        _report_unparsed(present, present_rows, formulas, name, report, lambda _: say("cell.formula_set_missing"))
        present = present.where(~formulas, None)
    result = pd.Series(None, index=series.index, dtype=object)
    result[~missing] = present.to_numpy()
    return result


def _why_not_a_date(text: str) -> Text:
    year = calendar_year(text)
    if year is None:
        return say("cell.not_date_set_missing")
    return say("cell.date_out_of_range_set_missing", year=str(year))


def _parse_dates(values: pd.Series, budget: Budget) -> pd.Series:
    """ISO 8601 (vectorised), else the layout pandas infers from the first cell, else each cell its own."""
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
    if parsed.notna().mean() >= PARSE_SHARE:
        return parsed.dt.tz_convert(None)
    parsed = _dates_in_slices(values, budget)
    if parsed.notna().mean() >= PARSE_SHARE:
        return parsed
    for dayfirst in (False, True):
        parsed = _dates_in_slices(values, budget, format="mixed", dayfirst=dayfirst)
        if parsed.notna().mean() >= PARSE_SHARE:
            return parsed
    return _dates_in_slices(values, budget, format="mixed")


def _dates_in_slices(values: pd.Series, budget: Budget, **how: object) -> pd.Series:
    """Dates a slice at a time: a layout pandas cannot vectorise costs Python per cell (about 0.1 ms), and
    the budget (time, server stopping) is checked between slices."""
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": the slow path is known
        for start in range(0, len(values), SLICE_ROWS):
            budget.tick()
            parts.append(pd.to_datetime(values.iloc[start : start + SLICE_ROWS], errors="coerce", utc=True, **how))
    return pd.concat(parts).dt.tz_convert(None) if parts else pd.Series(pd.NaT, index=values.index)


def _report_unparsed(present: pd.Series, rows: np.ndarray, bad: np.ndarray, name: str, report: Report,
                     why: Callable[[str], Text]) -> None:  # fmt: skip
    where = np.flatnonzero(bad)
    values = present.to_numpy()
    kept = where[: max(report.room, 0)]
    for position in kept:
        value = str(values[position])
        report.add(Issue.of(why(value), row=int(rows[position]), column=name, value=value[:80], severity="warning"))
    report.count(len(where) - len(kept))
