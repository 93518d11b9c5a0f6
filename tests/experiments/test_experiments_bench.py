"""`tendero bench experiments` and `tendero bench pricing` print the shared JSON contract on real data."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import shared_data


@pytest.mark.slow
def test_experiments_bench_prints_rates_for_tendero_and_naive():
    cdnow = shared_data("customers/CDNOW_master.txt")
    # a child process: the ingestion part points TENDERO_HOME and the database at its own temporary folder
    done = subprocess.run(
        [sys.executable, "-m", "tendero.cli", "bench", "experiments", "--cdnow", str(cdnow), "--ab-data", "none",
         "--cookie-cats", "none", "--simulations", "40", "--assignment-units", "20000", "--ingest-events", "4000",
         "--json"], capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["bench"] == "experiments" and report["params"]["outcomes"] == ["cdnow_spend", "cdnow_purchases"]
    ours, naive = report["results"]["tendero"], report["results"]["naive"]
    for metric in ("aa_false_positive_rate", "ci_coverage_95", "sequential_false_positive_rate", "srm_detection_rate",
                   "cuped_variance_reduction", "simulations"):  # fmt: skip
        assert metric in ours and metric in naive
    assert ours["simulations"] == 80 and 0.2 < ours["cuped_variance_reduction"] < 0.6
    assert 0.5 < ours["cdnow_spend_pre_period_correlation"] < 0.7
    assert ours["assignment_stable"] == 1 and ours["assignment_max_share_error"] < 0.02
    assert ours["ingest_events"] == 4000 and ours["ingest_events_per_s"] > 0


@pytest.mark.slow
def test_pricing_bench_reports_brand_elasticities_and_the_backtest():
    data = shared_data("pricing/orangeJuice_yx.csv.gz")
    done = subprocess.run([sys.executable, "-m", "tendero.cli", "bench", "pricing", "--data", str(data), "--json"],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)["results"]
    assert set(results) == {"tendero", "own_only", "pooled_ols", "no_elasticity"}
    ours = results["tendero"]
    assert ours["products"] == 913 and -5 < ours["median_brand_elasticity"] < -1
    assert len([k for k in ours if k.startswith("elasticity_brand_")]) == 11
    assert ours["backtest_wape"] < results["no_elasticity"]["backtest_wape"]
