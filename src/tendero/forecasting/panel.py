"""Regular series from what shops really export: gaps, duplicate days, closed days and bad values.

Every engine wants one row per period per series. A shop's file has days missing (closed, or no
data), the same day twice, days it was closed (zero sales that are not zero demand), NaN sales, a
product with one sale, a product discontinued a year ago. ``prepare_panel`` turns that into a
regular panel and a report of what it did:

- duplicate (series, period) rows are summed;
- each series runs on a regular grid from its first row to the last period of the whole file;
  periods without a row are *missing*;
- *closed* periods come from a ``closed`` column when the data has one, or, for daily data, are
  inferred: a day on which every series of a store (of the file, without stores) sold exactly
  nothing, in a store that usually sells every day;
- NaN sales are missing, not zero; negative sales (returns) are kept;
- missing and closed periods are *unobserved*: left out of every fit target and every error, and
  filled for the engines that need a gap-free series with the last observed value of the same
  season position (same weekday for daily data), or 0 where that position was never observed;
- a series with fewer than ``MIN_OBSERVED`` observed periods, or with no row for a year (``stale_after``
  periods) before the file's end (it stopped), is left out with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MIN_OBSERVED = 3
PERIODS_PER_YEAR = {"D": 365, "W": 52, "M": 12}  # by the first letter of the pandas alias ("W-MON", "MS")
CLOSED_INFERENCE_MAX_ZERO_SHARE = 0.1  # a store that sells on more than 90 % of its days


@dataclass
class LeftOut:
    unique_id: str
    reason: str


@dataclass
class PanelReport:
    """What was filled, merged, excluded and why: stored in the model's report."""

    series_in: int = 0
    series_kept: int = 0
    rows_in: int = 0
    duplicate_rows_summed: int = 0
    missing_periods: int = 0
    closed_periods_given: int = 0
    closed_periods_inferred: int = 0
    nan_values: int = 0
    negative_values: int = 0
    fill: str = "unobserved periods filled with the last observed value at the same season position, else 0"
    left_out: list[LeftOut] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["left_out"] = [item.__dict__ for item in self.left_out]
        return out


@dataclass
class Panel:
    """``frame``: ``unique_id, ds, y, observed, closed`` plus driver columns, one row per period.

    ``y`` is the filled value engines fit on; ``observed`` marks the rows whose ``y`` is real and
    counts (fit targets, errors, scales).
    """

    frame: pd.DataFrame
    report: PanelReport


def prepare_panel(
    df: pd.DataFrame,
    freq: str,
    season: int,
    *,
    stale_after: int | None = None,
    store_of: pd.Series | None = None,
) -> Panel:
    """Regularise ``df`` (``unique_id, ds, y`` [, ``closed``] [, drivers]) into a gap-free panel.

    ``store_of`` maps series to the store they sell in (whole-store zero days are closed days);
    ``stale_after``: periods without any row before the file's end after which a series has stopped.
    """
    report = PanelReport(rows_in=len(df))
    if df.empty:
        return Panel(_empty(df), report)
    frame = df.copy()
    frame["unique_id"] = frame["unique_id"].astype(str)
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["y"] = pd.to_numeric(frame["y"], errors="coerce").astype(float)
    report.series_in = int(frame["unique_id"].nunique())
    has_closed = "closed" in frame.columns
    if has_closed:
        frame["closed"] = frame["closed"].astype("boolean").fillna(False).astype(bool)
    drivers = [c for c in frame.columns if c not in ("unique_id", "ds", "y", "closed")]

    frame = _sum_duplicates(frame, drivers, has_closed, report)
    report.nan_values = int(frame["y"].isna().sum())
    report.negative_values = int((frame["y"] < 0).sum())

    offset = pd.tseries.frequencies.to_offset(freq)
    end = frame["ds"].max()
    stale_after = stale_after if stale_after is not None else PERIODS_PER_YEAR.get(freq[0], 2 * season)
    last_row = frame.groupby("unique_id")["ds"].max()
    stale = last_row[last_row < end - offset * stale_after]
    for uid, last in stale.items():
        report.left_out.append(LeftOut(str(uid), f"no data since {last.date().isoformat()}: the series stopped"))
    frame = frame[~frame["unique_id"].isin(stale.index)]

    frame = _regular_grid(frame, offset, end)
    frame["closed"] = frame["closed"].astype("boolean").fillna(False).astype(bool) if has_closed else False
    frame["_inferred"] = False
    if freq == "D":
        frame["_inferred"] = _infer_closed(frame, store_of) & ~frame["closed"]
        frame["closed"] = frame["closed"] | frame["_inferred"]
    frame["observed"] = frame["y"].notna() & ~frame["closed"] & ~frame["_missing"]

    counts = frame.groupby("unique_id")["observed"].sum()
    short = counts[counts < MIN_OBSERVED]
    for uid, n in short.items():
        report.left_out.append(
            LeftOut(str(uid), f"{int(n)} observed period(s): at least {MIN_OBSERVED} are needed to forecast")
        )
    frame = frame[~frame["unique_id"].isin(short.index)].reset_index(drop=True)
    report.missing_periods = int(frame["_missing"].sum())
    if has_closed:
        report.closed_periods_given = int((frame["closed"] & ~frame["_inferred"]).sum())
    report.closed_periods_inferred = int(frame["_inferred"].sum())
    frame["y"] = fill_unobserved(frame, season)
    report.series_kept = int(frame["unique_id"].nunique())
    columns = ["unique_id", "ds", "y", "observed", "closed", *drivers]
    return Panel(frame[columns], report)


