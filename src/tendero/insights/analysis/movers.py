"""Which products and categories explain the change in revenue between two periods.

The decomposition is additive and exact: the total change is the sum, over every product, of its
revenue now minus its revenue before (net of returns, zero where it did not sell), so the products'
contributions add up to the total change to the cent; the same holds for categories. Movers are ranked
by the size of their contribution, largest first, ties by id.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tendero.insights.analysis.period import Period


def contributions(lines: pd.DataFrame, current: Period, previous: Period, key: str) -> pd.DataFrame:
    """Per ``key`` (product_id or category): revenue and units in each period, the change and its share of
    the total change, sorted by the size of the change."""
    parts = []
    for label, period in (("current", current), ("previous", previous)):
        chosen = lines[period.mask(lines["ordered_at"])]
        grouped = chosen.groupby(key, dropna=True)[["revenue", "quantity"]].sum()
        parts.append(grouped.rename(columns={"revenue": f"revenue_{label}", "quantity": f"units_{label}"}))
    table = pd.concat(parts, axis=1).fillna(0.0)
    table["change"] = table["revenue_current"] - table["revenue_previous"]
    total = float(table["change"].sum())
    table["share_of_change"] = table["change"] / total if total else float("nan")
    table["change_pct"] = (table["revenue_current"] / table["revenue_previous"] - 1).where(
        table["revenue_previous"] > 0
    )
    table["magnitude"] = table["change"].abs()
    table.index.name = key
    table = table.reset_index().sort_values(["magnitude", key], ascending=[False, True], kind="stable")
    return table.drop(columns="magnitude").reset_index(drop=True)


def top_movers(table: pd.DataFrame, key: str, top: int, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The ``top`` rows as plain records (None for undefined numbers), each with its display name."""
    rows = []
    for record in table.head(top).to_dict("records"):
        ident = str(record[key])
        row: dict[str, Any] = {"id": ident, "name": (names or {}).get(ident) or ident}
        for column in (
            "revenue_current",
            "revenue_previous",
            "units_current",
            "units_previous",
            "change",
            "change_pct",
            "share_of_change",
        ):
            value = record[column]
            row[column] = None if pd.isna(value) else float(value)
        rows.append(row)
    return rows


def explained_share(table: pd.DataFrame, top: int) -> float | None:
    """How much of the total change the ``top`` movers add up to (1.0 = all of it)."""
    total = float(table["change"].sum())
    return float(table["change"].head(top).sum()) / total if total else None
