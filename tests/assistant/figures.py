"""Independent figures for the assistant's tests: pandas straight from the rows a shop gave us (the generated store's
frames, the Online Retail II file), and a reader of the numbers a sentence contains."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "assistant_questions.jsonl"
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
            # the file's float writer wrote 12417.0; ids are read as the shop numbers them (README, import rules)
            "customer_id": raw["Customer ID"].str.replace(r"^(\d+)\.0$", r"\1", regex=True),
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


def data_texts(value: Any) -> list[str]:
    """The short texts of an answer's data that hold a digit: ids (12417.0) and names ("Agua 1,5 L"), quoted as they
    are; sentences kept in data (an insight's text) are longer and stay checked number by number."""
    if isinstance(value, str):
        return [value] if re.search(r"\d", value) and 1 < len(value) <= 48 else []
    if isinstance(value, dict):
        return [x for v in value.values() for x in data_texts(v)]
    if isinstance(value, list | tuple):
        return [x for v in value for x in data_texts(v)]
    return []


def assert_every_number_is_in_data(answer: dict[str, Any]) -> None:
    """Each figure of the sentence is a figure of ``data`` (as shown: rounded to the sentence's decimals, or a
    percentage of a fraction), so nothing in the sentence is computed where nobody can trace it."""
    known = data_numbers(answer["data"]) + data_numbers(answer.get("slots", {}))
    sentence = answer["answer"]
    for text in sorted(data_texts(answer["data"]), key=len, reverse=True):  # ids and names quoted from data
        sentence = sentence.replace(text, " ")
    for number, decimals in sentence_numbers(sentence, answer["language"]):
        tolerance = 0.5 * 10 ** (-decimals) + 1e-9
        found = any(abs(abs(number) - k) <= tolerance or abs(abs(number) - 100 * k) <= tolerance for k in known)
        assert found, f"{number} in {answer['answer']!r} is not in its data {answer['data']}"


def golden_questions(per_intent: int, split: str = "dev") -> list[dict[str, Any]]:
    """The first ``per_intent`` questions of each intent of the golden set's split, without follow-ups."""
    rows = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("split") == split and not row.get("previous"):
            chosen.setdefault(row["intent"], []).append(row)
    return [row for rows_ in chosen.values() for row in rows_[:per_intent]]


def day(text: str) -> date:
    return date.fromisoformat(text)
