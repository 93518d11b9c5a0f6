"""``tendero bench forecast``: tendero's automatic forecaster against single-model baselines.

One set (``--data``) or the whole suite (``--suite``: Walmart weekly h=13, Rossmann daily h=48,
store-item daily h=90, M5 partial daily h=28 from ``../shared/data/forecast``). The last ``h``
periods of each set are its test; every method forecasts them once, in a fresh process (its own
seconds, CPU seconds and peak memory): tendero from the raw history, the baselines — statsforecast's
seasonal naive, AutoETS, AutoTheta and MSTL with their own intervals, mlforecast's LightGBM with
tendero's drivers and its conformal intervals — from the same history made regular. Every method
is scored on exactly the same rows: observed test periods (not closed, not missing) that every
method forecast; ``rows_scored`` says how many. ``relative_mase`` is MASE over seasonal naive's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tendero.bench.forecast_names import BASELINES, LEVELS, SUITE
from tendero.bench.report import bench_report, emit, log

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from tendero.bench.forecast_sets import BenchSet

DEFAULT_BASELINES = ("seasonal_naive", "auto_theta", "lightgbm", "mstl")
ORACLE = "oracle_best_baseline_per_series"  # a ceiling chosen on the test, not a method
DATA_ROOT = Path("../shared/data/forecast")


def run_methods(
    bench_set: BenchSet, methods: list[str], windows: int, threads: int = 2
) -> dict[str, tuple[pd.DataFrame, dict, dict]]:
    """Each method in its own spawned process, one after the other (their timings do not overlap).

    Children wait for work passively (``OMP_WAIT_POLICY``): OpenMP threads that spin on a shared,
    busy machine burned 15 CPU seconds and 218 wall seconds on a 6-series LightGBM fit.
    """
    import multiprocessing
    import os

    from tendero.bench.forecast_methods import run_in_child

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    context = multiprocessing.get_context("spawn")
    out = {}
    for method in methods:
        log(f"{bench_set.name}: running {method}")
        queue = context.Queue()
        process = context.Process(target=run_in_child, args=(method, bench_set, windows, threads, queue))
        process.start()
        answer = queue.get()
        process.join()
        if isinstance(answer, Exception):
            raise answer
        out[method] = answer
    return out


def score_set(
    windows: Sequence[BenchSet], forecasts: Sequence[Mapping[str, pd.DataFrame]]
) -> tuple[dict[str, dict[str, float]], dict]:
    """Every method's metrics on the same rows of every test window, pooled, and per window.

    A window's rows are its observed test periods (not closed, not missing) that every method
    forecast; each is scaled by its own window's history. Pooled figures treat each (window, series)
    as one series of the MASE's mean; ``rows_scored`` is the pooled count. M5's WRMSSE uses the
    published scales and weights in every window and is pooled as the mean over windows.
    """
    import pandas as pd

    from tendero.bench.forecast_sets import window_span, wrmsse
    from tendero.forecasting.metrics import score_forecasts

    if len(windows) != len(forecasts) or not windows:
        raise ValueError("score_set: one mapping of forecasts per test window is needed")
    methods = list(forecasts[0])
    rows_of, scales_of, per_window = [], [], []
    for k, (bench_set, by_method) in enumerate(zip(windows, forecasts, strict=True)):
        scored, scales, info = _window_rows(bench_set, by_method)
        results = {m: score_forecasts(scored, by_method[m], scales, levels=LEVELS) for m in methods}
        for method, metrics in results.items():
            if "m5_scale" in bench_set.extra:
                metrics["wrmsse"] = wrmsse(
                    scored, by_method[method], bench_set.extra["m5_scale"], bench_set.extra["m5_weight"]
                )
            metrics["rows_scored"] = float(len(scored))
        _add_relative(results)
        per_window.append({"window": k, **window_span(bench_set), **info, "results": results})
        rows_of.append(scored.assign(unique_id=f"{k}|" + scored["unique_id"].astype(str)))
        scales_of.append(scales.set_axis([f"{k}|{uid}" for uid in scales.index], axis=0))
    pooled_rows = pd.concat(rows_of, ignore_index=True)
    pooled_scales = pd.concat(scales_of)
    pooled_forecasts = {
        m: pd.concat(
            [by_method[m].assign(unique_id=f"{k}|" + by_method[m]["unique_id"].astype(str))
             for k, by_method in enumerate(forecasts)],
            ignore_index=True,
        )
        for m in methods
    }  # fmt: skip
    results = {}
    for method in methods:
        metrics = score_forecasts(pooled_rows, pooled_forecasts[method], pooled_scales, levels=LEVELS)
        if "m5_scale" in windows[0].extra:
            metrics["wrmsse"] = sum(w["results"][method]["wrmsse"] for w in per_window) / len(per_window)
        metrics["rows_scored"] = float(len(pooled_rows))
        results[method] = metrics
    baselines = [m for m in methods if m != "tendero"]
    if len(baselines) >= 2:
        oracle = _oracle_mase(pooled_rows, {m: pooled_forecasts[m] for m in baselines}, pooled_scales)
        results[ORACLE] = {"mase": oracle, "rows_scored": float(len(pooled_rows))}
    _add_relative(results)
    rows_info = {
        "rows_scored": len(pooled_rows),
        "test_windows": len(windows),
        **{key: sum(w[key] for w in per_window) for key in ("test_rows_closed", "test_rows_of_series_left_out")},
        "test_rows_some_method_missed": {m: sum(w["test_rows_some_method_missed"][m] for w in per_window)
                                         for m in methods},
        "series_left_out": per_window[0]["series_left_out"],
        "windows": per_window,
    }  # fmt: skip
    return results, rows_info


def _window_rows(
    bench_set: BenchSet, forecasts: Mapping[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """One window's scored rows (observed test periods every method forecast), its scales, its counts."""
    import pandas as pd

    from tendero.forecasting.metrics import series_scales
    from tendero.forecasting.panel import prepare_panel

    panel = prepare_panel(bench_set.history, bench_set.freq, bench_set.season)
    history = panel.frame
    scales = series_scales(history.assign(y=history["y"].where(history["observed"])), bench_set.season)
    test = bench_set.test
    rows = test[test["y"].notna()]
    closed_rows = 0
    if "closed" in rows.columns:
        closed_rows = int(rows["closed"].astype(bool).sum())
        rows = rows[~rows["closed"].astype(bool)]
    known = rows["unique_id"].isin(scales.index)
    rows = rows.loc[known, ["unique_id", "ds", "y"]]
    keep = pd.Series(True, index=rows.index)
    missing: dict[str, int] = {}
    columns = ["yhat", *[f"{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")]]
    for method, forecast in forecasts.items():
        merged = rows.merge(forecast[["unique_id", "ds", *columns]], on=["unique_id", "ds"], how="left")
        ok = merged[columns].notna().all(axis=1).to_numpy()
        missing[method] = int((~ok).sum())
        keep &= ok
    info = {
        "rows_scored": int(keep.sum()),
        "test_rows_closed": closed_rows,
        "test_rows_of_series_left_out": int((~known).sum()),
        "test_rows_some_method_missed": missing,
        "series_left_out": [item.__dict__ for item in panel.report.left_out][:20],
    }
    return rows[keep.to_numpy()], scales, info


