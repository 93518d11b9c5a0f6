"""The purchase calibration: the chosen BTYD model's actual/predicted purchases in the backtest
window become a level factor on its expected purchases and CLV, shrunk towards 1 by the backtest's
uncertainty. BTYD models miss aggregate repeat buying on real shops (-13 % on CDNOW, mostly
one-time buyers who come back); a correction learned on the shop's own past narrows that and keeps
the ranking. P(alive) and P(no purchase) stay the model's own."""

from __future__ import annotations

from typing import Any

import numpy as np

from tendero.customers.backtest import Backtest
from tendero.customers.settings import Report, Settings
from tendero.customers.transactions import btyd_args

# The purchase factor is the backtest's log(actual / predicted) total shrunk towards 0 (normal prior
# and evidence on the log scale). Prior: a BTYD model's aggregate miss on a new window is mostly
# within +-15 %. Drift: the miss in the next window differs from the last one's by about 10 % even
# when both are measured exactly (inside CDNOW's calibration weeks alone, Pareto/NBD's miss at
# cutoffs 13, 19.5 and 26 weeks varies with a standard deviation of about 0.13 on the log scale).
# The evidence's other noise is measured per fit: parameter uncertainty (delta method on the
# Laplace covariance) and customer-level noise of the actual total.
PURCHASE_FACTOR_PRIOR_SD = 0.15
PURCHASE_FACTOR_DRIFT_SD = 0.10
PURCHASE_FACTOR_BOUNDS = (0.5, 2.0)


def calibrate_purchases(
    backtest: Backtest, chosen: str, settings: Settings, say: Report
) -> tuple[float, dict[str, Any]]:
    """The purchase factor of the chosen model and how it was found (1 when turned off or when the
    chosen model has no backtest)."""
    if settings.calibrate_purchases and chosen in backtest.models:
        past_model, past_args = backtest.models[chosen], btyd_args(backtest.past)
        predicted = past_model.expected_purchases(backtest.window_weeks, *past_args)
        parameter_sd = past_model.total_log_sd(backtest.window_weeks, *past_args)
        factor, details = level_factor(backtest.actual, predicted, parameter_sd)
        calibration: dict[str, Any] = {"factor": factor, **details, "window_days": backtest.window}
    else:
        why = "turned off" if not settings.calibrate_purchases else "no backtest of the chosen model"
        factor, calibration = 1.0, {"factor": 1.0, "by": why}
    say(f"purchase calibration: factor {calibration['factor']:.3f}")  # the evidence is kept in the model's choices
    return factor, calibration


def level_factor(
    actual: np.ndarray, predicted: np.ndarray, parameter_log_sd: float
) -> tuple[float, dict[str, float | str | None]]:
    """The factor on expected purchases from one backtest: per-customer actual and predicted counts
    in the window, and the uncertainty of log(predicted total) from the model's parameters.

    The log ratio of the totals is shrunk towards 0 by the weight prior / (prior + drift +
    parameter + noise variance), so a big shop with a clear miss gets most of the correction and a
    small one with a noisy fit little of it; the factor stays within ``PURCHASE_FACTOR_BOUNDS``.
    """
    actual_total, predicted_total = float(np.sum(actual)), float(np.sum(predicted))
    details: dict[str, float | str | None] = {
        "backtest_actual_purchases": actual_total,
        "backtest_predicted_purchases": predicted_total,
    }
    if actual_total <= 0 or not np.isfinite(predicted_total) or predicted_total <= 0:
        return 1.0, details | {"by": "no purchases (actual or predicted) in the backtest window: no correction"}
    ratio = actual_total / predicted_total
    # customer-level noise of the actual total, around the prediction scaled to match it
    residuals = np.asarray(actual, dtype=float) - ratio * np.asarray(predicted, dtype=float)
    noise_log_sd = float(np.sqrt(np.sum(residuals**2))) / actual_total
    prior = PURCHASE_FACTOR_PRIOR_SD**2
    spread = prior + PURCHASE_FACTOR_DRIFT_SD**2 + parameter_log_sd**2 + noise_log_sd**2
    weight = prior / spread if np.isfinite(spread) else 0.0
    log_ratio = float(np.log(ratio))
    low, high = PURCHASE_FACTOR_BOUNDS
    factor = float(np.clip(np.exp(weight * log_ratio), low, high))
    return factor, details | {
        "ratio": ratio,
        "weight": weight,
        "parameter_log_sd": parameter_log_sd if np.isfinite(parameter_log_sd) else None,
        "noise_log_sd": noise_log_sd,
        "by": "backtest actual / predicted purchases of the chosen model, shrunk towards 1 by its uncertainty",
    }
