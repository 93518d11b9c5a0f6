"""A tenant's data at a glance: counts, date range, activity, missing values and warnings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tendero.data.schema import LARGE_QUANTITY
from tendero.store import commerce


def _missing(frame: pd.DataFrame, columns: list[str]) -> dict[str, float]:
    if frame.empty:
        return {}
    return {c: round(float(frame[c].isna().mean()), 4) for c in columns if c in frame}


def profile(tenant_id: str) -> dict[str, Any]:
    """Counts per entity, date range, who and what is active, missing shares, and warnings in words."""
    counts = commerce.count_rows(tenant_id)
    lines = commerce.read_order_lines(tenant_id)
    customers = commerce.read_customers(tenant_id)
    products = commerce.read_products(tenant_id)
    warnings: list[dict[str, Any]] = []
    summary: dict[str, Any] = {"counts": counts}
    if not lines.empty:
        orders = lines.drop_duplicates("order_id")
        summary["orders"] = {
            "first": lines["ordered_at"].min().isoformat(),
            "last": lines["ordered_at"].max().isoformat(),
            "days": int((lines["ordered_at"].max() - lines["ordered_at"].min()).days) + 1,
            "revenue": round(float(lines["revenue"].sum()), 2),
            "returned_orders": int((orders["status"] == "returned").sum()),
            "guest_orders": int(orders["customer_id"].isna().sum()),
        }
        large = lines[lines["quantity"].abs() > LARGE_QUANTITY]
        if len(large):
            warnings.append({
                "code": "large_quantity",
                "message": f"{len(large)} order lines have more than {LARGE_QUANTITY:,.0f} units; check they are real",
                "examples": large["order_id"].head(5).tolist(),
                "params": {"count": len(large), "limit": LARGE_QUANTITY},
            })  # fmt: skip
        unknown = lines["category"].isna().mean()
        if unknown > 0.2:
            warnings.append({"code": "products_without_category",
                             "message": f"{unknown:.0%} of order lines are of products without a category; "
                                        "category forecasts will group them as 'unknown'",
                             "params": {"pct": round(unknown * 100)}})  # fmt: skip
    active_customers = int(lines["customer_id"].nunique()) if not lines.empty else 0
    sold_products = int(lines["product_id"].nunique()) if not lines.empty else 0
    summary["activity"] = {
        "customers_with_orders": active_customers,
        "customers": counts["customers"],
        "products_sold": sold_products,
        "products": counts["products"],
    }
    if counts["products"] and sold_products < counts["products"] * 0.5:
        warnings.append({"code": "products_never_sold",
                         "message": f"{counts['products'] - sold_products} of {counts['products']} products were "
                                    "never sold",
                         "params": {"unsold": counts["products"] - sold_products,
                                    "products": counts["products"]}})  # fmt: skip
    summary["missing"] = {
        "customers": _missing(customers, ["name", "email", "created_at"]),
        "products": _missing(products, ["name", "description", "category", "brand", "price", "cost"]),
        "order_lines": _missing(lines, ["customer_id", "store", "category"]),
    }
    if counts["orders"] == 0:
        warnings.append(
            {"code": "no_orders", "message": "no orders yet: import orders (or order lines) to train", "params": {}}
        )
    summary["warnings"] = warnings
    return summary
