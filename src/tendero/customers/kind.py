"""The ``customers`` model kind: segments, buy-till-you-die, Gamma-Gamma spend and churn in one fit.

One kind rather than four because every part is scored on the same customers as of the same day,
and the API's insights combine them; the registry versions them together.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

import pandas as pd
from pydantic import Field

from tendero.customers.model import CustomerModel, fit_customer_model
from tendero.customers.settings import Settings
from tendero.customers.transactions import transaction_log
from tendero.kinds import Frames, KindParams, Progress

BtydName = Literal["bgnbd", "mbgnbd", "pareto_nbd"]
BTYD_MODELS: tuple[BtydName, ...] = ("bgnbd", "mbgnbd", "pareto_nbd")


class CustomersParams(KindParams):
    """Hyperparameters of the customer model; every field has a sensible default."""

    as_of: date | None = Field(None, description="Score as of this day; default: the last day with orders")
    churn_window_days: int = Field(90, ge=7, le=730, description="Churn = no purchase in this many days")
    backtest_days: int | None = Field(
        None, ge=7, le=730, description="Backtest window; default: churn window, at most half the history"
    )
    btyd_models: list[BtydName] = Field(
        default_factory=lambda: list(BTYD_MODELS),
        min_length=1,
        description="Buy-till-you-die models to fit; the backtest picks one",
    )
    clv_horizon_days: int = Field(365, ge=1, le=3650)
    annual_discount_rate: float = Field(0.10, ge=0.0, le=1.0)
    clusters: int = Field(4, ge=0, le=12, description="k-means clusters on RFM (0: none)")
    n_estimators: int = Field(300, ge=10, le=5000)
    learning_rate: float = Field(0.03, gt=0.0, le=1.0)
    num_leaves: int = Field(15, ge=2, le=255)
    seed: int = 0
    calibrate_purchases: bool = Field(
        True,
        description="Scale expected purchases and CLV by the backtest's actual/predicted ratio, shrunk by its noise",
    )


class CustomersKind:
    """Customer intelligence from ``order_lines``: see ``tendero.customers.model``."""

    name: ClassVar[str] = "customers"
    Params: ClassVar[type[KindParams]] = CustomersParams
    needs: ClassVar[tuple[str, ...]] = ("order_lines",)
    fitted_type: ClassVar[type[CustomerModel]] = CustomerModel

    def algorithm(self, params: KindParams) -> str:
        return "rfm+btyd+gamma_gamma+lightgbm_churn"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> CustomerModel:
        assert isinstance(params, CustomersParams)
        total = 8
        progress.update(0, total, message="reading order lines")
        log = transaction_log(frames["order_lines"])
        progress.update(1, total, message=f"{len(log.orders)} orders, {len(log.returns)} returns")
        settings = Settings(
            as_of=pd.Timestamp(params.as_of) if params.as_of else None,
            churn_window_days=float(params.churn_window_days),
            backtest_days=float(params.backtest_days) if params.backtest_days else None,
            btyd_models=tuple(dict.fromkeys(params.btyd_models)),
            clv_horizon_days=float(params.clv_horizon_days),
            annual_discount_rate=params.annual_discount_rate,
            clusters=params.clusters,
            n_estimators=params.n_estimators,
            learning_rate=params.learning_rate,
            num_leaves=params.num_leaves,
            seed=params.seed,
            calibrate_purchases=params.calibrate_purchases,
        )
        step = [1]

        def report(message: str) -> None:
            step[0] = min(total - 1, step[0] + 1)
            progress.update(step[0], total, message=message)

        model = fit_customer_model(log, settings, report=report)
        progress.update(total, total, message="done", **model.metrics)
        return model
