"""What a tabular model's training rows looked like, and the checks of rows to predict against it.

The profile (per feature: type, whether values were ever missing or infinite, the range of numbers,
whether they were whole, the known categories) is saved with each model version. Rows to predict are
checked column by column against it, for JSON rows and batch frames alike:

- *errors* (the row cannot be predicted as sent): a missing column, a value of the wrong type, a
  missing value (null, NaN) where training had none, ±Infinity;
- *warnings* (it can, but the model never saw such a value): a number outside the training range, a
  fraction where training had whole numbers, a category never seen in training.

``on_invalid`` chooses what happens: ``auto`` (the default) refuses errors and flags warnings,
``reject`` refuses both, ``warn`` refuses nothing (values in error are predicted as missing, imputed
as in training) and flags every issue on its row. Models saved before profiles existed get the type
checks only (``InputProfile.from_schema``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tendero.catalogue.training import TRAINING as MESSAGES
from tendero.catalogue.training import TYPE_WORDS as _TYPE_WORDS
from tendero.data.numbers import to_numeric
from tendero.training.datasets import ColumnType, DatasetSchema

OnInvalid = Literal["auto", "reject", "warn"]
Language = Literal["es", "en"]
ON_INVALID: tuple[str, ...] = ("auto", "reject", "warn")
MAX_CATEGORIES = 1000  # above this many distinct values a column's categories are not kept
MAX_LISTED = 100  # issues named one by one in an error; the rest are counted

# The one catalogue of the checks' words, Spanish and English.
_ERRORS = frozenset({"no_rows", "rows_absent", "rows_not_a_list", "on_invalid", "not_an_object", "missing_column",
                     "wrong_type", "missing_value", "not_finite", "impossible"})  # fmt: skip
# Calendar parts by column name: a value outside these cannot happen (week 60), so it is an error, not a
# warning. Applied only where every training value fitted (a column "hour" of hours worked is left alone).
CALENDAR_PARTS: dict[str, tuple[str, float, float]] = {
    **dict.fromkeys(("week", "semana", "week_of_year", "weekofyear", "iso_week", "isoweek", "num_semana",
                     "semana_del_ano"), ("week", 1, 53)),
    **dict.fromkeys(("month", "mes", "month_of_year"), ("month", 1, 12)),
    **dict.fromkeys(("quarter", "trimestre"), ("quarter", 1, 4)),
    **dict.fromkeys(("day", "dia", "day_of_month", "dayofmonth", "dia_del_mes"), ("day", 1, 31)),
    **dict.fromkeys(("weekday", "dayofweek", "day_of_week", "dia_semana", "dia_de_la_semana"), ("weekday", 0, 7)),
    **dict.fromkeys(("hour", "hora", "hour_of_day"), ("hour", 0, 23)),
    **dict.fromkeys(("minute", "minuto"), ("minute", 0, 59)),
}  # fmt: skip
_TRUE = frozenset({"true", "yes", "si", "sí", "1"})
_FALSE = frozenset({"false", "no", "0"})


def message(code: str, language: str = "en", **values: Any) -> str:
    """A check's words in ``language`` (Spanish unless English is asked for)."""
    return MESSAGES[code]["en" if language == "en" else "es"].format(**values)


class ColumnProfile(BaseModel):
    """One feature as training saw it."""

    name: str
    type: ColumnType
    missing: bool = Field(default=True, description="training had missing values here (so null is fine)")
    infinite: bool = Field(default=False, description="training had ±Infinity here")
    low: float | None = None
    high: float | None = None
    whole: bool = False
    categories: list[str] | None = Field(default=None, description="every category seen; None when too many to keep")


class InputProfile(BaseModel):
    """Every feature's profile, in the model's column order; ``complete`` is False for models saved
    before profiles existed (types only, and missing values allowed everywhere, as they were)."""

    columns: list[ColumnProfile]
    complete: bool = True

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @classmethod
    def from_schema(cls, schema: DatasetSchema) -> InputProfile:
        return cls(columns=[ColumnProfile(name=c.name, type=c.type) for c in schema.columns], complete=False)


