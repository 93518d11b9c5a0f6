"""The shop's key figures for a period, from its order lines: what every other part of the analysis reads.

Definitions (the same ones the tests recompute with plain pandas):

- lines of cancelled orders (cancelled, void, refunded) are left out; returns (negative quantities)
  stay in and count negative, so ``revenue`` and ``units`` are net of returns;
- ``gross_revenue`` is the revenue of the lines sold (positive quantity), ``returns_value`` what the
  returned lines took back (a positive amount), ``return_lines`` how many lines were returns;
- ``orders`` are distinct orders with at least one line sold; ``customers`` distinct known customers
  of those orders (guest orders have none);
- ``average_ticket`` is gross revenue over orders (a return does not shrink another order's ticket);
- a customer is ``new`` in a period when their first order ever (in all the shop's data) falls in it,
  ``returning`` otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tendero.insights.analysis.period import Period

CANCELLED_STATUSES = frozenset({"cancelled", "canceled", "void", "voided", "refunded"})
KPI_NAMES = (
    "revenue",
    "gross_revenue",
    "units",
    "orders",
    "customers",
    "average_ticket",
    "new_customers",
    "returning_customers",
    "returns_value",
    "return_lines",
)
MONEY_KPIS = frozenset({"revenue", "gross_revenue", "average_ticket", "returns_value"})


def prepare_lines(order_lines: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The lines the analysis counts (cancelled orders out), sorted by time, with a ``day`` column;
    returns them and how many cancelled lines were left out."""
    lines = order_lines
    cancelled = lines["status"].astype(str).str.lower().isin(CANCELLED_STATUSES) if "status" in lines else None
    dropped = int(cancelled.sum()) if cancelled is not None else 0
    if cancelled is not None and dropped:
        lines = lines[~cancelled]
    lines = lines.assign(
        ordered_at=pd.to_datetime(lines["ordered_at"]),
        product_id=lines["product_id"].astype(str),
        order_id=lines["order_id"].astype(str),
        customer_id=lines["customer_id"].where(lines["customer_id"].notna(), None),
        quantity=lines["quantity"].astype(float),
        revenue=lines["revenue"].astype(float),
    )
    lines = lines.assign(day=lines["ordered_at"].dt.normalize(), sold=lines["quantity"] > 0)
    return lines.sort_values("ordered_at", kind="stable").reset_index(drop=True), dropped


def first_orders(lines: pd.DataFrame) -> pd.Series:
    """Each known customer's first day with a line sold, over all the data (who is new when)."""
    sold = lines[lines["sold"] & lines["customer_id"].notna()]
    return sold.groupby("customer_id")["day"].min()


def period_kpis(lines: pd.DataFrame, period: Period, first: pd.Series) -> dict[str, float]:
    """The figures of one period (see the module docstring for each definition)."""
    part = lines[period.mask(lines["ordered_at"])]
    sold = part[part["sold"]]
    gross = float(sold["revenue"].sum())
    orders = int(sold["order_id"].nunique())
    buyers = pd.Index(sold["customer_id"].dropna().unique())
    first_days = first.reindex(buyers)
    new = int(period.mask(first_days).sum())
    returned = part[~part["sold"]]
    return {
        "revenue": float(part["revenue"].sum()),
        "gross_revenue": gross,
        "units": float(part["quantity"].sum()),
        "orders": orders,
        "customers": len(buyers),
        "average_ticket": gross / orders if orders else float("nan"),
        "new_customers": new,
        "returning_customers": len(buyers) - new,
        "returns_value": float(-returned["revenue"].sum()),
        "return_lines": len(returned),
    }


def compare(
    current: dict[str, float], previous: dict[str, float] | None, last_year: dict[str, float] | None, currency: str
) -> dict[str, dict[str, Any]]:
    """Per KPI: current, previous, last year, changes and relative changes (None where undefined)."""
    out: dict[str, dict[str, Any]] = {}
    for name in KPI_NAMES:
        value = _clean(current[name])
        row: dict[str, Any] = {"current": value, "unit": currency if name in MONEY_KPIS else _unit(name)}
        for label, other in (("previous", previous), ("last_year", last_year)):
            base = _clean(other[name]) if other is not None else None
            row[label] = base
            suffix = "" if label == "previous" else "_last_year"
            row["change" + suffix] = value - base if value is not None and base is not None else None
            row["change_pct" + suffix] = (value / base - 1) if value is not None and base else None
        out[name] = row
    return out


def _unit(name: str) -> str:
    return {"units": "units", "orders": "orders", "return_lines": "lines"}.get(name, "customers")


def _clean(value: float) -> float | None:
    value = float(value)
    return None if not np.isfinite(value) else value
