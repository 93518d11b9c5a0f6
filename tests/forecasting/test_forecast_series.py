"""The SmartSales365 data rules, each fed the bad input it guards against."""

from __future__ import annotations

import pandas as pd
import pytest

from tendero.forecasting.series import ForecastParameterError, build_series, validate_horizon

AS_OF = pd.Timestamp("2025-11-15")


def lines(rows: list[tuple[str, str, float]], status: str = "completed") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(rows))],
            "ordered_at": pd.to_datetime([r[0] for r in rows]),
            "category": [r[1] for r in rows],
            "product_id": [f"p-{r[1]}" for r in rows],
            "store": "centro",
            "status": status,
            "quantity": [r[2] for r in rows],
        }
    )


def monthly(category: str, months: int, end: str = "2025-10-10") -> list[tuple[str, str, float]]:
    days = pd.date_range(end=end, periods=months, freq="30D")
    return [(d.date().isoformat(), category, 5.0) for d in days]


def test_missing_months_are_filled_with_zero() -> None:
    rows = [("2025-01-10", "Jeans", 4), ("2025-04-02", "Jeans", 6), ("2025-10-03", "Jeans", 1)]
    out = build_series(lines(rows), level="category", freq="M", history_months=12, as_of=AS_OF)
    jeans = out.frame.set_index("ds")["y"]
    assert len(jeans) == 10  # Jan..Oct 2025
    assert jeans[pd.Timestamp("2025-02-01")] == 0 and jeans[pd.Timestamp("2025-03-01")] == 0
    assert jeans.sum() == 11
    assert out.report.zero_filled_periods == 7


def test_series_with_fewer_than_three_periods_are_left_out_and_listed() -> None:
    rows = [*monthly("Blusas", 8), ("2025-09-20", "Jackets", 3), ("2025-10-05", "Jackets", 2)]
    out = build_series(lines(rows), level="category", freq="M", history_months=12, as_of=AS_OF)
    assert set(out.frame["unique_id"]) == {"Blusas"}
    assert [(x.unique_id, x.periods) for x in out.report.left_out] == [("Jackets", 2)]


def test_future_dated_rows_are_ignored_and_reported() -> None:
    rows = [*monthly("Blusas", 6), ("2026-03-01", "Blusas", 999), ("2026-04-01", "Vestidos", 7)]
    out = build_series(lines(rows), level="category", freq="M", history_months=12, as_of=AS_OF)
    assert out.report.future_rows == 2
    assert out.report.future_first == "2026-03-01T00:00:00"
    assert out.frame["y"].max() < 999
    assert "Vestidos" not in set(out.frame["unique_id"])


def test_incomplete_current_period_is_dropped_and_cancelled_lines_are_not_sales() -> None:
    rows = [*monthly("Blusas", 6), ("2025-11-10", "Blusas", 50)]
    data = pd.concat([lines(rows), lines([("2025-09-01", "Blusas", 100)], status="cancelled")])
    out = build_series(data, level="category", freq="M", history_months=12, as_of=AS_OF)
    assert out.report.partial_period_dropped == "2025-11-01"
    assert out.frame["ds"].max() == pd.Timestamp("2025-10-01")
    assert out.report.cancelled_rows == 1
    assert out.frame["y"].max() == 5.0


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"history_months": 11}, "history_months"),
        ({"history_months": 61}, "history_months"),
        ({"level": "region"}, "level"),
        ({"freq": "Q"}, "freq"),
        ({"measure": "margin"}, "measure"),
    ],
)
def test_out_of_bounds_parameters_raise_errors_naming_the_parameter(kwargs: dict, parameter: str) -> None:
    with pytest.raises(ForecastParameterError) as err:
        build_series(lines(monthly("Blusas", 6)), as_of=AS_OF, **kwargs)
    assert err.value.parameter == parameter
    assert parameter in str(err.value)


@pytest.mark.parametrize(
    ("horizon", "freq", "ok"),
    [
        (12, "M", True),
        (13, "M", False),
        (0, "M", False),
        (365, "D", True),
        (366, "D", False),
        (52, "W", True),
        (53, "W", False),
    ],
)
def test_horizon_bounds_depend_on_frequency(horizon: int, freq: str, ok: bool) -> None:
    if ok:
        assert validate_horizon(horizon, freq) == horizon
    else:
        with pytest.raises(ForecastParameterError, match="horizon"):
            validate_horizon(horizon, freq)


def test_levels_and_weekly_periods() -> None:
    data = lines(monthly("Blusas", 10) + monthly("Jeans", 10))
    data.loc[data["category"] == "Jeans", "store"] = "norte"
    total = build_series(data, level="total", freq="W", history_months=12, as_of=AS_OF)
    assert set(total.frame["unique_id"]) == {"total"}
    assert (total.frame["ds"].dt.weekday == 0).all()  # weeks labelled by their Monday
    assert total.frame["y"].sum() == 100
    by_store = build_series(data, level="store_product", freq="M", history_months=12, as_of=AS_OF)
    assert set(by_store.frame["unique_id"]) == {"centro/p-Blusas", "norte/p-Jeans"}
    assert set(by_store.keys.columns) >= {"unique_id", "store", "product_id", "category"}


def test_missing_columns_are_named() -> None:
    with pytest.raises(ForecastParameterError, match="category"):
        build_series(lines(monthly("Blusas", 6)).drop(columns="category"), level="category", as_of=AS_OF)
