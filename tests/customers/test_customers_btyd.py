"""The BTYD likelihoods recover known parameters and their predictions behave as the models say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.customers import btyd
from tendero.customers.transactions import read_cdnow, summarise, transaction_log


def _bgnbd_summary(n: int, r: float, alpha: float, a: float, b: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    big_t = rng.uniform(26, 39, n)
    rows = []
    for T in big_t:
        rate, drop = rng.gamma(r, 1 / alpha), rng.beta(a, b)
        t, x, last = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1 / rate)
            if t > T:
                break
            x, last = x + 1, t
            if rng.random() < drop:
                break
        rows.append((x, last, T))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


def test_bgnbd_recovers_the_parameters_it_was_simulated_with():
    data = _bgnbd_summary(8000, r=0.5, alpha=4.0, a=0.8, b=2.5)
    fitted = btyd.BetaGeoNBD().fit(data["frequency"], data["recency"], data["T"])
    expected = {"r": 0.5, "alpha": 4.0, "a": 0.8, "b": 2.5}
    for name, value in expected.items():
        assert fitted.params[name] == pytest.approx(value, rel=0.3), name
    # and simulated holdout-free aggregate: expected purchases of a new customer grow with time
    assert fitted.expected_purchases_new(10) < fitted.expected_purchases_new(20)


def test_a_one_time_buyer_is_surely_alive_under_bgnbd_but_not_under_mbgnbd_or_pareto():
    zero = (np.array([0.0]), np.array([0.0]), np.array([30.0]))
    bg = btyd.BetaGeoNBD({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4})
    mbg = btyd.ModifiedBetaGeoNBD({"r": 0.5, "alpha": 6.2, "a": 0.9, "b": 1.6})
    pareto = btyd.ParetoNBD({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7})
    assert bg.p_alive(*zero)[0] == 1.0
    assert mbg.p_alive(*zero)[0] < 0.9
    assert pareto.p_alive(*zero)[0] < 0.9


def test_a_frequent_buyer_who_went_quiet_is_less_alive_than_one_who_just_bought():
    pareto = btyd.ParetoNBD({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7})
    x, big_t = np.array([8.0, 8.0]), np.array([38.0, 38.0])
    quiet, recent = pareto.p_alive(x, np.array([5.0, 37.0]), big_t)
    assert quiet < 0.2 < 0.9 < recent
    for model in (pareto, btyd.BetaGeoNBD({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4})):
        expected = model.expected_purchases(10.0, x, np.array([5.0, 37.0]), big_t)
        assert expected[0] < expected[1]


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_no_purchase_probability_matches_a_monte_carlo_of_the_posterior(name):
    params = {
        "bgnbd": {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4},
        "mbgnbd": {"r": 0.5, "alpha": 6.2, "a": 0.9, "b": 1.6},
        "pareto_nbd": {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7},
    }[name]
    model = btyd.count_model(name, params)
    x, t_x, big_t, horizon = 3.0, 20.0, 35.0, 26.0
    rng = np.random.default_rng(3)
    # simulate futures of customers sharing this history by importance-weighting prior draws
    draws = 400_000
    rate = rng.gamma(params["r"], 1 / params["alpha"], draws)
    if name == "pareto_nbd":
        mu = rng.gamma(params["s"], 1 / params["beta"], draws)
        death = rng.exponential(1 / mu)
        # likelihood of the history (x purchases, last at t_x, unobserved to T) given rate and lifetime
        weight = np.where(death > big_t, rate**x * np.exp(-rate * big_t), 0.0) + np.where(
            (death > t_x) & (death <= big_t), rate**x * np.exp(-rate * death), 0.0
        )
        alive = death > big_t
        remaining = death - big_t
        quiet = ~alive | (rng.exponential(1 / rate) > np.minimum(remaining, horizon))
        estimate = np.sum(weight * quiet) / np.sum(weight)
    else:
        # BG family: dropout happens only at purchases, so quiet-if-alive is the gamma posterior's
        # Laplace transform; check the closed form against draws from that posterior
        alive = model.p_alive(np.array([x]), np.array([t_x]), np.array([big_t]))[0]
        posterior = rng.gamma(params["r"] + x, 1 / (params["alpha"] + big_t), draws)
        estimate = 1 - alive + alive * np.mean(np.exp(-posterior * horizon))
    computed = model.p_no_purchase(horizon, np.array([x]), np.array([t_x]), np.array([big_t]))[0]
    assert computed == pytest.approx(estimate, abs=0.01)


def test_gamma_gamma_shrinks_a_single_order_towards_the_population_mean():
    spend = btyd.GammaGamma({"p": 6.25, "q": 3.74, "v": 15.44})
    population = 6.25 * 15.44 / (3.74 - 1)
    one, many = spend.expected_spend(np.array([1.0, 20.0]), np.array([200.0, 200.0]))
    assert population < one < many < 200.0
    assert spend.expected_spend(np.array([0.0]), np.array([0.0]))[0] == pytest.approx(population)


def test_clv_is_lower_with_a_higher_discount_rate_and_zero_for_a_zero_horizon_spend():
    model = btyd.BetaGeoNBD({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4})
    args = (np.array([4.0]), np.array([30.0]), np.array([38.0]))
    low = btyd.customer_lifetime_value(model, np.array([30.0]), *args, 365, 0.0)
    high = btyd.customer_lifetime_value(model, np.array([30.0]), *args, 365, 0.5)
    assert 0 < high[0] < low[0]
    expected = model.expected_purchases(365 / 7, *args)[0] * 30.0
    assert low[0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.slow
def test_cdnow_sample_parameters_match_the_published_estimates(cdnow_folder):
    orders = transaction_log(read_cdnow(cdnow_folder / "CDNOW_sample.txt")).orders
    summary = summarise(orders, "1997-09-30")
    args = (summary["frequency"], summary["recency"], summary["T"])
    published = {
        btyd.BetaGeoNBD: {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        btyd.ParetoNBD: {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    }
    for model_type, values in published.items():
        fitted = model_type().fit(*args)
        for name, value in values.items():
            assert fitted.params[name] == pytest.approx(value, rel=0.005), (model_type.name, name)
    spend = btyd.GammaGamma().fit(summary["frequency"], summary["monetary_value"])
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert spend.params[name] == pytest.approx(value, rel=0.005), name


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_rate_if_alive_is_the_slope_of_expected_purchases_over_a_short_horizon(name):
    params = {
        "bgnbd": {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4},
        "mbgnbd": {"r": 0.5, "alpha": 6.2, "a": 0.9, "b": 1.6},
        "pareto_nbd": {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7},
    }[name]
    model = btyd.count_model(name, params)
    x, t_x, big_t = np.array([0.0, 3.0, 8.0]), np.array([0.0, 20.0, 37.0]), np.array([30.0, 35.0, 38.0])
    dt = 1e-4
    slope = model.expected_purchases(dt, x, t_x, big_t) / dt
    expected = model.p_alive(x, t_x, big_t) * model.rate_if_alive(x, big_t)
    np.testing.assert_allclose(slope, expected, rtol=1e-3)


def test_a_scaled_model_multiplies_expected_purchases_and_clv_and_keeps_the_probabilities():
    plain = btyd.ParetoNBD({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7})
    scaled = btyd.ScaledCountModel(plain, 1.25)
    args = (np.array([0.0, 3.0, 8.0]), np.array([0.0, 20.0, 37.0]), np.array([30.0, 35.0, 38.0]))
    np.testing.assert_allclose(scaled.expected_purchases(13.0, *args), 1.25 * plain.expected_purchases(13.0, *args))
    times = np.array([4.0, 13.0, 52.0])
    np.testing.assert_allclose(
        scaled.expected_purchases_curve(times, *args), 1.25 * plain.expected_purchases_curve(times, *args)
    )
    assert scaled.expected_purchases_new(10.0) == pytest.approx(1.25 * plain.expected_purchases_new(10.0))
    np.testing.assert_allclose(scaled.rate_if_alive(args[0], args[2]), 1.25 * plain.rate_if_alive(args[0], args[2]))
    spend = np.array([20.0, 30.0, 40.0])
    np.testing.assert_allclose(
        btyd.customer_lifetime_value(scaled, spend, *args, 365, 0.1),
        1.25 * btyd.customer_lifetime_value(plain, spend, *args, 365, 0.1),
    )
    np.testing.assert_array_equal(scaled.p_alive(*args), plain.p_alive(*args))
    np.testing.assert_array_equal(scaled.p_no_purchase(13.0, *args), plain.p_no_purchase(13.0, *args))
    assert (scaled.name, scaled.params) == (plain.name, plain.params)


def test_a_scaled_model_refuses_a_bad_factor_and_refitting():
    plain = btyd.BetaGeoNBD({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4})
    for factor in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="positive"):
            btyd.ScaledCountModel(plain, factor)
    with pytest.raises(TypeError):
        btyd.ScaledCountModel(plain, 1.1).fit(np.array([1.0]), np.array([1.0]), np.array([2.0]))


def test_the_laplace_spread_of_parameters_and_predicted_totals_matches_refits_on_new_samples():
    truth = {"r": 0.5, "alpha": 4.0, "a": 0.8, "b": 2.5}
    data = _bgnbd_summary(1000, **truth, seed=99)
    args = (data["frequency"].to_numpy(), data["recency"].to_numpy(), data["T"].to_numpy())
    model = btyd.BetaGeoNBD().fit(*args, start=truth)
    fits, totals = [], []
    for seed in range(16):
        other = _bgnbd_summary(1000, **truth, seed=100 + seed)
        refit = btyd.BetaGeoNBD().fit(other["frequency"], other["recency"], other["T"], start=truth)
        fits.append(np.log([refit.params[n] for n in refit.param_names]))
        totals.append(np.log(refit.expected_purchases(13.0, *args).sum()))  # the same customers each time
    laplace = np.sqrt(np.diag(model.log_parameter_covariance(*args)))
    observed = np.std(fits, axis=0, ddof=1)
    assert np.all((laplace > 0.6 * observed) & (laplace < 1.3 * observed)), (laplace, observed)
    sd_total = model.total_log_sd(13.0, *args)
    assert 0.6 * np.std(totals, ddof=1) < sd_total < 1.3 * np.std(totals, ddof=1)
    assert sd_total < laplace.min()  # the total is pinned down far better than any one parameter