def profile_inputs(frame: pd.DataFrame, schema: DatasetSchema) -> InputProfile:
    """The profile of the training rows ``frame`` whose types ``schema`` gives."""
    columns = []
    for column in schema.columns:
        series = frame[column.name]
        profile = ColumnProfile(name=column.name, type=column.type, missing=bool(series.isna().any()))
        if column.type == "numeric":
            values = to_numeric(series).to_numpy(dtype=float, na_value=np.nan)
            finite = values[np.isfinite(values)]
            profile.infinite = bool(np.isinf(values).any())
            if len(finite):
                profile.low, profile.high = float(finite.min()), float(finite.max())
                profile.whole = bool(np.all(finite == np.round(finite)))
        elif column.type == "categorical":
            known = series.dropna().map(_category_text).unique()
            if len(known) <= MAX_CATEGORIES:
                profile.categories = sorted(str(value) for value in known)
        columns.append(profile)
    return InputProfile(columns=columns)


class RowIssue(BaseModel):
    """One problem of one value; ``row`` is the row's position (JSON: 0-based; files: 1-based data row).
    A problem of the request rather than of a row names its ``field`` (``rows``, ``on_invalid``) instead."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: str | None = None
    severity: Literal["error", "warning"] = "error"


class RowsError(ValueError):
    """Rows refused: ``issues`` name row and column of each problem (the first ``MAX_LISTED``)."""

    def __init__(self, issues: Sequence[RowIssue], language: str = "en", total: int | None = None) -> None:
        self.issues = list(issues)[:MAX_LISTED]
        self.total = total if total is not None else len(issues)
        first = self.issues[0]
        where = [first.field] if first.field is not None else []
        if first.row is not None:
            where.append(f"{'row' if language == 'en' else 'fila'} {first.row}")
        if first.column is not None:
            where.append(f"{'column' if language == 'en' else 'columna'} {first.column!r}")
        text = f"{', '.join(where)}: {first.message}" if where else first.message
        if self.total > 1:
            text += f" ({message('more', language, count=self.total - 1)})"
        super().__init__(text)


@dataclass
class Checked:
    """Rows that passed: the frame to predict (model columns, values converted) and per-row warnings."""

    frame: pd.DataFrame
    warnings: list[RowIssue]


def check_rows(
    rows: Sequence[Any], profile: InputProfile, on_invalid: OnInvalid = "auto", language: str = "en"
) -> Checked:
    """JSON rows (objects) checked against ``profile``; ``RowsError`` when ``on_invalid`` refuses them.

    Extra keys are ignored. ``row`` in each issue is the 0-based position in ``rows``."""
    if not rows:
        raise RowsError([RowIssue(code="no_rows", message=message("no_rows", language), field="rows")], language)
    issues: list[RowIssue] = []
    records: list[dict[str, Any]] = []
    absent: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            issues.append(RowIssue(code="not_an_object", message=message("not_an_object", language), row=index))
            records.append({})
            continue
        for name in profile.names:
            if name not in row:
                absent.setdefault(name, []).append(index)
        records.append({name: row.get(name) for name in profile.names})
    for name, positions in absent.items():
        issues += [_issue("missing_column", language, row, name) for row in positions]
    # object columns: values stay as sent (no cast of a 400-digit integer to float on the way in)
    raw = pd.DataFrame(
        {name: pd.Series([record.get(name) for record in records], dtype=object) for name in profile.names},
        index=range(len(records)),
    )
    skip = {name: set(positions) for name, positions in absent.items()}
    if any(issue.code == "not_an_object" for issue in issues):
        bad_rows = {issue.row for issue in issues if issue.code == "not_an_object" and issue.row is not None}
        skip = {name: skip.get(name, set()) | bad_rows for name in profile.names}
    return _check(raw, profile, on_invalid, language, issues, skip, row_of=lambda position: position)


def check_frame(
    frame: pd.DataFrame, profile: InputProfile, on_invalid: OnInvalid = "auto", language: str = "en", first_row: int = 1
) -> Checked:
    """A batch frame checked like JSON rows; ``row`` in issues is ``first_row`` + the row's position."""
    issues: list[RowIssue] = []
    missing = [name for name in profile.names if name not in frame.columns]
    if missing:  # a whole column absent: nothing in the file can be predicted as the model was trained
        issues = [_issue("missing_column", language, None, name) for name in missing]
        if on_invalid != "warn":
            raise RowsError(issues, language)
    raw = frame.reindex(columns=profile.names).reset_index(drop=True)
    skip = {name: set(range(len(raw))) for name in missing}
    checked = _check(raw, profile, on_invalid, language, [], skip, row_of=lambda position: position + first_row)
    if missing:  # said once, not on every row
        checked.warnings = [issue.model_copy(update={"severity": "warning"}) for issue in issues] + checked.warnings
    return checked


