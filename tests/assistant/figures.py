"""Independent figures for the assistant's tests: pandas straight from the rows a shop gave us (the generated store's
frames, the Online Retail II file), and a reader of the numbers a sentence contains."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

CANCELLED = {"cancelled", "canceled", "void", "voided", "refunded"}


def demo_lines(store: Any) -> pd.DataFrame:
    """The generated store as sales lines: every order's items with their revenue, cancelled orders left out."""
    lines = store.order_items.merge(store.orders, on="order_id").merge(
        store.products[["product_id", "category"]], on="product_id", how="left"
    )
    lines = lines[~lines["status"].isin(CANCELLED)]
    return pd.DataFrame(
        {
            "order_id": lines["order_id"],
            "customer_id": lines["customer_id"],
            "day": pd.to_datetime(lines["ordered_at"]).dt.normalize(),
            "product_id": lines["product_id"],
            "category": lines["category"],
            "quantity": lines["quantity"].astype(float),
            "revenue": lines["quantity"] * lines["unit_price"] - lines["discount"],
        }
    )


def retail_lines(path: Any) -> pd.DataFrame:
    """Online Retail II as sales lines (returns kept as negative lines, as imported with --returns keep)."""
    raw = pd.read_csv(path, dtype={"Invoice": str, "StockCode": str, "Customer ID": str})
    return pd.DataFrame(
        {
            "order_id": raw["Invoice"],
            "customer_id": raw["Customer ID"],
            "day": pd.to_datetime(raw["InvoiceDate"]).dt.normalize(),
            "product_id": raw["StockCode"],
            "category": None,
            "quantity": raw["Quantity"].astype(float),
            "revenue": raw["Quantity"] * raw["Price"],
        }
    )


def between(lines: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return lines[(lines["day"] >= pd.Timestamp(start)) & (lines["day"] <= pd.Timestamp(end))]


def figures(lines: pd.DataFrame) -> dict[str, float]:
    revenue = float(lines["revenue"].sum())
    orders = int(lines["order_id"].nunique())
    return {
        "revenue": round(revenue, 2),
        "units": float(lines["quantity"].sum()),
        "orders": orders,
        "customers": int(lines["customer_id"].dropna().nunique()),
        "average_ticket": round(revenue / orders, 2) if orders else 0.0,
    }


def top(lines: pd.DataFrame, key: str, n: int) -> list[tuple[str, float]]:
    totals = lines.dropna(subset=[key]).groupby(key)["revenue"].sum().round(2).rename("value").reset_index()
    totals = totals.sort_values(["value", key], ascending=[False, True]).head(n)
    return [(str(k), float(v)) for k, v in zip(totals[key], totals["value"], strict=True)]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"\b[A-Za-z]+\d+[A-Za-z\d]*\b|\([^)]*\d[^)]*\)")
_NUMBER_ES = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")
_NUMBER_EN = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")


def sentence_numbers(text: str, lang: str) -> list[tuple[float, int]]:
    """Each number written in a sentence with its decimals, leaving out dates and ids (they are checked as text)."""
    cleaned = _ID.sub(" ", _DATE.sub(" ", text))
    out = []
    for token in (_NUMBER_ES if lang == "es" else _NUMBER_EN).findall(cleaned):
        plain = token.replace(".", "").replace(",", ".") if lang == "es" else token.replace(",", "")
        decimals = len(plain.split(".")[1]) if "." in plain else 0
        out.append((float(plain), decimals))
    return out


def data_numbers(value: Any) -> list[float]:
    """Every number in an answer's data, including those written inside its texts (names, dates, examples)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [float(value), abs(float(value))]
    if isinstance(value, str):
        return [float(x.replace(",", ".")) for x in re.findall(r"\d+(?:[.,]\d+)?", value)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in data_numbers(v)]
    if isinstance(value, list | tuple):
        return [x for v in value for x in data_numbers(v)]
    return []


def assert_every_number_is_in_data(answer: dict[str, Any]) -> None:
    """Each figure of the sentence is a figure of ``data`` (as shown: rounded to the sentence's decimals, or a
    percentage of a fraction), so nothing in the sentence is computed where nobody can trace it."""
    known = data_numbers(answer["data"]) + data_numbers(answer.get("slots", {}))
    for number, decimals in sentence_numbers(answer["answer"], answer["language"]):
        tolerance = 0.5 * 10 ** (-decimals) + 1e-9
        found = any(abs(abs(number) - k) <= tolerance or abs(abs(number) - 100 * k) <= tolerance for k in known)
        assert found, f"{number} in {answer['answer']!r} is not in its data {answer['data']}"


def day(text: str) -> date:
    return date.fromisoformat(text)
