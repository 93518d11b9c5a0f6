"""No forecast metric explodes when the actuals are zero: WAPE is left out, sMAPE and MASE stay readable."""

from __future__ import annotations

import pandas as pd
import pytest

from tendero.forecasting.metrics import score_forecasts, series_scales


def test_zero_actuals_leave_wape_out_instead_of_dividing_by_a_tiny_number():
    history = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=12, freq="MS"),
                            "y": [0.0, 2.0] * 6})  # fmt: skip
    scales = series_scales(history, 1)
    days = pd.date_range("2025-01-01", periods=3, freq="MS")
    actuals = pd.DataFrame({"unique_id": "a", "ds": days, "y": 0.0})
    forecasts = pd.DataFrame({"unique_id": "a", "ds": days, "yhat": [1.0, 0.0, 2.0]})
    scored = score_forecasts(actuals, forecasts, scales, levels=())
    assert "wape" not in scored
    assert scored["smape"] == pytest.approx(100 * (2 + 0 + 2) / 3)
    assert all(abs(value) < 1e3 for value in scored.values())
    sold = score_forecasts(actuals.assign(y=[1.0, 0.0, 1.0]), forecasts, scales, levels=())
    assert sold["wape"] == pytest.approx(0.5)  # |1-1| + |0-0| + |1-2| over 1 + 0 + 1
