"""The customers bench prints the shared JSON contract, with the holdout oracle as an upper bound."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from tendero.bench import customers as bench

METHODS = {"tendero", "constant_rate", "no_purchases", "bgnbd", "mbgnbd", "pareto_nbd", "holdout_oracle"}


@pytest.mark.slow  # the whole bench: every model, three baselines and a 5-fold LightGBM oracle per target
def test_bench_prints_one_json_object_with_models_baselines_and_the_holdout_oracle(tmp_path, shoppers):
    path = tmp_path / "lines.csv"
    shoppers.to_csv(path, index=False)  # 78 weeks of order lines from 2024-01-01
    end = (pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=39)).date().isoformat()
    app = typer.Typer()
    app.command()(bench.command)
    args = ["--transactions", str(path), "--format", "csv", "--calibration-end", end, "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["bench"] == "customers" and report["data"] == str(path)
    assert report["params"]["calibration_end"] == end
    results = report["results"]
    assert set(results) == METHODS
    ours, oracle = results["tendero"], results["holdout_oracle"]
    actual = ours["holdout_purchases_actual"]
    assert actual > 0
    # shoppers drawn from the BG/NBD story: the fitted models predict the holdout total well
    assert abs(ours["holdout_purchases_predicted"] / actual - 1.0) < 0.25
    assert ours["per_customer_mae"] < results["constant_rate"]["per_customer_mae"]
    # the oracle scores every customer out of fold: sensible, not perfect
    assert 0.6 < oracle["churn_auc"] < 0.99
    assert 0.1 < oracle["top_decile_revenue_share"] < 1.0
    assert results["no_purchases"]["per_customer_mae"] == actual / ours["customers"]