def fill_unobserved(frame: pd.DataFrame, season: int) -> pd.Series:
    """``y`` with unobserved rows replaced by the last observed value at the same season position."""
    y = frame["y"].where(frame["observed"])
    position = frame.groupby("unique_id").cumcount() % max(season, 1)
    keys = [frame["unique_id"], position]
    filled = y.groupby(keys).ffill()
    filled = filled.fillna(filled.groupby(keys).bfill())
    return filled.fillna(0.0)


def _sum_duplicates(frame: pd.DataFrame, drivers: list[str], has_closed: bool, report: PanelReport) -> pd.DataFrame:
    duplicated = frame.duplicated(["unique_id", "ds"], keep=False)
    if not duplicated.any():
        return frame
    report.duplicate_rows_summed = int(frame.duplicated(["unique_id", "ds"]).sum())
    agg: dict[str, Any] = {"y": lambda s: s.sum(min_count=1)}
    if has_closed:
        agg["closed"] = "all"  # closed only if every row of that day says so
    for col in drivers:
        agg[col] = "max" if pd.api.types.is_numeric_dtype(frame[col]) else "first"
    return frame.groupby(["unique_id", "ds"], as_index=False, sort=False).agg(agg)


def _regular_grid(frame: pd.DataFrame, offset: pd.DateOffset, end: pd.Timestamp) -> pd.DataFrame:
    """Every series from its first period to ``end`` at ``offset``; rows added are ``_missing``."""
    first = frame.groupby("unique_id", sort=True)["ds"].min()
    pieces = []
    for start, ids in first.groupby(first):
        dates = pd.date_range(start, end, freq=offset)
        pieces.append(
            pd.DataFrame(
                {
                    "unique_id": np.repeat(ids.index.to_numpy(), len(dates)),
                    "ds": np.tile(dates.to_numpy(), len(ids)),
                }
            )
        )
    grid = pd.concat(pieces, ignore_index=True)
    on_grid = frame.merge(grid, on=["unique_id", "ds"], how="inner")
    out = grid.merge(on_grid, on=["unique_id", "ds"], how="left", indicator=True)
    out["_missing"] = out["_merge"] == "left_only"
    return out.drop(columns="_merge").sort_values(["unique_id", "ds"]).reset_index(drop=True)


def _infer_closed(frame: pd.DataFrame, store_of: pd.Series | None) -> pd.Series:
    """Days when a whole store sold nothing although it sells on nearly every day."""
    store = frame["unique_id"].map(store_of).fillna("") if store_of is not None else pd.Series("", index=frame.index)
    present = frame["y"].notna() & ~frame["_missing"]
    day = pd.DataFrame({"store": store, "ds": frame["ds"], "abs": frame["y"].abs().where(present), "present": present})
    per_day = day.groupby(["store", "ds"]).agg(total=("abs", "sum"), present=("present", "sum"))
    per_day = per_day[per_day["present"] > 0]
    zero_day = per_day["total"] == 0
    zero_share = zero_day.groupby(level="store").mean()
    sells_daily = zero_share[zero_share <= CLOSED_INFERENCE_MAX_ZERO_SHARE].index
    closed_days = zero_day[zero_day & zero_day.index.get_level_values("store").isin(sells_daily)]
    if closed_days.empty:
        return pd.Series(False, index=frame.index)
    keys = pd.MultiIndex.from_arrays([store, frame["ds"]])
    return pd.Series(keys.isin(closed_days.index), index=frame.index) & present


def _empty(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": pd.Series(dtype=str), "ds": pd.to_datetime([]), "y": pd.Series(dtype=float),
         "observed": pd.Series(dtype=bool), "closed": pd.Series(dtype=bool)}
    )  # fmt: skip


def future_grid(panel: pd.DataFrame, freq: str, h: int) -> pd.DataFrame:
    """``unique_id, ds, step`` for the ``h`` periods after the panel's end, for every series."""
    offset = pd.tseries.frequencies.to_offset(freq)
    end = panel["ds"].max()
    dates = pd.date_range(end + offset, periods=h, freq=offset)
    ids = panel["unique_id"].unique()
    return pd.DataFrame(
        {
            "unique_id": np.repeat(ids, h),
            "ds": np.tile(dates.to_numpy(), len(ids)),
            "step": np.tile(np.arange(1, h + 1), len(ids)),
        }
    )