def _add_relative(results: dict[str, dict[str, float]]) -> None:
    """``relative_mase``: each method's MASE over seasonal naive's (when seasonal naive ran)."""
    import math

    if "seasonal_naive" not in results:
        return
    naive = results["seasonal_naive"]["mase"]
    for metrics in results.values():
        metrics["relative_mase"] = metrics["mase"] / naive if naive > 0 else math.nan


def _oracle_mase(scored: pd.DataFrame, forecasts: dict[str, pd.DataFrame], scales: pd.DataFrame) -> float:
    """MASE of the best baseline for each series, chosen on the test itself (over all its windows): a
    ceiling for any choice among these baselines (no model can know which one will win), not a method.
    ``scored`` holds one ``window|series`` key per window and series; the choice is per series."""
    import pandas as pd

    per_method = {}
    for method, forecast in forecasts.items():
        merged = scored.merge(forecast[["unique_id", "ds", "yhat"]], on=["unique_id", "ds"]).join(
            scales, on="unique_id"
        )
        per_method[method] = (
            ((merged["y"] - merged["yhat"]).abs() / merged["mae_scale"]).groupby(merged["unique_id"]).mean()
        )
    table = pd.DataFrame(per_method)  # (window|series) x method: scaled MAE
    series = table.index.to_series().str.split("|", n=1).str[1]
    best = table.groupby(series.to_numpy()).mean().idxmin(axis=1)  # one method per series, over its windows
    chosen = table.to_numpy()[range(len(table)), [table.columns.get_loc(best[s]) for s in series]]
    return float(chosen.mean())


