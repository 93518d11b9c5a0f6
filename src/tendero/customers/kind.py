"""The ``customers`` model kind: segments, buy-till-you-die, Gamma-Gamma spend and churn in one fit.

One kind rather than four because every part is scored on the same customers as of the same day,
and the API's insights combine them; the registry versions them together.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from tendero.catalogue.refusals import Refusal
from tendero.customers.model import CustomerModel, fit_customer_model, score_log
from tendero.customers.settings import UNIT_DAYS, Settings
from tendero.customers.transactions import holdout_counts, transaction_log
from tendero.kinds import Fitted, Frames, Holdout, HoldoutScore, KindParams, Progress

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


def non_products(frames: Frames) -> frozenset[str]:
    """The items whose lines are not goods (the ``non_products`` frame: the tenant's rule), none when absent."""
    frame = frames.get("non_products")
    return frozenset() if frame is None or frame.empty else frozenset(frame["product_id"].astype(str))


class CustomersKind:
    """Customer intelligence from ``order_lines``: see ``tendero.customers.model``."""

    name: ClassVar[str] = "customers"
    Params: ClassVar[type[KindParams]] = CustomersParams
    needs: ClassVar[tuple[str, ...]] = ("order_lines", "non_products")
    fitted_type: ClassVar[type[CustomerModel]] = CustomerModel

    def algorithm(self, params: KindParams) -> str:
        return "rfm+btyd+gamma_gamma+lightgbm_churn"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> CustomerModel:
        assert isinstance(params, CustomersParams)
        total = 8
        progress.update(0, total, message="reading order lines")
        log = transaction_log(frames["order_lines"], non_products(frames))
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

    # ---- champion/challenger: the newest churn window, per-customer MAE and AUC ---------------------------
    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        return "purchases_mae", False

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        return (("churn_auc", True),)

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout:
        """The last ``churn_window_days`` days: who bought and how often. Both models score every customer
        known before the cut from the same history (``score_log``: their fitted parameters, no refit)."""
        assert isinstance(params, CustomersParams)
        not_goods = non_products(frames)
        log = transaction_log(frames["order_lines"], not_goods)
        end = log.end
        window = params.churn_window_days
        cut = end - pd.Timedelta(days=window)
        if log.orders.empty or log.orders["ordered_at"].min() >= cut - pd.Timedelta(days=window):
            raise Refusal("customers.short_history", days=2 * window)
        train = frames.derive(order_lines=lambda lines: lines[lines["ordered_at"] < cut])
        before = transaction_log(frames["order_lines"].loc[lambda lines: lines["ordered_at"] < cut], not_goods)
        customers = before.orders["customer_id"].astype(str).unique()
        later = holdout_counts(log.orders, cut - pd.Timedelta(days=1), end)["purchases"]
        later.index = later.index.astype(str)
        actual = later.reindex(customers).fillna(0.0)
        return Holdout(
            train=train, params=params.model_copy(update={"as_of": (cut - pd.Timedelta(days=1)).date()}),
            data={"log": before, "actual": actual, "cut": cut, "window_days": float(window)},
            start=cut.date().isoformat(), end=end.date().isoformat(), rows=len(actual),
            train_rows=len(before.orders), unit="customers",
        )  # fmt: skip

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        from sklearn.metrics import roc_auc_score

        assert isinstance(fitted, CustomerModel)
        cut: pd.Timestamp = holdout.data["cut"]
        scores = score_log(fitted, holdout.data["log"], as_of=cut - pd.Timedelta(days=1))
        scores.index = scores.index.astype(str)
        actual: pd.Series = holdout.data["actual"]
        ids = actual.index if keys is None else actual.index[actual.index.isin(keys)]
        ids = ids[ids.isin(scores.index)]
        rows = scores.loc[ids]
        weeks = holdout.data["window_days"] / UNIT_DAYS
        expected = fitted.count_model.expected_purchases(
            weeks, rows["frequency_btyd"].to_numpy(float), rows["recency_btyd"].to_numpy(float),
            rows["T_btyd"].to_numpy(float),
        )  # fmt: skip
        bought = actual.loc[ids].to_numpy(float)
        quiet = bought == 0
        metrics = {"purchases_mae": float(np.mean(np.abs(expected - bought))) if len(ids) else float("nan")}
        metrics["churn_auc"] = (
            float(roc_auc_score(quiet, rows["churn_probability"].to_numpy(float)))
            if 0 < quiet.sum() < len(quiet) else float("nan")
        )  # fmt: skip
        metrics["customers_scored"] = float(len(ids))
        return HoldoutScore(metrics, frozenset(ids), saw_holdout=bool(fitted.as_of >= cut))
