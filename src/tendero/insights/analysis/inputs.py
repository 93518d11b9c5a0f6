"""What the analysis reads from deployed models, as plain frames: the service fills these from the registry,
a notebook or a test from anywhere, and the analysis never touches a model object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class ForecastInput:
    """One deployed forecast: ``frame`` holds ``unique_id, ds, yhat, lo-L, hi-L`` for its future periods."""

    name: str
    version: str
    level: str  # total, category, product, store, store_product
    freq: str  # D, W or M
    measure: str  # quantity or revenue
    frame: pd.DataFrame
    interval_level: int  # the L of the lo-L / hi-L columns used

    @property
    def period_days(self) -> pd.Series:
        """How many days each row's period spans (1, 7, or the month's length)."""
        if self.freq == "D":
            return pd.Series(1, index=self.frame.index)
        if self.freq == "W":
            return pd.Series(7, index=self.frame.index)
        return self.frame["ds"].dt.days_in_month.astype(int)


@dataclass(frozen=True)
class CustomerInput:
    """The deployed customer model's scores: every customer's churn probability and value at risk, and each
    one's probability of buying in the next ``days``."""

    name: str
    version: str
    as_of: date | None
    members: pd.DataFrame  # customer_id, churn_probability, value_at_risk, clv
    buyers: pd.DataFrame  # customer_id, p_purchase, expected_purchases
    days: int
