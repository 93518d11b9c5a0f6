"""Expected spend per order: Gamma-Gamma where it fits, each customer's mean order value where not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tendero.customers import btyd
from tendero.customers.settings import Report


def fit_spend(summary: pd.DataFrame, say: Report) -> tuple[btyd.GammaGamma, np.ndarray]:
    """The spend model (unfitted when Gamma-Gamma fails) and each customer's expected spend; where
    the population mean is undefined (q <= 1), the mean order value of all customers."""
    spend = btyd.GammaGamma()
    try:
        spend.fit(summary["frequency"], summary["monetary_value"])
        expected_spend = spend.expected_spend(summary["frequency"], summary["monetary_value"])
    except (RuntimeError, ValueError) as error:
        say(f"gamma-gamma not fitted ({error}); using each customer's mean order value")
        mean_order = (summary["revenue"] / summary["purchases"]).to_numpy()
        expected_spend = mean_order
    if not np.all(np.isfinite(expected_spend)):  # q <= 1: population mean undefined
        fallback = float(np.nanmean((summary["revenue"] / summary["purchases"]).to_numpy()))
        expected_spend = np.where(np.isfinite(expected_spend), expected_spend, fallback)
    return spend, expected_spend
