"""``tendero bench forecast`` prints one JSON object with tendero and the baselines it was asked for."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from tendero.bench import forecast as bench
from tendero.bench.forecast_methods import BASELINES, fit_method
from tendero.bench.forecast_sets import load_file, rolling_windows

KEYS = {
    "mase", "rmsse", "wape", "smape", "coverage_80", "coverage_95", "msis_80", "msis_95", "scaled_width_80",
    "rows_scored", "relative_mase", "seconds", "cpu_seconds", "peak_mb", "load_average",
}  # fmt: skip


def _series_csv(path: Path) -> Path:
    rng = np.random.default_rng(0)
    ds = pd.date_range("2021-01-01", periods=40, freq="MS")
    frames = []
    for i in range(8):
        level = rng.uniform(50, 500)
        y = level * (1 + 0.3 * np.sin(2 * np.pi * ds.month.to_numpy() / 12)) + rng.normal(0, 0.05 * level, len(ds))
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    pd.concat(frames).to_csv(path, index=False)
    return path


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(bench.command)
    return app


@pytest.mark.slow  # a whole bench run: our model selection, two baselines and the oracle over two windows
def test_bench_reports_tendero_and_the_chosen_baselines_with_every_metric(tmp_path: Path) -> None:
    data = _series_csv(tmp_path / "series.csv")
    args = ["--data", str(data), "--freq", "M", "--horizon", "4", "--windows", "2", "--json"]
    result = CliRunner().invoke(_app(), [*args, "--baselines", "seasonal_naive,lightgbm"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["bench"] == "forecast" and report["data"] == str(data)
    assert report["params"]["methods"] == ["tendero", "seasonal_naive", "lightgbm"]
    assert set(report["results"]) == {"tendero", "seasonal_naive", "lightgbm", bench.ORACLE}
    oracle = report["results"].pop(bench.ORACLE)
    assert oracle["mase"] <= min(report["results"][m]["mase"] for m in ("seasonal_naive", "lightgbm"))
    for metrics in report["results"].values():
        assert set(metrics) == KEYS
        assert 0.0 <= metrics["coverage_80"] <= metrics["coverage_95"] <= 1.0
        assert metrics["mase"] > 0 and metrics["seconds"] > 0


def test_bench_default_baselines_leave_auto_ets_to_all() -> None:
    assert set(bench.DEFAULT_BASELINES) == set(bench.BASELINES) - {"auto_ets"}
    assert "lightgbm" in bench.DEFAULT_BASELINES


def test_bench_refuses_an_unknown_baseline_and_names_the_option(tmp_path: Path) -> None:
    data = _series_csv(tmp_path / "series.csv")
    result = CliRunner().invoke(_app(), ["--data", str(data), "--freq", "M", "--baselines", "prophet"])
    assert result.exit_code != 0
    assert "prophet" in result.output and "--baselines" in result.output


def _daily_csv(path: Path) -> Path:
    """Six shops, 150 days, closed on Sundays, with a promotion driver, a month-long gap in one shop,
    a duplicated day in another and a NaN in the test window of a third."""
    rng = np.random.default_rng(1)
    ds = pd.date_range("2024-01-01", periods=150, freq="D")
    frames = []
    for i in range(6):
        promo = (rng.random(len(ds)) < 0.25).astype(int)
        closed = ds.dayofweek == 6
        y = rng.poisson((40 + 10 * i) * (1 + promo)).astype(float)
        y[closed] = 0.0
        frames.append(pd.DataFrame({"unique_id": f"shop{i}", "ds": ds, "y": y, "closed": closed, "promo": promo}))
    frames[0] = frames[0].drop(frames[0].index[40:70])
    frames[1] = pd.concat([frames[1], frames[1].iloc[[10]]])
    frames[2].loc[frames[2].index[-3], "y"] = np.nan
    pd.concat(frames).to_csv(path, index=False)
    return path


def test_every_method_runs_with_one_window_and_is_scored_on_the_same_rows(tmp_path: Path) -> None:
    bench_set = load_file(_daily_csv(tmp_path / "daily.csv"), "D", 14, 7, None)
    # one thread: a shared test machine's busy cores make OpenMP threads spin
    fitted = {method: fit_method(method, bench_set, windows=1, threads=1) for method in ("tendero", *BASELINES)}
    results, rows = bench.score_set([bench_set], [{method: out[0] for method, out in fitted.items()}])
    # 6 shops x 14 days, less 2 closed Sundays each and the NaN day
    assert rows["rows_scored"] == 6 * 14 - 6 * 2 - 1
    assert rows["test_rows_closed"] == 12
    assert rows["test_rows_some_method_missed"] == dict.fromkeys(fitted, 0)
    assert {m["rows_scored"] for m in results.values()} == {rows["rows_scored"]}
    naive = results["seasonal_naive"]["mase"]
    assert results[bench.ORACLE]["mase"] <= min(results[m]["mase"] for m in BASELINES)
    for method in fitted:
        metrics = results[method]
        assert metrics["relative_mase"] == pytest.approx(metrics["mase"] / naive)
        assert 0 <= metrics["coverage_80"] <= metrics["coverage_95"] <= 1, method
        assert metrics["msis_95"] > 0
        figures = fitted[method][1]
        assert figures["cpu_seconds"] > 0 and figures["peak_mb"] > 0
    assert fitted["tendero"][1]["stage_backtest_seconds"] > 0
    assert results["tendero"]["mase"] < results["seasonal_naive"]["mase"]  # it reads the promotions


def test_the_suite_needs_its_data_and_names_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["--suite", "--data", str(tmp_path), "--sets", "rossmann", "--json"])
    assert result.exit_code != 0 and "rossmann" in result.output


def test_the_suite_refuses_an_unknown_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["--suite", "--sets", "tesco", "--json"])
    assert result.exit_code != 0 and "tesco" in result.output and "--sets" in result.output


def test_rolling_test_windows_end_each_history_where_its_test_starts(tmp_path: Path) -> None:
    bench_set = load_file(_daily_csv(tmp_path / "daily.csv"), "D", 14, 7, None)
    cuts = rolling_windows(bench_set, 3)
    assert [c.test["ds"].nunique() for c in cuts] == [14, 14, 14]
    for newer, older in itertools.pairwise(cuts):
        assert older.test["ds"].max() == newer.test["ds"].min() - pd.Timedelta(days=1)
    for cut in cuts:
        assert cut.history["ds"].max() == cut.test["ds"].min() - pd.Timedelta(days=1)
        assert set(cut.future.columns) == {"unique_id", "ds", "closed", "promo"}  # the known future
        assert len(cut.future) == len(cut.test)
    # the older windows' actuals are the newest window's history, row for row
    older = pd.concat([cuts[2].test, cuts[1].test])
    history = bench_set.history[bench_set.history["ds"] >= older["ds"].min()]
    assert len(older) == len(history) and older["y"].sum() == pytest.approx(history["y"].sum())
    # a window whose history would hold fewer than two seasons plus h periods is not made
    assert len(rolling_windows(bench_set, 20)) == (150 - 14 - (2 * 7 + 14)) // 14 + 1


def test_scores_pool_every_window_on_rows_every_method_forecast(tmp_path: Path) -> None:
    bench_set = load_file(_daily_csv(tmp_path / "daily.csv"), "D", 14, 7, None)
    cuts = rolling_windows(bench_set, 2)
    fitted = [{m: fit_method(m, cut, windows=1, threads=1)[0] for m in ("seasonal_naive", "auto_theta")}
              for cut in cuts]  # fmt: skip
    open_day = next(d for d in sorted(cuts[1].test["ds"].unique()) if pd.Timestamp(d).dayofweek != 6)
    theta = fitted[1]["auto_theta"]
    fitted[1]["auto_theta"] = theta[theta["ds"] != open_day]  # a method that missed an open day of window 1
    results, rows = bench.score_set(cuts, fitted)
    per_window = [w["rows_scored"] for w in rows["windows"]]
    # window 0 as before (less closed Sundays and the NaN day); window 1 less its Sundays and the missed day
    assert per_window == [6 * 14 - 6 * 2 - 1, 6 * 14 - 6 * 2 - 6]
    assert rows["rows_scored"] == sum(per_window) and rows["test_windows"] == 2
    assert rows["test_rows_some_method_missed"] == {"seasonal_naive": 0, "auto_theta": 6}
    assert {m["rows_scored"] for m in results.values()} == {float(rows["rows_scored"])}
    one = [w["results"]["seasonal_naive"]["mase"] for w in rows["windows"]]
    assert min(one) <= results["seasonal_naive"]["mase"] <= max(one)  # pooled lies between the windows
    assert results[bench.ORACLE]["mase"] <= min(results[m]["mase"] for m in ("seasonal_naive", "auto_theta"))


def test_test_windows_from_the_command_and_rescored_from_the_saved_forecasts(tmp_path: Path) -> None:
    data = _daily_csv(tmp_path / "daily.csv")
    args = ["--data", str(data), "--freq", "D", "--horizon", "14", "--season", "7", "--test-windows", "2", "--json"]
    fitted = CliRunner().invoke(
        _app(), [*args, "--only", "seasonal_naive", "--threads", "1", "--save", str(tmp_path / "a")]
    )
    assert fitted.exit_code == 0, fitted.output
    report = json.loads(fitted.stdout.strip().splitlines()[-1])
    assert report["params"]["test_windows"] == 2
    windows = report["params"]["rows"]["windows"]
    assert [w["window"] for w in windows] == [0, 1] and windows[0]["test_start"] > windows[1]["test_end"]
    assert report["results"]["seasonal_naive"]["rows_scored"] == sum(w["rows_scored"] for w in windows)
    assert len(report["params"]["timing"]["seasonal_naive"]["windows"]) == 2
    # a second run's forecasts, kept elsewhere, scored together with the first's on the same rows
    more = CliRunner().invoke(_app(), [*args, "--only", "auto_theta", "--threads", "1", "--save", str(tmp_path / "b")])
    assert more.exit_code == 0, more.output
    both = CliRunner().invoke(_app(), [*args, "--rescore", str(tmp_path / "a"), "--rescore", str(tmp_path / "b")])
    assert both.exit_code == 0, both.output
    rescored = json.loads(both.stdout.strip().splitlines()[-1])["results"]
    assert set(rescored) == {"seasonal_naive", "auto_theta", bench.ORACLE}
    assert rescored["seasonal_naive"]["mase"] == pytest.approx(report["results"]["seasonal_naive"]["mase"])
    nothing = CliRunner().invoke(_app(), [*args, "--rescore", str(tmp_path / "empty")])
    assert nothing.exit_code != 0 and "--rescore" in nothing.output
