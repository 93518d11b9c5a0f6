"""The one place where insights ask deployed models for answers, turned into the plain frames the analysis
reads (``tendero.insights.analysis.inputs``), through the kinds' typed answering surfaces.

Forecasts are found by the house naming, ``forecast-{level}-{freq}``; the customer model by its name
``customers``. A model that is not deployed is simply absent: the analysis says what it could not do.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TypeVar

import pandas as pd

from tendero.errors import NotFound
from tendero.insights.analysis.inputs import CustomerInput, ForecastInput
from tendero.kinds import CustomersModel, ForecastModel
from tendero.registry.service import Served, deployed_models
from tendero.store.artifacts import ArtifactCorrupted

log = logging.getLogger(__name__)
S = TypeVar("S")
FORECAST_LEVELS = ("total", "product", "category")
FORECAST_FREQS = ("D", "W", "M")
CUSTOMER_MODEL = "customers"
INTERVAL_LEVEL = 80
ALL_CUSTOMERS = 10_000_000


def _served(tenant_id: str, name: str, kind: str, surface: type[S]) -> Served[S] | None:
    try:
        served = deployed_models.get(tenant_id, name, surface)
    except NotFound:
        return None
    except (ArtifactCorrupted, OSError, ValueError):  # a broken artifact must not break the analysis
        log.warning("deployed model %s of tenant %s could not be loaded", name, tenant_id, exc_info=True)
        return None
    return served if served.kind == kind else None


def forecasts(tenant_id: str, levels: tuple[str, ...] = FORECAST_LEVELS) -> list[ForecastInput]:
    """Every deployed forecast at these levels, its future periods with the 80 % interval."""
    out = []
    for level in levels:
        for freq in FORECAST_FREQS:
            name = f"forecast-{level}-{freq}"
            served = _served(tenant_id, name, "forecast", ForecastModel)
            if served is None:
                continue
            fitted = served.fitted
            frame = fitted.forecast(levels=[INTERVAL_LEVEL])
            if level != "total":  # the total row-set rides along in every model; keep it only in total models
                frame = frame[frame["unique_id"] != "total"]
            frame = frame.assign(ds=pd.to_datetime(frame["ds"]), unique_id=frame["unique_id"].astype(str))
            measure = fitted.measure
            out.append(ForecastInput(name, served.version, level, freq, measure, frame, INTERVAL_LEVEL))
    return out


def customers(tenant_id: str, days: int) -> CustomerInput | None:
    """Every customer's churn probability and value at risk, and who will likely buy in ``days``."""
    served = _served(tenant_id, CUSTOMER_MODEL, "customers", CustomersModel)
    if served is None:
        return None
    fitted = served.fitted
    members, _ = fitted.segment_members(None, ALL_CUSTOMERS, 0)
    buyers = fitted.likely_buyers(days=max(1, min(days, 365)), limit=ALL_CUSTOMERS)
    member_frame = pd.DataFrame(members, columns=["customer_id", "churn_probability", "value_at_risk", "clv"])
    buyer_frame = pd.DataFrame(
        [
            {
                "customer_id": b["customer_id"],
                "p_purchase": b["p_purchase"],
                "expected_purchases": b["expected_purchases_window"],
            }
            for b in buyers
        ],
        columns=["customer_id", "p_purchase", "expected_purchases"],
    )
    as_of = fitted.as_of
    return CustomerInput(
        CUSTOMER_MODEL,
        served.version,
        as_of.date() if isinstance(as_of, pd.Timestamp) else _date(as_of),
        member_frame.fillna({"churn_probability": 0.0, "value_at_risk": 0.0}),
        buyer_frame.fillna(0.0),
        int(days),
    )


def _date(value: object) -> date | None:
    return value if isinstance(value, date) else None
