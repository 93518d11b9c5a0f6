"""Automatic preprocessing, fitted on the training rows and saved as plain JSON with the model.

Numbers and booleans: median imputation (and standard scaling for linear models, MLPs and k-means).
Categories: the most frequent values, one-hot for linear models and MLPs, integer codes for trees
(unknown or missing = -1, which LightGBM reads as missing). Dates: year, month, day, weekday,
day of year and days since 1970. Text columns are left to the text classifier.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tendero.data.numbers import to_numeric
from tendero.training.datasets import ColumnType, column_type

Encoding = Literal["onehot", "ordinal"]
_DATE_PARTS = ("year", "month", "day", "dayofweek", "dayofyear", "days")


class ColumnStep(BaseModel):
    name: str
    type: ColumnType
    outputs: list[str]
    fills: list[float] = Field(default_factory=list)
    means: list[float] = Field(default_factory=list)
    scales: list[float] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)


class Preprocessor(BaseModel):
    """Fitted column steps; ``transform`` turns raw rows into the model's float matrix."""

    encoding: Encoding
    scale: bool
    steps: list[ColumnStep]
    dropped: list[str] = Field(default_factory=list)

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        *,
        encoding: Encoding,
        scale: bool,
        max_categories: int = 100,
    ) -> Preprocessor:
        steps: list[ColumnStep] = []
        dropped: list[str] = []
        kinds = {name: column_type(frame[name]) for name in frame.columns}
        numbers = _number_statistics(frame, [name for name, kind in kinds.items() if kind in ("numeric", "boolean")])
        for name, kind in kinds.items():
            series = frame[name]
            if kind == "text":
                dropped.append(str(name))
                continue
            if kind in ("numeric", "boolean"):
                median, mean, std = numbers[name]
                step = ColumnStep(name=str(name), type=kind, outputs=[str(name)], fills=[median])
                if scale:
                    step.means = [mean]
                    step.scales = [_safe_scale(std)]
            elif kind == "datetime":
                parts = _date_parts(series)
                step = ColumnStep(name=str(name), type=kind, outputs=[f"{name}_{part}" for part in _DATE_PARTS])
                medians = np.nanmedian(parts, axis=0) if np.isfinite(parts).any() else np.zeros(len(_DATE_PARTS))
                medians = np.where(np.isfinite(medians), medians, 0.0)
                step.fills = [float(m) for m in medians]
                if scale:
                    filled = np.where(np.isnan(parts), medians, parts)
                    step.scales = [_safe_scale(float(s)) for s in filled.std(axis=0)]
                    step.means = [float(m) for m in filled.mean(axis=0)]
            else:
                counts = series.dropna().astype(str).value_counts()
                categories = sorted(counts.index[:max_categories].tolist())
                outputs = [f"{name}={value}" for value in categories] if encoding == "onehot" else [str(name)]
                step = ColumnStep(name=str(name), type="categorical", outputs=outputs, categories=categories)
            steps.append(step)
        return cls(encoding=encoding, scale=scale, steps=steps, dropped=dropped)

    @property
    def feature_names(self) -> list[str]:
        return [output for step in self.steps for output in step.outputs]

    @property
    def categorical_indices(self) -> list[int]:
        """Positions of integer-coded categoricals in the output (for LightGBM's native handling)."""
        if self.encoding != "ordinal":
            return []
        positions, position = [], 0
        for step in self.steps:
            if step.type == "categorical":
                positions.append(position)
            position += len(step.outputs)
        return positions

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        blocks = [self._transform_step(step, frame[step.name]) for step in self.steps]
        if not blocks:
            return np.zeros((len(frame), 0))
        return np.column_stack(blocks).astype(np.float64)

    def _transform_step(self, step: ColumnStep, series: pd.Series) -> np.ndarray:
        if step.type in ("numeric", "boolean"):
            if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
                values = series.to_numpy(dtype=float, na_value=np.nan)
            else:
                values = to_numeric(series.astype("object").map(_as_number)).to_numpy(float)
            values = np.where(np.isnan(values), step.fills[0], values)
            if self.scale:
                values = (values - step.means[0]) / step.scales[0]
            return values[:, None]
        if step.type == "datetime":
            parts = _date_parts(pd.to_datetime(series, errors="coerce"))
            parts = np.where(np.isnan(parts), np.asarray(step.fills)[None, :], parts)
            if self.scale:
                parts = (parts - np.asarray(step.means)) / np.asarray(step.scales)
            return parts
        text = series.astype("object").map(lambda v: None if _is_missing(v) else str(v))
        lookup = {value: index for index, value in enumerate(step.categories)}
        codes = text.map(lambda v: lookup.get(v, -1) if v is not None else -1).to_numpy(dtype=np.int64)
        if self.encoding == "ordinal":
            return codes.astype(float)[:, None]
        onehot = np.zeros((len(codes), len(step.categories)))
        known = codes >= 0
        onehot[np.nonzero(known)[0], codes[known]] = 1.0
        return onehot

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessor:
        return cls.model_validate(data)


def _number_statistics(frame: pd.DataFrame, names: list[str]) -> dict[Any, tuple[float, float, float]]:
    """Per number column, in one pass over all of them: the median of the present values (0 when
    none), and the mean and population standard deviation once gaps are filled with it."""
    if not names:
        return {}
    values = np.asfortranarray(frame[names].astype(float).to_numpy(dtype=float, na_value=np.nan))
    present = ~np.isnan(values)
    medians = np.zeros(len(names))
    some = present.any(axis=0)
    if some.any():
        medians[some] = np.nanmedian(values[:, some], axis=0)
    filled = np.where(present, values, medians)
    means, stds = filled.mean(axis=0), filled.std(axis=0)
    return {name: (float(medians[i]), float(means[i]), float(stds[i])) for i, name in enumerate(names)}


def _date_parts(series: pd.Series) -> np.ndarray:
    """Year, month, day, weekday (Monday 0), day of year, days since 1970: NumPy calendar arithmetic."""
    dates = pd.to_datetime(series, errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert(None)
    stamps = dates.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(stamps)
    days = stamps.astype("datetime64[D]")
    month_start = stamps.astype("datetime64[M]")
    year_start = stamps.astype("datetime64[Y]")
    day_number = days.astype(np.int64)
    parts = np.column_stack(
        [
            year_start.astype(np.int64) + 1970,
            month_start.astype(np.int64) % 12 + 1,
            (days - month_start.astype("datetime64[D]")).astype(np.int64) + 1,
            (day_number + 3) % 7,  # 1970-01-01 was a Thursday
            (days - year_start.astype("datetime64[D]")).astype(np.int64) + 1,
            np.zeros(len(stamps)),
        ]
    ).astype(np.float64)
    parts[:, 5] = (stamps - np.datetime64("1970-01-01", "ns")) / np.timedelta64(1, "D")
    parts[missing] = np.nan
    return parts


def _safe_scale(std: float) -> float:
    return std if np.isfinite(std) and std > 1e-12 else 1.0


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_number(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "si", "sí"):
            return 1.0
        if lowered in ("false", "no"):
            return 0.0
    return value