def _check(
    raw: pd.DataFrame,
    profile: InputProfile,
    on_invalid: OnInvalid,
    language: str,
    issues: list[RowIssue],
    skip: Mapping[str, set[int]],
    row_of: Any,
) -> Checked:
    out = pd.DataFrame(index=raw.index)
    for column in profile.columns:
        values, found = _check_column(raw[column.name], column, profile.complete, skip.get(column.name, set()))
        out[column.name] = values
        for position, code, value, extra in found:
            issues.append(_issue(code, language, position, column.name, value, **extra))
    issues = [issue.model_copy(update={"row": row_of(issue.row)}) if issue.row is not None else issue
              for issue in issues]  # fmt: skip
    issues.sort(key=lambda issue: (issue.row if issue.row is not None else -1, profile.names.index(issue.column)
                                   if issue.column in profile.names else -1))  # fmt: skip
    errors = [issue for issue in issues if issue.severity == "error"]
    if on_invalid == "reject" and issues:
        raise RowsError(issues, language)
    if on_invalid == "auto" and errors:
        raise RowsError(errors, language)
    warnings = []
    for issue in issues:
        if issue.severity == "error":  # on_invalid == "warn": predicted as missing, and flagged
            issue = issue.model_copy(
                update={"severity": "warning", "message": f"{issue.message}; {message('as_missing', language)}"}
            )
        warnings.append(issue)
    return Checked(frame=out, warnings=warnings)


Found = list[tuple[int, str, Any, dict[str, Any]]]


def _check_column(series: pd.Series, column: ColumnProfile, complete: bool, skip: set[int]) -> tuple[Any, Found]:
    """One column: its values converted for the model (problems as missing) and what was wrong where."""
    found: Found = []
    values: Any
    if column.type == "numeric":
        values, wrong = _numbers(series)
    elif column.type == "boolean":
        values, wrong = _booleans(series)
    elif column.type == "datetime":
        values, wrong = _dates(series)
    else:
        values, wrong = _texts(series, categorical=column.type == "categorical")
    missing = (
        np.isnan(np.asarray(values, dtype=float)) & ~wrong if column.type == "numeric" else series.isna().to_numpy()
    )
    for position in np.flatnonzero(wrong):
        if position not in skip:
            found.append((int(position), "wrong_type", series.iloc[position],
                          {"expected": column.type, "got": _json_type(series.iloc[position])}))  # fmt: skip
    if complete and not column.missing:
        for position in np.flatnonzero(missing):
            if position not in skip:
                found.append((int(position), "missing_value", None, {}))
    if column.type == "numeric":
        numbers = np.asarray(values, dtype=float)
        infinite = np.isinf(numbers)
        if not column.infinite:
            for position in np.flatnonzero(infinite):
                found.append((int(position), "not_finite", numbers[position], {}))
            numbers = np.where(infinite, np.nan, numbers)
        calendar = calendar_part(column)
        if calendar is not None:
            part, low, high = calendar
            with np.errstate(invalid="ignore"):
                impossible = np.isfinite(numbers) & ((numbers < low) | (numbers > high))
            for position in np.flatnonzero(impossible):
                found.append((int(position), "impossible", numbers[position],
                              {"part": f"part.{part}", "low": _number(low), "high": _number(high)}))  # fmt: skip
            numbers = np.where(impossible, np.nan, numbers)
        if complete and column.low is not None and column.high is not None:
            with np.errstate(invalid="ignore"):
                outside = np.isfinite(numbers) & ((numbers < column.low) | (numbers > column.high))
            for position in np.flatnonzero(outside):
                found.append((int(position), "out_of_range", numbers[position],
                              {"low": _number(column.low), "high": _number(column.high)}))  # fmt: skip
            if column.whole:
                with np.errstate(invalid="ignore"):
                    fraction = np.isfinite(numbers) & ~outside & (numbers != np.round(numbers))
                for position in np.flatnonzero(fraction):
                    found.append((int(position), "not_whole", numbers[position], {}))
        values = numbers
    elif column.type == "categorical" and complete and column.categories is not None:
        known = set(column.categories)
        for index, value in enumerate(values):
            if value is not None and value not in known:
                found.append((index, "unseen_category", value, {}))
    return values, found