def bench_one(
    bench_set: BenchSet,
    methods: list[str],
    windows: int,
    save: Path | None = None,
    threads: int = 2,
    test_windows: int = 1,
) -> tuple[dict[str, dict[str, float]], dict]:
    """Fit and score every method on ``test_windows`` rolling test windows of one set: (pooled results
    per method, the set's rows, windows and timing).

    Each window's methods run one after the other, each in a fresh process; a method's ``seconds``,
    ``cpu_seconds`` and ``load_average`` are its mean over the windows, ``peak_mb`` the highest. With
    ``save``, each window's forecasts and tendero's backtest go to ``save/<set>/window_<k>/`` as Parquet
    (window 0 is the newest).
    """
    from tendero.bench.forecast_sets import rolling_windows

    cuts = rolling_windows(bench_set, test_windows)
    log(f"{bench_set.name}: {bench_set.history['unique_id'].nunique()} series, history to "
        f"{bench_set.history['ds'].max().date()}, test {bench_set.test['ds'].nunique()} periods, "
        f"{len(cuts)} test window(s)")  # fmt: skip
    fitted_of = []
    for k, cut in enumerate(cuts):
        log(f"{bench_set.name}: test window {k} from {cut.test['ds'].min().date()}")
        fitted = run_methods(cut, methods, windows, threads)
        fitted_of.append(fitted)
        if save is not None:
            folder = save / bench_set.name / f"window_{k}"
            folder.mkdir(parents=True, exist_ok=True)
            cut.test.to_parquet(folder / "test.parquet", index=False)
            for method, (forecast, _, evidence) in fitted.items():
                forecast.to_parquet(folder / f"{method}_forecast.parquet", index=False)
                for name, frame in evidence.items():
                    frame.to_parquet(folder / f"{method}_{name}.parquet", index=False)
    results, rows_info = score_set(cuts, [{m: f for m, (f, _, _) in fitted.items()} for fitted in fitted_of])
    timing: dict[str, Any] = {}
    for method in methods:
        figures = [fitted[method][1] for fitted in fitted_of]
        keys = [key for key in figures[0] if all(key in f for f in figures)]
        summary = {key: sum(f[key] for f in figures) / len(figures) for key in keys}
        summary["peak_mb"] = max(f["peak_mb"] for f in figures)
        results[method].update({k: v for k, v in summary.items() if not k.startswith("stage_")})
        timing[method] = {**summary, "windows": figures} if len(figures) > 1 else summary
        log(f"{bench_set.name} {method}: {results[method]}")
    return results, {"timing": timing, "rows": rows_info}


def rescore_set(
    bench_set: BenchSet, folders: list[Path], test_windows: int
) -> tuple[dict[str, dict[str, float]], dict]:
    """Score together, on the same rows, forecasts that runs with ``--save`` left in ``folders``
    (``<folder>/<set>/window_<k>/<method>_forecast.parquet``): the windows every method has."""
    import pandas as pd

    from tendero.bench.forecast_sets import rolling_windows

    cuts = rolling_windows(bench_set, test_windows)
    forecasts: list[dict[str, pd.DataFrame]] = []
    for k in range(len(cuts)):
        found: dict[str, pd.DataFrame] = {}
        for folder in folders:
            for path in sorted((folder / bench_set.name / f"window_{k}").glob("*_forecast.parquet")):
                found.setdefault(path.name.removesuffix("_forecast.parquet"), pd.read_parquet(path))
        forecasts.append(found)
    methods = set().union(*forecasts)
    usable = 0  # the newest windows, in a row, that every method forecast
    while usable < len(cuts) and methods and set(forecasts[usable]) == methods:
        usable += 1
    if not usable:
        raise ValueError(
            f"{bench_set.name}: no saved forecasts of every method for window(s) 0..{len(cuts) - 1} in "
            f"{', '.join(map(str, folders))} (found: {[sorted(f) for f in forecasts]})"
        )
    results, rows_info = score_set(cuts[:usable], forecasts[:usable])
    return results, {"rows": rows_info, "rescored_from": [str(f) for f in folders]}


