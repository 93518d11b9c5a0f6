"""A tenant's own promotion column, mapped at import, drives its daily sales forecast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tendero.data import frames
from tendero.data.imports import import_file
from tendero.forecasting.kind import ForecastKind, ForecastParams
from tendero.kinds import Frames, RecordingProgress


def promo_lines(path: Path, days: int = 300) -> pd.DataFrame:
    """Two stores' daily sales of one product; on "Promo" days (1 in 4) twice as many sold."""
    rng = np.random.default_rng(4)
    dates = pd.date_range("2024-09-01", periods=days, freq="D")
    rows = []
    for store, base in (("norte", 30), ("sur", 50)):
        promo = (np.arange(days) % 4 == 0).astype(int)
        qty = rng.poisson(base * (1 + promo))
        for i, day in enumerate(dates):
            rows.append({"Ticket": f"{store}-{i}", "Fecha": day + pd.Timedelta(hours=11), "sku": "cafe",
                         "qty": int(qty[i]), "precio": 2.5, "tienda": store, "Promo": int(promo[i])})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    return frame


def test_promotion_mapped_at_import_reaches_the_forecast_as_a_driver(tenant, tmp_path: Path) -> None:
    raw = promo_lines(tmp_path / "ventas.csv")
    report = import_file(tenant.id, "order_lines", tmp_path / "ventas.csv", mapping={"Promo": "promotion"})
    assert report.counts["rejected"] == 0
    lines = frames.READERS["order_lines"](tenant.id)
    assert lines["promotion"].sum() == raw["Promo"].sum()
    params = ForecastParams(level="store", freq="D", horizon=14, history_months=12, as_of="2025-07-01")
    fitted = ForecastKind().fit(Frames.of(order_lines=lines), params, RecordingProgress())
    assert fitted.meta["panel_report"]["drivers"] == ["promotion"]
    assert fitted.meta["series_report"]["promotion_periods"] == int(raw["Promo"].sum())
    # no promotion is planned: each store's forecast is its demand without promotions
    forecast = fitted.forecast(ids=["norte", "sur"])
    history = fitted.history(ids=["norte", "sur"])
    for store, base in (("norte", 30), ("sur", 50)):
        level = forecast.loc[forecast["unique_id"] == store, "yhat"].mean()
        assert abs(level - base) < 0.15 * base
        assert level < 0.85 * history.loc[history["unique_id"] == store, "y"].mean()


def test_without_a_promotion_column_the_forecast_has_no_driver(tenant, tmp_path: Path) -> None:
    promo_lines(tmp_path / "ventas.csv").drop(columns="Promo").to_csv(tmp_path / "plain.csv", index=False)
    import_file(tenant.id, "order_lines", tmp_path / "plain.csv")
    lines = frames.READERS["order_lines"](tenant.id)
    assert lines["promotion"].isna().all()
    params = ForecastParams(level="store", freq="D", horizon=7, history_months=12, as_of="2025-07-01")
    fitted = ForecastKind().fit(Frames.of(order_lines=lines), params, RecordingProgress())
    assert fitted.meta["panel_report"]["drivers"] == []
