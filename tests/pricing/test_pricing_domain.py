"""Elasticities and prices on data with a known answer: the pooled fit equals statsmodels' OLS with fixed
effects, own elasticities are recovered and shrunk, and the optimiser lands where calculus says."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tendero.kinds import Frames, RecordingProgress
from tendero.pricing.elasticity import ElasticitySettings, fit_elasticities
from tendero.pricing.kind import FittedPricing, PricingKind, PricingParams
from tendero.pricing.optimize import optimal_price, suggest


def synthetic_panel(
    seed: int = 0, products: int = 12, weeks: int = 104, spread: float = 0.4
) -> tuple[pd.DataFrame, dict]:
    """Weekly demand with seasonality and a trend; each product has its own elasticity around -2 and
    changes price every few weeks; the last product's price never moves."""
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2024-01-01", periods=weeks, freq="W-MON")
    truth, rows = {}, []
    for p in range(products):
        beta = -2.0 + rng.normal(0, spread)
        truth[f"P{p}"] = beta
        level = rng.uniform(2.0, 4.0)
        base = rng.uniform(1.0, 6.0)
        price = base
        for t, period in enumerate(periods):
            if p < products - 1 and t % int(rng.integers(3, 8)) == 0:
                price = base * float(rng.choice([0.8, 0.9, 1.0, 1.1, 1.2]))
            season = 0.3 * math.sin(2 * math.pi * period.month / 12) + 0.1 * t / 52
            units = math.exp(level + beta * math.log(price) + season + rng.normal(0, 0.15))
            rows.append({"product_id": f"P{p}", "category": "cat", "period": period, "units": units,
                         "revenue": units * price, "price": price})  # fmt: skip
    return pd.DataFrame(rows), truth


def test_pooled_elasticity_equals_statsmodels_ols_with_product_and_month_effects():
    import statsmodels.formula.api as smf

    panel, _ = synthetic_panel()
    model = fit_elasticities(panel)
    data = panel.assign(y=np.log(panel["units"]), x=np.log(panel["price"]), month=panel["period"].dt.month,
                        trend=(panel["period"] - panel["period"].min()).dt.days / 365.25)  # fmt: skip
    ols = smf.ols("y ~ x + C(product_id) + C(month) + trend", data=data).fit()
    category = model.categories.iloc[0]
    assert math.isclose(category["elasticity"], ols.params["x"], rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(category["se"], ols.bse["x"], rel_tol=1e-6)


def test_own_elasticities_are_recovered_and_shrunk_toward_the_category():
    panel, truth = synthetic_panel(seed=1, products=15, spread=0.5)
    model = fit_elasticities(panel).products.set_index("product_id")
    estimated = model[model["source"] == "product"]
    assert len(estimated) == 14
    own_error = np.mean([abs(estimated.loc[p, "own_elasticity"] - truth[p]) for p in estimated.index])
    assert own_error < 0.25
    category = fit_elasticities(panel).categories.iloc[0]["elasticity"]
    for product, row in estimated.iterrows():  # shrinkage sits between the own estimate and the category's
        low, high = sorted((row["own_elasticity"], category))
        assert low - 1e-12 <= row["elasticity"] <= high + 1e-12, product
    frozen = model.loc["P14"]
    assert frozen["source"] == "category" and math.isnan(frozen["own_elasticity"])
    assert math.isclose(frozen["elasticity"], category)


def test_a_category_whose_prices_never_moved_has_no_figure():
    panel, _ = synthetic_panel(products=3)
    flat = panel.assign(price=panel.groupby("product_id")["price"].transform("first"))
    model = fit_elasticities(flat)
    assert set(model.products["source"]) == {"none"}
    assert math.isnan(model.categories.iloc[0]["elasticity"])


def test_short_history_is_not_an_estimate():
    panel, _ = synthetic_panel(weeks=6)
    model = fit_elasticities(panel, ElasticitySettings(min_periods=8))
    assert (model.products["source"] != "product").all()


def test_optimal_prices_follow_the_calculus_inside_the_guardrails():
    assert math.isclose(optimal_price(10.0, -3.0, "margin", 0.5, cost=6.0), 9.0)  # Lerner: 6 * 3 / 2
    assert math.isclose(optimal_price(10.0, -3.0, "margin", 0.05, cost=6.0), 9.5)  # clipped to -5 %
    assert math.isclose(optimal_price(10.0, -2.0, "revenue", 0.1), 9.0)  # elastic: lower price, more revenue
    assert math.isclose(optimal_price(10.0, -0.5, "revenue", 0.1), 11.0)  # inelastic: raise it
    assert math.isclose(optimal_price(10.0, -2.0, "revenue", 0.1, cost=9.5), 9.5)  # never under cost
    grid = np.linspace(9.0, 11.0, 2001)
    margin = (grid - 6.0) * grid**-2.5
    assert abs(optimal_price(10.0, -2.5, "margin", 0.1, cost=6.0) - grid[np.argmax(margin)]) < 1e-3
    s = suggest(10.0, 100.0, -2.5, 0.3, "margin", 0.1, cost=6.0)
    assert s.price_low <= s.price <= s.price_high and s.units_low <= s.units <= s.units_high
    assert suggest(10.0, 100.0, -2.0, 0.1, "margin", 0.1, cost=12.0).below_cost


def test_the_kind_fits_saves_loads_and_answers_the_same(tmp_path):
    panel, _ = synthetic_panel(seed=2)
    lines = panel.rename(columns={"period": "ordered_at", "units": "quantity"}).assign(
        unit_price=lambda f: f["price"], status="completed", order_id=lambda f: [f"O{i}" for i in range(len(f))]
    )
    products = pd.DataFrame({"product_id": [f"P{i}" for i in range(12)], "price": 3.0, "cost": 1.5,
                             "category": "cat"})  # fmt: skip
    progress = RecordingProgress()
    fitted = PricingKind().fit(Frames.of(order_lines=lines, products=products), PricingParams(), progress)
    assert progress.events[-1].step == progress.events[-1].total
    assert fitted.metrics["backtest_wape"] < fitted.metrics["backtest_wape_no_elasticity"]
    fitted.save(tmp_path)
    loaded = FittedPricing.load(tmp_path)
    for product in ("P0", "P11"):
        assert loaded.suggest(product, lang="en") == fitted.suggest(product, lang="en")
    answer = loaded.suggest("P0", objective="margin", lang="es")
    assert answer["status"] == "estimated" and answer["currency"] == "EUR"
    assert 2.7 - 1e-9 <= answer["suggested_price"] <= 3.3 + 1e-9 and answer["suggested_price"] >= 1.5
    frozen = loaded.suggest("P11", lang="es")
    assert frozen["status"] == "cannot_estimate" and frozen["suggested_price"] is None
    assert frozen["message"].startswith("No se puede estimar") and "categoría «cat»" in frozen["message"]
    with pytest.raises(KeyError):
        loaded.suggest("nope")
