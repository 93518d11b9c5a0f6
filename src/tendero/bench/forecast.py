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


def score_set(bench_set: BenchSet, forecasts: dict[str, pd.DataFrame]) -> tuple[dict[str, dict[str, float]], dict]:
    """Every method's metrics on the same rows: observed test periods that every method forecast."""
    import math

    import pandas as pd

    from tendero.bench.forecast_sets import wrmsse
    from tendero.forecasting.metrics import score_forecasts, series_scales
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
    scored = rows[keep.to_numpy()]
    results = {}
    for method, forecast in forecasts.items():
        metrics = score_forecasts(scored, forecast, scales, levels=LEVELS)
        if "m5_scale" in bench_set.extra:
            metrics["wrmsse"] = wrmsse(scored, forecast, bench_set.extra["m5_scale"], bench_set.extra["m5_weight"])
        metrics["rows_scored"] = float(len(scored))
        results[method] = metrics
    baselines = [m for m in forecasts if m != "tendero"]
    if len(baselines) >= 2:
        results[ORACLE] = {"mase": _oracle_mase(scored, {m: forecasts[m] for m in baselines}, scales)}
        results[ORACLE]["rows_scored"] = float(len(scored))
    if "seasonal_naive" in results:
        naive = results["seasonal_naive"]["mase"]
        for metrics in results.values():
            metrics["relative_mase"] = metrics["mase"] / naive if naive > 0 else math.nan
    rows_info = {
        "rows_scored": len(scored),
        "test_rows_closed": closed_rows,
        "test_rows_of_series_left_out": int((~known).sum()),
        "test_rows_some_method_missed": missing,
        "series_left_out": [item.__dict__ for item in panel.report.left_out][:20],
    }
    return results, rows_info


def _oracle_mase(scored: pd.DataFrame, forecasts: dict[str, pd.DataFrame], scales: pd.DataFrame) -> float:
    """MASE of the best baseline for each series, chosen on the test itself: a ceiling for any choice
    among these baselines (no model can know which one will win), not a method."""
    import pandas as pd

    per_method = {}
    for method, forecast in forecasts.items():
        merged = scored.merge(forecast[["unique_id", "ds", "yhat"]], on=["unique_id", "ds"]).join(
            scales, on="unique_id"
        )
        per_method[method] = (
            ((merged["y"] - merged["yhat"]).abs() / merged["mae_scale"]).groupby(merged["unique_id"]).mean()
        )
    return float(pd.DataFrame(per_method).min(axis=1).mean())


def bench_one(
    bench_set: BenchSet, methods: list[str], windows: int, save: Path | None = None, threads: int = 2
) -> tuple[dict[str, dict[str, float]], dict]:
    """Fit and score every method on one set: (results per method, the set's timing and rows).

    With ``save``, each method's forecast and tendero's backtest go to ``save/<set>/`` as Parquet.
    """
    log(f"{bench_set.name}: {bench_set.history['unique_id'].nunique()} series, history to "
        f"{bench_set.history['ds'].max().date()}, test {bench_set.test['ds'].nunique()} periods")  # fmt: skip
    fitted = run_methods(bench_set, methods, windows, threads)
    results, rows_info = score_set(bench_set, {m: f for m, (f, _, _) in fitted.items()})
    if save is not None:
        folder = save / bench_set.name
        folder.mkdir(parents=True, exist_ok=True)
        bench_set.test.to_parquet(folder / "test.parquet", index=False)
        for method, (forecast, _, evidence) in fitted.items():
            forecast.to_parquet(folder / f"{method}_forecast.parquet", index=False)
            for name, frame in evidence.items():
                frame.to_parquet(folder / f"{method}_{name}.parquet", index=False)
    timing = {}
    for method, (_, figures, _) in fitted.items():
        results[method].update({k: v for k, v in figures.items() if not k.startswith("stage_")})
        timing[method] = figures
        log(f"{bench_set.name} {method}: {results[method]}")
    return results, {"timing": timing, "rows": rows_info}


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
) -> None:
    """Score tendero's automatic forecaster and the baselines on the last --horizon periods."""
    import os

    from tendero.bench.forecast_sets import load_file, load_suite_set, suite_sets

    if freq not in ("D", "W", "M"):
        raise typer.BadParameter("must be D, W or M", param_hint="--freq")
    if windows < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--windows")
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
        results, info = bench_one(bench_set, methods, windows, save, threads)
        params = {"freq": freq, "horizon": bench_set.h, "windows": windows, "threads": threads,
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
        results, info = bench_one(bench_set, methods, windows, save, threads)
        per_set[name] = {"h": bench_set.h, "freq": bench_set.freq, "season": bench_set.season,
                         "country": bench_set.country, **info}  # fmt: skip
        for method, metrics in results.items():
            suite_results.setdefault(method, {}).update({f"{name}_{k}": v for k, v in metrics.items()})
    for metrics in suite_results.values():
        relative = [metrics[f"{n}_relative_mase"] for n in names if f"{n}_relative_mase" in metrics]
        if relative:
            metrics["mean_relative_mase"] = sum(relative) / len(relative)
    machine["load_average_at_end"] = os.getloadavg()[0]
    params = {
        "suite": names,
        "windows": windows,
        "threads": threads,
        "methods": methods,
        "machine": machine,
        "sets": per_set,
    }
    emit(bench_report("forecast", str(root), params, suite_results), json_output)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
