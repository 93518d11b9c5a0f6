"""Synthetic shoppers drawn from the BG/NBD story, as ``order_lines``, for the customer tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CUSTOMER_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "customers"


def simulate_order_lines(
    customers: int,
    r: float = 0.25,
    alpha: float = 4.0,
    a: float = 0.8,
    b: float = 2.5,
    weeks: float = 78.0,
    seed: int = 0,
    start: str = "2024-01-01",
) -> pd.DataFrame:
    """Customers join over the first 12 weeks, buy at gamma-distributed Poisson rates and drop out
    after each purchase with a beta-distributed probability; spend is gamma-gamma; two categories."""
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp(start)
    rows: list[tuple] = []
    for c in range(customers):
        rate = rng.gamma(r, 1.0 / alpha)
        drop = rng.beta(a, b)
        mean_spend = 15.0 * rng.gamma(6.0, 1.0) / rng.gamma(4.0, 1.0)
        t = rng.uniform(0, 12)
        favourite = "music" if rng.random() < 0.5 else "books"
        n = 0
        while t < weeks:
            spend = round(float(rng.gamma(6.0, mean_spend / 6.0)), 2)
            category = favourite if rng.random() < 0.8 else ("books" if favourite == "music" else "music")
            rows.append((f"o{c}-{n}", f"c{c}", origin + pd.Timedelta(days=float(t * 7)), category, spend))
            n += 1
            if rng.random() < drop or rate <= 0:
                break
            t += rng.exponential(1.0 / rate)
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "category", "revenue"])
    frame["quantity"] = 1.0
    frame["unit_price"] = frame["revenue"]
    frame["product_id"] = "p-" + frame["category"]
    frame["status"] = "completed"
    frame["store"] = "web"
    frame["discount"] = 0.0
    return frame


@pytest.fixture(scope="session")
def shoppers() -> pd.DataFrame:
    return simulate_order_lines(1500, seed=1)


@pytest.fixture(scope="session")
def cdnow_folder() -> Path:
    if not (CUSTOMER_DATA / "CDNOW_sample.txt").exists():
        pytest.skip(f"real CDNOW data not found at {CUSTOMER_DATA}")
    return CUSTOMER_DATA
