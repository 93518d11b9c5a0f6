"""What a customer-model fit needs to know, and the unit it measures time in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

UNIT_DAYS = 7.0  # the BTYD models count time in weeks
Report = Callable[[str], None]  # a line of progress in words


@dataclass
class Settings:
    """What the fit needs to know; the kind's Params map onto this one to one."""

    as_of: pd.Timestamp | None = None
    churn_window_days: float = 90.0
    backtest_days: float | None = None
    btyd_models: tuple[str, ...] = ("bgnbd", "mbgnbd", "pareto_nbd")
    clv_horizon_days: float = 365.0
    annual_discount_rate: float = 0.10
    clusters: int = 4
    n_estimators: int = 300
    learning_rate: float = 0.03
    num_leaves: int = 15
    seed: int = 0
    calibrate_purchases: bool = True
