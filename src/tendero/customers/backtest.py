"""The internal backtest: every BTYD model refit at ``as_of - window`` and scored on the window after
it, against what each customer really bought there. The choice of model, the purchase calibration
and the supervised churn model all learn from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tendero.customers import btyd
from tendero.customers.settings import UNIT_DAYS, Report, Settings
from tendero.customers.transactions import TransactionLog, btyd_args, holdout_counts, summarise

SELECTION_CUSTOMERS = 5_000  # choosing a model needs no more: they are fitted on a fixed sample


@dataclass
class Backtest:
    """The backtest's customers, outcomes and models (``models`` holds those that fitted and
    predicted finite counts; ``errors`` their per-customer MAE on the window)."""

    window: float  # days
    cutoff: pd.Timestamp
    past: pd.DataFrame  # the BTYD summary at the cutoff
    actual: np.ndarray  # purchases of each ``past`` customer in the window
    sample: pd.DataFrame  # the customers the models were fitted on
    models: dict[str, btyd._CountModel]
    errors: dict[str, float]
    metrics: dict[str, float]

    @property
    def window_weeks(self) -> float:
        return self.window / UNIT_DAYS

    def refit_on_everyone(self, name: str, say: Report) -> None:
        """Refit model ``name`` on every past customer when it was fitted on a sample: the level
        correction and the churn features need it as fitted on everyone."""
        if len(self.past) <= len(self.sample):
            return
        try:
            self.models[name] = btyd.COUNT_MODELS[name]().fit(*btyd_args(self.past), start=self.models[name].params)
        except (RuntimeError, ValueError, FloatingPointError) as error:
            say(f"backtest: {name} refit on all customers failed ({error}); keeping the sample fit")


def backtest_window(log: TransactionLog, as_of: pd.Timestamp, settings: Settings) -> float:
    """Days to predict: the backtest window asked for (default the churn window), at most half the history."""
    first = log.orders["ordered_at"].min().normalize()
    span = (as_of - first).days
    wanted = settings.backtest_days if settings.backtest_days else settings.churn_window_days
    return float(max(1, min(wanted, span // 2)))


def run_backtest(log: TransactionLog, as_of: pd.Timestamp, settings: Settings, say: Report) -> Backtest:
    """Refit every model of ``settings.btyd_models`` at ``as_of - window`` and predict the window
    (no model is fitted with fewer than 10 past customers)."""
    window = backtest_window(log, as_of, settings)
    cutoff = as_of - pd.Timedelta(days=window)
    past = summarise(log.orders, cutoff, UNIT_DAYS)
    actual = holdout_counts(log.orders, cutoff, as_of)["purchases"].reindex(past.index).fillna(0.0).to_numpy()
    say(f"backtest: refit at {cutoff.date()} on {len(past)} customers, predict {window:.0f} days")
    models: dict[str, btyd._CountModel] = {}
    errors: dict[str, float] = {}
    metrics: dict[str, float] = {}
    sample = past
    if len(past) >= 10:
        baseline = past["frequency"] / past["T"].where(past["T"] > 0) * (window / UNIT_DAYS)
        metrics["backtest_baseline_mae"] = float(np.abs(baseline.fillna(0).to_numpy() - actual).mean())
        metrics["backtest_actual_purchases"] = float(actual.sum())
        if len(past) > SELECTION_CUSTOMERS:
            sample = past.sample(SELECTION_CUSTOMERS, random_state=settings.seed)
        for name in settings.btyd_models:
            try:
                model = btyd.COUNT_MODELS[name]().fit(*btyd_args(sample))
            except (RuntimeError, ValueError, FloatingPointError) as error:
                say(f"backtest: {name} failed to fit: {error}")
                continue
            predicted = model.expected_purchases(window / UNIT_DAYS, *btyd_args(past))
            if not np.all(np.isfinite(predicted)):
                continue
            models[name] = model
            errors[name] = float(np.abs(predicted - actual).mean())
            metrics[f"backtest_mae_{name}"] = errors[name]
            metrics[f"backtest_purchases_{name}"] = float(predicted.sum())
    say(f"backtest MAE by model: {errors}")
    return Backtest(window, cutoff, past, actual, sample, models, errors, metrics)
