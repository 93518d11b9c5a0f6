"""Every customer scored once, as of one day, into the table the API reads: RFM segment and
cluster, P(alive), expected purchases 30/90 days, expected spend, CLV, churn probability, value at
risk, and the features the reasons are explained from."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

from tendero.customers import btyd
from tendero.customers.churn import ChurnModel
from tendero.customers.features import behaviour_features, with_btyd_features
from tendero.customers.rfm import Clusters, fit_clusters, rfm_segments, rfm_table
from tendero.customers.settings import UNIT_DAYS, Settings
from tendero.customers.transactions import TransactionLog, btyd_args

FrameOrSeries = TypeVar("FrameOrSeries", pd.DataFrame, pd.Series)


def segment_customers(
    log: TransactionLog, summary: pd.DataFrame, as_of: pd.Timestamp, settings: Settings
) -> tuple[pd.DataFrame, Clusters | None]:
    """RFM scores and segments of the ``summary`` customers, with a ``cluster`` column: k-means on
    RFM when ``settings.clusters`` asks for it and there are at least 5 customers per cluster."""
    rfm = rfm_segments(rfm_table(log.orders, log.returns, as_of).reindex(summary.index))
    clusters = None
    if settings.clusters > 0 and len(rfm) >= settings.clusters * 5:
        clusters = fit_clusters(rfm, settings.clusters, seed=settings.seed)
        rfm["cluster"] = clusters.labels
    else:
        rfm["cluster"] = np.nan
    return rfm, clusters


def score_customers(
    log: TransactionLog,
    summary: pd.DataFrame,
    as_of: pd.Timestamp,
    model: btyd._CountModel,
    expected_spend: np.ndarray,
    churn: ChurnModel | None,
    source: str,
    window: float,
    settings: Settings,
) -> pd.DataFrame:
    """BTYD expectations, CLV, churn probability (the supervised model's when ``source`` says so, else
    P(quiet)) and value at risk for the ``summary`` customers as of ``as_of``."""
    args = btyd_args(summary)
    window_weeks = window / UNIT_DAYS
    features = with_btyd_features(behaviour_features(log, as_of).reindex(summary.index), model, summary, window_weeks)
    scores = pd.DataFrame(index=summary.index)
    scores["frequency_btyd"], scores["recency_btyd"], scores["T_btyd"] = args
    scores["p_alive"] = features["p_alive"]
    scores["expected_30d"] = model.expected_purchases(30 / UNIT_DAYS, *args)
    scores["expected_90d"] = model.expected_purchases(90 / UNIT_DAYS, *args)
    scores["expected_spend"] = expected_spend
    scores["clv"] = btyd.customer_lifetime_value(
        model, expected_spend, *args, settings.clv_horizon_days, settings.annual_discount_rate, UNIT_DAYS
    )
    if churn is not None and source == "supervised":
        scores["churn_probability"] = churn.predict_proba(features)
    else:
        scores["churn_probability"] = features["p_quiet"]
    # value the customer would bring in the window if they stay: posterior purchase rate x spend
    rate_if_alive = model.rate_if_alive(summary["frequency"].to_numpy(float), summary["T"].to_numpy(float))
    scores["value_at_risk"] = scores["churn_probability"] * rate_if_alive * window_weeks * expected_spend
    for column in features.columns:
        scores[f"x_{column}"] = features[column]
    return scores


def with_customer_ids(table: FrameOrSeries, ids: pd.Index) -> FrameOrSeries:
    """Back from the integer codes of ``with_integer_ids`` to the customer ids."""
    return table.set_axis(pd.Index(ids[table.index.to_numpy()], name="customer_id"), axis=0)
