"""``tendero bench forecast`` prints one JSON object with tendero and the baselines it was asked for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import typer
from typer.testing import CliRunner

from tendero.bench import forecast as bench

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


def test_bench_reports_tendero_and_the_chosen_baselines_with_every_metric(tmp_path: Path) -> None:
    data = _series_csv(tmp_path / "series.csv")
    args = ["--data", str(data), "--freq", "M", "--horizon", "4", "--windows", "2", "--json"]
    result = CliRunner().invoke(_app(), [*args, "--baselines", "seasonal_naive,lightgbm"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["bench"] == "forecast" and report["data"] == str(data)
    assert report["params"]["methods"] == ["tendero", "seasonal_naive", "lightgbm"]
    assert set(report["results"]) == {"tendero", "seasonal_naive", "lightgbm"}
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