def command(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="long CSV/Parquet, Walmart/Rossmann/store-item train file or the M5 folder"),
    ] = None,
    suite: Annotated[bool, typer.Option("--suite", help="run every set in ../shared/data/forecast")] = False,
    sets: Annotated[str | None, typer.Option("--sets", help=f"with --suite, only these ({', '.join(SUITE)})")] = None,
    freq: Annotated[str, typer.Option("--freq", help="D, W or M (the spacing of the series)")] = "W",
    horizon: Annotated[int, typer.Option("--horizon", help="periods held out as the test")] = 13,
    windows: Annotated[int, typer.Option("--windows", help="backtest windows for tendero's choice")] = 3,
    season: Annotated[int | None, typer.Option("--season", help="seasonal period (default: 52 W, 12 M, 7 D)")] = None,
    country: Annotated[str | None, typer.Option("--country", help="holidays of this country (ISO code)")] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="run only these methods, e.g. tendero or tendero,seasonal_naive")
    ] = None,
    baselines: Annotated[
        str,
        typer.Option(
            "--baselines",
            help=f"comma-separated baselines beside tendero, or 'all' ({', '.join(BASELINES)}); "
            "auto_ets is left out by default outside --suite (slowest and least accurate on Walmart)",
        ),
    ] = ",".join(DEFAULT_BASELINES),
    json_output: Annotated[bool, typer.Option("--json/--no-json", help="print one JSON object")] = False,
    save: Annotated[
        Path | None, typer.Option("--save", help="write each method's forecast and tendero's backtest here")
    ] = None,
    threads: Annotated[int, typer.Option("--threads", help="cores each method may use (the goals are for 2)")] = 2,
    test_windows: Annotated[
        int | None,
        typer.Option(
            "--test-windows",
            help="rolling test windows of --horizon periods, newest first (default 3 with --suite, else 1)",
        ),
    ] = None,
    rescore: Annotated[
        list[Path] | None,
        typer.Option(
            "--rescore",
            help="fit nothing: score together the forecasts that earlier runs' --save wrote in these folders",
        ),
    ] = None,
) -> None:
    """Score tendero's automatic forecaster and the baselines on the last --horizon periods."""
    import os

    from tendero.bench.forecast_sets import load_file, load_suite_set, suite_sets

    if freq not in ("D", "W", "M"):
        raise typer.BadParameter("must be D, W or M", param_hint="--freq")
    if windows < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--windows")
    test_windows = test_windows if test_windows is not None else (3 if suite else 1)
    if test_windows < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--test-windows")
    if not suite and data is None:
        raise typer.BadParameter("give --data FILE, or --suite", param_hint="--data")
    chosen = list(BASELINES) if baselines.strip() == "all" or suite else _names(baselines)
    only_methods = _names(only) if only else []
    unknown = [b for b in [*chosen, *only_methods] if b not in ("tendero", *BASELINES)]
    if unknown:
        raise typer.BadParameter(
            f"unknown method(s) {', '.join(unknown)}; known: tendero, {', '.join(BASELINES)}",
            param_hint="--only" if set(unknown) & set(only_methods) else "--baselines",
        )
    methods = (
        [m for m in ("tendero", *BASELINES) if m in only_methods]
        if only
        else ["tendero", *[b for b in BASELINES if b in chosen]]
    )
    machine = {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0]}
    if not suite:
        assert data is not None
        season = season or {"D": 7, "W": 52, "M": 12}[freq]
        log(f"loading {data}")
        try:
            bench_set = load_file(data, freq, horizon, season, country)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--data") from exc
        if bench_set.name == "m5" and horizon != 28:
            raise typer.BadParameter("the M5 test is 28 days", param_hint="--horizon")
        results, info = _scored(bench_set, methods, windows, save, threads, test_windows, rescore)
        params = {"freq": freq, "horizon": bench_set.h, "windows": windows, "threads": threads,
                  "test_windows": test_windows,
                  "season": bench_set.season,
                  "country": bench_set.country, "only": only, "methods": methods, "machine": machine,
                  **info}  # fmt: skip
        emit(bench_report("forecast", str(data), params, results), json_output)
        return
    names = _names(sets) if sets else list(SUITE)
    bad = [n for n in names if n not in SUITE]
    if bad:
        raise typer.BadParameter(f"unknown set(s) {', '.join(bad)}; known: {', '.join(SUITE)}", param_hint="--sets")
    root = data or DATA_ROOT
    paths = suite_sets(root)
    suite_results: dict[str, dict[str, float]] = {m: {} for m in methods}
    per_set: dict[str, Any] = {}
    for name in names:
        if not paths[name].exists():
            raise typer.BadParameter(f"{paths[name]} is absent", param_hint="--data")
        bench_set = load_suite_set(name, paths[name])
        results, info = _scored(bench_set, methods, windows, save, threads, test_windows, rescore)
        per_set[name] = {"h": bench_set.h, "freq": bench_set.freq, "season": bench_set.season,
                         "country": bench_set.country, **info}  # fmt: skip
        for method, metrics in results.items():
            suite_results.setdefault(method, {}).update({f"{name}_{k}": v for k, v in metrics.items()})
    for metrics in suite_results.values():
        relative = [metrics[f"{n}_relative_mase"] for n in names if f"{n}_relative_mase" in metrics]
        if relative:
            metrics["mean_relative_mase"] = sum(relative) / len(relative)
    machine["load_average_at_end"] = os.getloadavg()[0]
    suite_results = {method: metrics for method, metrics in suite_results.items() if metrics}  # --rescore: found
    params = {
        "suite": names,
        "windows": windows,
        "test_windows": test_windows,
        "threads": threads,
        "methods": methods,
        "machine": machine,
        "sets": per_set,
    }
    emit(bench_report("forecast", str(root), params, suite_results), json_output)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _scored(
    bench_set: BenchSet,
    methods: list[str],
    windows: int,
    save: Path | None,
    threads: int,
    test_windows: int,
    rescore: list[Path] | None,
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """One set's results: scored from earlier runs' ``--save`` folders, or fitted now."""
    if not rescore:
        return bench_one(bench_set, methods, windows, save, threads, test_windows)
    try:
        return rescore_set(bench_set, rescore, test_windows)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rescore") from exc
