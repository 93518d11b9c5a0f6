"""Turn order lines into the long ``unique_id, ds, y`` series the forecasters read.

Applies the SmartSales365 data rules: missing periods are zero, series with fewer than
``MIN_PERIODS`` periods of history are left out *and listed*, rows dated after ``as_of`` are ignored
*and counted*, and every parameter is checked with an error that names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

Level = Literal["total", "category", "product", "store", "store_product"]
Freq = Literal["D", "W", "M"]
Measure = Literal["quantity", "revenue"]

LEVELS: tuple[str, ...] = ("total", "category", "product", "store", "store_product")
FREQS: tuple[str, ...] = ("D", "W", "M")
MIN_PERIODS = 3
HISTORY_MONTHS_BOUNDS = (12, 60)
# Horizon bounds per frequency: 12 months, 52 weeks (one year) or 365 days ahead.
HORIZON_BOUNDS: dict[str, tuple[int, int]] = {"M": (1, 12), "W": (1, 52), "D": (1, 365)}
# Seasonal period a forecaster should look for at each frequency (one year; a week for daily data).
SEASON: dict[str, int] = {"M": 12, "W": 52, "D": 7}
# Offsets that label each period by its first day: weeks start on Monday.
PANDAS_FREQ: dict[str, str] = {"D": "D", "W": "W-MON", "M": "MS"}
CANCELLED_STATUSES = frozenset({"cancelled", "canceled", "void", "voided", "refunded"})


class ForecastParameterError(ValueError):
    """A forecasting parameter is out of bounds; ``parameter`` names which one."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def validate_level(level: str) -> str:
    if level not in LEVELS:
        raise ForecastParameterError("level", f"must be one of {', '.join(LEVELS)}; got {level!r}")
    return level


def validate_freq(freq: str) -> str:
    if freq not in FREQS:
        raise ForecastParameterError("freq", f"must be one of D (daily), W (weekly), M (monthly); got {freq!r}")
    return freq


def validate_history_months(history_months: int) -> int:
    low, high = HISTORY_MONTHS_BOUNDS
    if not isinstance(history_months, int | np.integer) or not low <= history_months <= high:
        raise ForecastParameterError(
            "history_months", f"must be a whole number of months between {low} and {high}; got {history_months!r}"
        )
    return int(history_months)


def validate_horizon(horizon: int, freq: str) -> int:
    """Check ``horizon`` (in periods of ``freq``): 1-12 months, 1-52 weeks or 1-365 days."""
    validate_freq(freq)
    low, high = HORIZON_BOUNDS[freq]
    unit = {"M": "months", "W": "weeks", "D": "days"}[freq]
    if not isinstance(horizon, int | np.integer) or not low <= horizon <= high:
        raise ForecastParameterError(
            "horizon", f"must be between {low} and {high} {unit} for freq={freq}; got {horizon!r}"
        )
    return int(horizon)


@dataclass
class LeftOutSeries:
    unique_id: str
    periods: int
    reason: str


@dataclass
class SeriesReport:
    """What happened to the input: kept, ignored and left out, with counts a person can act on."""

    level: str
    freq: str
    measure: str
    as_of: str
    start: str | None = None
    end: str | None = None
    rows_read: int = 0
    rows_used: int = 0
    future_rows: int = 0
    future_first: str | None = None
    cancelled_rows: int = 0
    invalid_rows: int = 0
    partial_period_dropped: str | None = None
    # the dropped period's first day, the last day the data covers in it, and why it is incomplete:
    # "now" (the period is not over yet) or "data_end" (the data stops days before the period ends)
    partial_period: dict[str, str] | None = None
    zero_filled_periods: int = 0
    promotion_periods: int = 0
    series_kept: int = 0
    left_out: list[LeftOutSeries] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["left_out"] = [item.__dict__ for item in self.left_out]
        return out


@dataclass
class SeriesSet:
    """Long-format series plus, per ``unique_id``, the attributes it aggregates (category, store...)."""

    frame: pd.DataFrame
    keys: pd.DataFrame
    report: SeriesReport


