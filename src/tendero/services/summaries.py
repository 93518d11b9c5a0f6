"""What the dashboard's Overview and Data pages show (sales KPIs, the daily series, top categories, the data
profile) and the tenant frames its capability pages read, kept while the data is unchanged.

Reading every order line takes about a second on the demo store, so a summary is cached per tenant and
recomputed only when the tenant's row counts or latest import change (or after ``MAX_AGE_SECONDS``).
The KPI arithmetic is plain pandas over ``commerce.read_order_lines``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from tendero.data import profile as data_profile
from tendero.store import commerce
from tendero.store import imports as import_rows

MAX_AGE_SECONDS = 300.0
T = TypeVar("T")


@dataclass(frozen=True)
class Kpi:
    key: str
    current: float
    previous: float
    decimals: int

    @property
    def change(self) -> float | None:
        """Relative change; None when there is nothing to compare with."""
        if not self.previous:
            return None
        return (self.current - self.previous) / abs(self.previous)


@dataclass(frozen=True)
class SalesSummary:
    days: int
    last_day: str | None
    kpis: list[Kpi]
    daily: dict[str, list[Any]]  # {"day": [...], "revenue": [...], "avg7": [...]}
    categories: list[tuple[str, float]]

    @property
    def empty(self) -> bool:
        return self.last_day is None


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, Any], tuple[float, Any, Any]] = {}
        self._key_locks: dict[tuple[str, str, Any], threading.Lock] = {}

    def get(self, tenant_id: str, what: str, arg: Any, compute: Callable[[], T]) -> T:
        """The cached value while the data is unchanged; one computation at a time per key (the warm-up's
        result is waited for, not computed twice)."""
        key = (tenant_id, what, arg)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            fingerprint = _fingerprint(tenant_id)
            entry = self._entries.get(key)
            if entry is not None and entry[1] == fingerprint and time.monotonic() - entry[0] < MAX_AGE_SECONDS:
                return entry[2]
            value = compute()
            with self._lock:
                if len(self._entries) > 1000:
                    self._entries.clear()
                self._entries[key] = (time.monotonic(), fingerprint, value)
            return value


_cache = _Cache()


def _fingerprint(tenant_id: str) -> tuple[Any, ...]:
    """Changes whenever rows are added or removed, or an import finishes."""
    counts = commerce.count_rows(tenant_id)
    latest, _ = import_rows.list_imports(tenant_id, 1, 0)
    marker = (latest[0].id, latest[0].finished_at) if latest else None
    return (tuple(sorted(counts.items())), marker)


def _period_figures(lines: pd.DataFrame) -> tuple[float, int, int]:
    revenue = float(lines["revenue"].sum())
    orders = int(lines["order_id"].nunique())
    customers = int(lines["customer_id"].dropna().nunique())
    return revenue, orders, customers


def compute_sales(lines: pd.DataFrame, days: int) -> SalesSummary:
    """KPIs for the last ``days`` days of data vs the ``days`` before, the daily series and top categories."""
    if not lines.empty:
        lines = lines[lines["status"].fillna("completed") != "cancelled"]
    if lines.empty:
        return SalesSummary(days, None, [], {"day": [], "revenue": [], "avg7": []}, [])
    end = lines["ordered_at"].max().normalize() + pd.Timedelta(days=1)
    current = lines[lines["ordered_at"] >= end - pd.Timedelta(days=days)]
    before = lines[
        (lines["ordered_at"] >= end - pd.Timedelta(days=2 * days))
        & (lines["ordered_at"] < end - pd.Timedelta(days=days))
    ]
    now_rev, now_orders, now_customers = _period_figures(current)
    old_rev, old_orders, old_customers = _period_figures(before)
    kpis = [
        Kpi("revenue", now_rev, old_rev, 0),
        Kpi("orders", now_orders, old_orders, 0),
        Kpi("customers", now_customers, old_customers, 0),
        Kpi("ticket", now_rev / now_orders if now_orders else 0.0, old_rev / old_orders if old_orders else 0.0, 2),
    ]
    shown = max(90, 2 * days)
    daily = lines.groupby(lines["ordered_at"].dt.normalize())["revenue"].sum()
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"), fill_value=0.0)
    average = daily.rolling(7, min_periods=1).mean()
    daily, average = daily.iloc[-shown:], average.iloc[-shown:]
    categories = current.groupby(current["category"].fillna("—"))["revenue"].sum().sort_values(ascending=False)
    return SalesSummary(
        days=days,
        last_day=(end - pd.Timedelta(days=1)).date().isoformat(),
        kpis=kpis,
        daily={
            "day": [d.date().isoformat() for d in daily.index],
            "revenue": [round(float(v), 2) for v in daily.to_numpy()],
            "avg7": [round(float(v), 2) for v in average.to_numpy()],
        },
        categories=[(str(name), round(float(value), 2)) for name, value in categories.head(8).items()],
    )


def sales_summary(tenant_id: str, days: int) -> SalesSummary:
    return _cache.get(tenant_id, "sales", days, lambda: compute_sales(commerce.read_order_lines(tenant_id), days))


def profile_summary(tenant_id: str) -> dict[str, Any]:
    return _cache.get(tenant_id, "profile", None, lambda: data_profile.profile(tenant_id))


def warm(tenant_id: str, days: int) -> None:
    """Fill the cache in the background (at sign-in), so the first Overview is fast too."""

    def run() -> None:
        try:
            sales_summary(tenant_id, days)
            profile_summary(tenant_id)
        except Exception:  # a cold cache only costs time; the page will report the error itself
            return

    threading.Thread(target=run, name="tendero-web-warm", daemon=True).start()


def order_lines(tenant_id: str) -> pd.DataFrame:
    """The tenant's order lines, read once while the data is unchanged (customer and recommendation pages)."""
    return _cache.get(tenant_id, "order_lines", None, lambda: commerce.read_order_lines(tenant_id))


def products(tenant_id: str) -> pd.DataFrame:
    return _cache.get(tenant_id, "products", None, lambda: commerce.read_products(tenant_id))


def customers(tenant_id: str) -> pd.DataFrame:
    return _cache.get(tenant_id, "customers", None, lambda: commerce.read_customers(tenant_id))