def calendar_part(column: ColumnProfile) -> tuple[str, float, float] | None:
    """The calendar part a numeric column holds (by its name, when every training value fits), and its bounds."""
    key = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", column.name).encode("ascii", "ignore")
                 .decode().lower()).strip("_")  # fmt: skip
    part = CALENDAR_PARTS.get(key)
    if part is None or column.low is None or column.high is None:
        return None
    _, low, high = part
    return part if low <= column.low and column.high <= high else None


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(series), dtype=bool)
    values = np.full(len(series), np.nan)
    wrong = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series):
        if _is_missing(value):
            continue
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number | str):
            wrong[position] = True
            continue
        try:
            values[position] = float(value.strip() if isinstance(value, str) else value)  # correctly rounded
        except ValueError:
            wrong[position] = True
        except OverflowError:  # an integer beyond any float: as infinite as it gets
            values[position] = math.inf if isinstance(value, str) or value > 0 else -math.inf
    return values, wrong


def _booleans(series: pd.Series) -> tuple[list[Any], np.ndarray]:
    values: list[Any] = []
    wrong = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series):
        if _is_missing(value):
            values.append(None)
        elif isinstance(value, bool | np.bool_) or (isinstance(value, int | float | np.number) and value in (0, 1)):
            values.append(bool(value))
        elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            values.append(value.strip().lower() in _TRUE)
        else:
            values.append(None)
            wrong[position] = True
    return values, wrong


def _dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series, np.zeros(len(series), dtype=bool)
    wrong = np.zeros(len(series), dtype=bool)
    texts: list[Any] = []
    for position, value in enumerate(series):
        if _is_missing(value):
            texts.append(None)
            continue
        try:
            if not isinstance(value, str | pd.Timestamp):
                raise ValueError(value)
            pd.Timestamp(value)
            texts.append(value)
        except (ValueError, OverflowError):
            texts.append(None)
            wrong[position] = True
    return pd.to_datetime(pd.Series(texts, dtype=object), errors="coerce", format="mixed"), wrong


def _texts(series: pd.Series, categorical: bool) -> tuple[list[Any], np.ndarray]:
    values: list[Any] = []
    wrong = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series):
        if _is_missing(value):
            values.append(None)
        elif isinstance(value, str):
            values.append(value)
        elif categorical and isinstance(value, int | float | bool | np.number | np.bool_):
            values.append(_category_text(value))
        else:
            values.append(None)
            wrong[position] = True
    return values, wrong


def _category_text(value: Any) -> str:
    """A category as training stored it: whole floats as integers (3.0 and 3 are the same shop)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return value is pd.NaT


def _json_type(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "float"
    return type(value).__name__ if isinstance(value, str | list | dict) else "str"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def _show(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return _number(float(value))
    return repr(value)[:80]


def _issue(code: str, language: str, row: int | None, column: str | None, value: Any = None, **extra: Any) -> RowIssue:
    lang = "en" if language == "en" else "es"
    words = {key: (MESSAGES[v][lang] if isinstance(v, str) and v.startswith("part.") else
                   _TYPE_WORDS.get(str(v), {}).get(lang, v)) for key, v in extra.items()}  # fmt: skip
    shown = _show(value) if value is not None or code not in ("missing_column", "missing_value") else None
    return RowIssue(
        code=code,
        message=message(code, language, value=shown, **words),
        row=row,
        column=column,
        value=shown,
        severity="error" if code in _ERRORS else "warning",
    )