# days a last period may lack at its end and still count as complete (a shop shut on Sundays, or on the
# last days of a month, still has a whole period): past this the data ends inside it and it is dropped
INCOMPLETE_AFTER_DAYS = {"D": 0, "W": 1, "M": 3}


def period_start(timestamps: pd.Series, freq: str) -> pd.Series:
    """The first day of the period (day, Monday-starting week, month) that holds each timestamp."""
    ts = pd.to_datetime(timestamps)
    if freq == "D":
        return ts.dt.normalize()
    if freq == "W":
        day = ts.dt.normalize()
        return day - pd.to_timedelta(day.dt.weekday, unit="D")
    return ts.dt.to_period("M").dt.to_timestamp()


def _next_period(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    return start + pd.tseries.frequencies.to_offset(PANDAS_FREQ[freq])


def _series_id(lines: pd.DataFrame, level: str) -> pd.Series:
    if level == "total":
        return pd.Series("total", index=lines.index)
    if level == "category":
        return lines["category"].fillna("(sin categoría)").astype(str)
    if level == "product":
        return lines["product_id"].astype(str)
    if level == "store":
        return lines["store"].fillna("(sin tienda)").astype(str)
    return lines["store"].fillna("(sin tienda)").astype(str) + "/" + lines["product_id"].astype(str)


def build_series(
    order_lines: pd.DataFrame,
    *,
    level: str = "category",
    freq: str = "M",
    history_months: int = 36,
    as_of: datetime | pd.Timestamp | None = None,
    measure: str = "quantity",
) -> SeriesSet:
    """Aggregate order lines to one series per ``level`` key at ``freq``, zero-filled, rules applied.

    ``as_of`` is "now" (naive UTC; default the current time): rows after it are future-dated and
    ignored, the period holding it is incomplete and dropped. History is the ``history_months``
    months before the last complete period's end.
    """
    validate_level(level)
    validate_freq(freq)
    validate_history_months(history_months)
    if measure not in ("quantity", "revenue"):
        raise ForecastParameterError("measure", f"must be quantity or revenue; got {measure!r}")
    missing = {"ordered_at", measure} - set(order_lines.columns)
    if level in ("category",):
        missing |= {"category"} - set(order_lines.columns)
    if level in ("product", "store_product"):
        missing |= {"product_id"} - set(order_lines.columns)
    if level in ("store", "store_product"):
        missing |= {"store"} - set(order_lines.columns)
    if missing:
        raise ForecastParameterError("order_lines", f"missing column(s) {', '.join(sorted(missing))}")

    now = pd.Timestamp(as_of if as_of is not None else datetime.utcnow())
    if now.tzinfo is not None:
        now = now.tz_convert("UTC").tz_localize(None)
    report = SeriesReport(level=level, freq=freq, measure=measure, as_of=now.isoformat(), rows_read=len(order_lines))

    lines = order_lines
    ordered_at = pd.to_datetime(lines["ordered_at"], errors="coerce")
    if getattr(ordered_at.dt, "tz", None) is not None:
        ordered_at = ordered_at.dt.tz_convert("UTC").dt.tz_localize(None)
    values = pd.to_numeric(lines[measure], errors="coerce")
    invalid = ordered_at.isna() | values.isna()
    report.invalid_rows = int(invalid.sum())
    future = ~invalid & (ordered_at > now)
    report.future_rows = int(future.sum())
    if report.future_rows:
        report.future_first = ordered_at[future].min().isoformat()
    keep = ~invalid & ~future
    if "status" in lines.columns:
        cancelled = lines["status"].astype(str).str.lower().isin(CANCELLED_STATUSES) & keep
        report.cancelled_rows = int(cancelled.sum())
        keep &= ~cancelled
    used = pd.DataFrame({"ds": period_start(ordered_at[keep], freq), "y": values[keep].astype(float)})
    used["unique_id"] = _series_id(lines.loc[keep], level)
    attributes = [c for c in ("category", "store", "product_id") if c in lines.columns]
    empty_keys = pd.DataFrame(columns=["unique_id", *attributes])
    if used.empty:
        return SeriesSet(pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []}), empty_keys, report)

    last = used["ds"].max()
    data_end = ordered_at[keep].max().normalize()
    period_end = _next_period(last, freq) - pd.Timedelta(days=1)
    reason = None
    exported = as_of is None and _next_period(_next_period(last, freq), freq) <= now
    if _next_period(last, freq) > now:  # the period holding "now" is not over yet
        reason = "now"
    elif exported and (period_end - data_end).days > INCOMPLETE_AFTER_DAYS[freq]:
        # the data stops more than a period before today (an export, not a live shop) and well before the end of
        # its last period: that period is only partly in the file (a live shop's quiet last days are real zeros,
        # and so are the days up to an ``as_of`` the caller gave)
        reason = "data_end"
    if reason is not None:
        report.partial_period_dropped = last.date().isoformat()
        report.partial_period = {"start": last.date().isoformat(), "end": period_end.date().isoformat(),
                                 "covered_until": min(data_end, now).date().isoformat(), "reason": reason}  # fmt: skip
        last = last - pd.tseries.frequencies.to_offset(PANDAS_FREQ[freq])
    window_end = _next_period(last, freq)
    window_start = period_start(pd.Series([window_end - pd.DateOffset(months=history_months)]), freq).iloc[0]
    if window_start < window_end - pd.DateOffset(months=history_months):
        window_start = _next_period(window_start, freq)
    used = used[(used["ds"] >= window_start) & (used["ds"] <= last)]
    report.rows_used = len(used)
    if used.empty:
        return SeriesSet(pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []}), empty_keys, report)

    summed = used.groupby(["unique_id", "ds"], sort=True)["y"].sum()
    grid = pd.date_range(window_start, last, freq=PANDAS_FREQ[freq])
    pieces = []
    for uid, part in summed.groupby(level=0, sort=True):
        observed = part.droplevel(0)
        first = observed.index.min()
        index = grid[grid >= first]
        if len(index) < MIN_PERIODS:
            report.left_out.append(LeftOutSeries(str(uid), len(index), f"fewer than {MIN_PERIODS} periods of history"))
            continue
        filled = observed.reindex(index, fill_value=0.0)
        report.zero_filled_periods += int(len(index) - len(observed))
        pieces.append(pd.DataFrame({"unique_id": str(uid), "ds": index, "y": filled.to_numpy()}))
    frame = (
        pd.concat(pieces, ignore_index=True)
        if pieces
        else pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []})
    )
    report.series_kept = int(frame["unique_id"].nunique()) if len(frame) else 0
    if len(frame) and "promotion" in lines.columns:
        frame = _with_promotion(frame, lines.loc[keep], used, report)
    report.start = window_start.date().isoformat()
    report.end = last.date().isoformat()
    key_rows = lines.loc[keep, attributes].copy()
    key_rows["unique_id"] = _series_id(lines.loc[keep], level)
    keys = key_rows.drop_duplicates("unique_id").reset_index(drop=True)
    if level in ("total", "category", "store"):
        # aggregated levels: attributes below the level vary within a series, keep only the defining one
        keep_cols = {"total": [], "category": ["category"], "store": ["store"]}[level]
        keys = keys[["unique_id", *keep_cols]]
    keys = keys[keys["unique_id"].isin(frame["unique_id"].unique())].reset_index(drop=True)
    return SeriesSet(frame, keys, report)


def _with_promotion(frame: pd.DataFrame, lines: pd.DataFrame, used: pd.DataFrame, report: SeriesReport) -> pd.DataFrame:
    """A ``promotion`` column: the share of each period's lines sold on promotion (0 to 1).

    Lines whose promotion is unknown count as not on promotion; without any line on promotion the
    column is left out, so a tenant without the field forecasts exactly as before.
    """
    flag = lines["promotion"].map(lambda v: 1.0 if v is True or v == 1 else 0.0).astype(float)
    if not (flag > 0).any():
        return frame
    share = flag.groupby([used["unique_id"], used["ds"]]).mean().rename("promotion")
    frame = frame.join(share, on=["unique_id", "ds"])
    frame["promotion"] = frame["promotion"].fillna(0.0)
    report.promotion_periods = int((frame["promotion"] > 0).sum())
    return frame
