"""The backtest's actual/predicted purchases scale expected purchases and CLV, and nothing else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.customers import btyd
from tendero.customers.calibration import (
    PURCHASE_FACTOR_BOUNDS,
    PURCHASE_FACTOR_DRIFT_SD,
    PURCHASE_FACTOR_PRIOR_SD,
    level_factor,
)
from tendero.customers.model import fit_customer_model
from tendero.customers.settings import Settings
from tendero.customers.transactions import transaction_log

SMALL = {"churn_window_days": 60.0, "clusters": 0, "n_estimators": 30}


def _backtest(ratio: float, customers: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer predicted counts and actual counts drawn at ``ratio`` times the prediction."""
    rng = np.random.default_rng(seed)
    predicted = rng.gamma(0.5, 1.0, customers)
    return rng.poisson(ratio * predicted).astype(float), predicted


def test_a_clear_miss_on_a_big_shop_gets_most_of_the_correction_and_never_more():
    actual, predicted = _backtest(1.2)
    factor, details = level_factor(actual, predicted, parameter_log_sd=0.0)
    prior = PURCHASE_FACTOR_PRIOR_SD**2
    assert details["ratio"] == pytest.approx(1.2, abs=0.02)
    assert details["weight"] == pytest.approx(prior / (prior + PURCHASE_FACTOR_DRIFT_SD**2), abs=0.02)
    assert 1.1 < factor < details["ratio"]
    assert factor == pytest.approx(details["ratio"] ** details["weight"])
    low, _ = level_factor(*_backtest(0.8), parameter_log_sd=0.0)
    assert 0.8 < low < 0.9


def test_an_uncertain_backtest_moves_the_factor_less():
    actual, predicted = _backtest(1.3)
    sure, _ = level_factor(actual, predicted, parameter_log_sd=0.02)
    unsure, _ = level_factor(actual, predicted, parameter_log_sd=0.3)
    assert 1.0 < unsure < sure
    assert level_factor(actual, predicted, parameter_log_sd=float("inf"))[0] == 1.0
    _, many = level_factor(actual, predicted, 0.02)
    _, few = level_factor(*_backtest(1.3, customers=100), parameter_log_sd=0.02)
    assert few["noise_log_sd"] > 5 * many["noise_log_sd"]  # 100 customers: a noisier actual total
    assert few["weight"] < many["weight"]


def test_the_factor_stays_within_bounds_and_is_one_without_purchases():
    actual, predicted = _backtest(1.0)
    assert level_factor(actual * 1e4, predicted, 0.0)[0] == PURCHASE_FACTOR_BOUNDS[1]
    assert level_factor(actual, predicted * 1e4, 0.0)[0] == PURCHASE_FACTOR_BOUNDS[0]
    assert level_factor(np.zeros(5), np.ones(5), 0.0)[0] == 1.0
    assert level_factor(np.ones(5), np.full(5, np.nan), 0.0)[0] == 1.0


def test_a_model_that_under_predicts_the_backtest_window_is_scaled_up(shoppers):
    # every order of the last 60 days gets a twin two days earlier: buying doubled lately, which
    # no stationary BTYD model fitted before those 60 days can foresee
    end = shoppers["ordered_at"].max().normalize()
    recent = shoppers[shoppers["ordered_at"] > end - pd.Timedelta(days=60)]
    twins = recent.assign(order_id=recent["order_id"] + "-twin", ordered_at=recent["ordered_at"] - pd.Timedelta(days=2))
    model = fit_customer_model(transaction_log(pd.concat([shoppers, twins])), Settings(**SMALL))

    calibration = model.choices["purchase_calibration"]
    assert calibration["backtest_actual_purchases"] > 1.5 * calibration["backtest_predicted_purchases"]
    assert 1.15 < model.purchase_factor < calibration["ratio"]
    assert model.metrics["purchase_factor"] == model.purchase_factor

    plain = btyd.count_model(model.count_model_name, model.count_params[model.count_model_name])
    scores = model.scores
    args = (scores["frequency_btyd"], scores["recency_btyd"], scores["T_btyd"])
    np.testing.assert_allclose(scores["expected_90d"], model.purchase_factor * plain.expected_purchases(90 / 7, *args))
    np.testing.assert_allclose(scores["p_alive"], plain.p_alive(*args))
    buyer = model.likely_buyers(days=7, limit=1)[0]
    row = scores.loc[[buyer["customer_id"]]]
    one = (row["frequency_btyd"], row["recency_btyd"], row["T_btyd"])
    assert buyer["expected_purchases_window"] == pytest.approx(
        model.purchase_factor * plain.expected_purchases(1.0, *one)[0]
    )


def test_a_well_specified_model_keeps_a_factor_near_one_and_the_correction_can_be_turned_off(shoppers):
    log = transaction_log(shoppers)
    on = fit_customer_model(log, Settings(**SMALL))
    off = fit_customer_model(log, Settings(**SMALL, calibrate_purchases=False))
    assert 0.8 < on.purchase_factor < 1.25  # simulated from the BG/NBD story: nothing to correct
    assert off.purchase_factor == 1.0
    assert off.choices["purchase_calibration"]["by"] == "turned off"
    assert on.count_params == off.count_params
    np.testing.assert_allclose(on.scores["clv"], on.purchase_factor * off.scores["clv"])
    np.testing.assert_allclose(on.scores["value_at_risk"], on.purchase_factor * off.scores["value_at_risk"])
    pd.testing.assert_series_equal(on.scores["churn_probability"], off.scores["churn_probability"])
