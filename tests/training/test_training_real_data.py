"""The tabular kind on real data: Walmart store-weeks with store features (../shared/data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from tendero.kinds import Frames, RecordingProgress
from tendero.training.kind import TabularKind, TabularParams, split_rows

WALMART = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "forecast" / "walmart_recruiting"


@pytest.mark.slow
@pytest.mark.skipif(not WALMART.exists(), reason=f"real data folder {WALMART} is absent")
def test_walmart_store_weeks_lightgbm_matches_scikit_learn_metrics_and_explains_sales() -> None:
    from tendero.bench.tabular import walmart_store_weeks

    frame = walmart_store_weeks(WALMART)
    assert len(frame) == 45 * 143
    progress = RecordingProgress()
    params = TabularParams(task="regression", target="Weekly_Sales", algorithm="lightgbm", importance_repeats=2)
    model = TabularKind().fit(Frames.of(dataset=frame), params, progress)
    assert len(progress.events) >= 10
    _, val = split_rows(len(frame), 0.2, 0)
    y = frame["Weekly_Sales"].to_numpy()[val]
    predicted = model.raw_output(frame.drop(columns="Weekly_Sales").iloc[val])
    assert model.metrics["r2"] == pytest.approx(skm.r2_score(y, predicted))
    assert model.metrics["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, predicted)))
    assert model.metrics["r2"] > 0.9
    top = [row["feature"] for row in model.details["feature_importance"][:3]]
    assert "Store" in top or "Size" in top
    assert model.details["column_types"]["Date"] == "datetime"
    assert model.details["column_types"]["Store"] == "categorical"
