"""Items as every answer names them: the name and category beside each item id (one look-up for every item
answer), and which items are non-products (postage, fees, discounts, adjustments) that the tenant's rule
leaves out of recommendations, product lists, insight movers, suggestions and pricing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import pandas as pd

from tendero.catalogue.money import MONEY
from tendero.data.frames import tenant_flags
from tendero.data.non_products import rule_items
from tendero.store.db import session_scope
from tendero.store.items import read_item_facts
from tendero.store.tenant_settings import TenantSettings, read_settings

FLAGS_CACHE_SECONDS = 60.0
RULE_CACHE_SECONDS = 5.0


def say(key: str, language: str, **params: Any) -> str:
    """A text of the money catalogue in ``language`` (es unless en)."""
    return MONEY[key]["en" if language == "en" else "es"].format(**params)


def settings_of(tenant_id: str) -> TenantSettings:
    with session_scope() as session:
        return read_settings(session, tenant_id)


def item_facts(tenant_id: str, item_ids: Iterable[str]) -> dict[str, dict[str, str | None]]:
    """``{item_id: {"name", "category"}}`` for every id asked (both null when the catalogue lacks it)."""
    ids = [str(i) for i in item_ids]
    found = read_item_facts(tenant_id, ids) if ids else {}
    return {i: dict(zip(("name", "category"), found.get(i, (None, None)), strict=True)) for i in ids}


def with_item_facts(tenant_id: str, rows: list[dict[str, Any]], key: str = "item_id") -> list[dict[str, Any]]:
    """The rows with ``name`` and ``category`` beside ``key`` (kept where a row has them already)."""
    facts = item_facts(tenant_id, (row[key] for row in rows if row.get(key) is not None))
    out = []
    for row in rows:
        fact = facts.get(str(row.get(key)), {"name": None, "category": None})
        out.append(
            {**row, "name": row.get("name") or fact["name"], "category": row.get("category") or fact["category"]}
        )
    return out


class _FlagsCache:
    """The flagged items per tenant, recomputed at most once a minute (and at once after an import or a change)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, pd.DataFrame]] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> pd.DataFrame:
        entry = self._entries.get(tenant_id)
        if entry is not None and time.monotonic() - entry[0] < FLAGS_CACHE_SECONDS:
            return entry[1]
        flags = tenant_flags(tenant_id)
        with self._lock:
            self._entries[tenant_id] = (time.monotonic(), flags)
        return flags

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._entries.pop(tenant_id, None)


_flags = _FlagsCache()


def forget(tenant_id: str) -> None:
    """Recompute the tenant's flags and re-read its rule on the next answer (its catalogue or its rule changed)."""
    _flags.forget(tenant_id)
    _rules.pop(tenant_id, None)


def non_products(tenant_id: str, language: str = "es") -> list[dict[str, Any]]:
    """Every item the rule treats as a non-product, with the rule that flagged it and why in words (an
    admin's marks included; items an admin said are products left out)."""
    settings = settings_of(tenant_id)
    flags = _flags.get(tenant_id)
    out = []
    for row in flags.to_dict("records"):
        if settings.non_product_marks.get(row["product_id"]) is False:
            continue
        reason = say(f"non_product.{row['rule']}", language, matched=row["matched"], product_id=row["product_id"])
        out.append({"item_id": row["product_id"], "name": row["name"], "rule": row["rule"], "reason": reason})
    flagged = {row["item_id"] for row in out}
    marked = [item for item, is_non in settings.non_product_marks.items() if is_non and item not in flagged]
    names = item_facts(tenant_id, marked)
    for item in marked:
        out.append(
            {
                "item_id": item,
                "name": names[item]["name"],
                "rule": "admin",
                "reason": say("non_product.admin", language),
            }
        )
    return out


_rules: dict[str, tuple[float, TenantSettings]] = {}


def cached_settings(tenant_id: str) -> TenantSettings:
    """The tenant's settings as the hot answer paths read them: kept ``RULE_CACHE_SECONDS`` (a change made in
    this process is seen at once, one made in another within that time)."""
    entry = _rules.get(tenant_id)
    if entry is not None and time.monotonic() - entry[0] < RULE_CACHE_SECONDS:
        return entry[1]
    settings = settings_of(tenant_id)
    if len(_rules) > 10_000:
        _rules.clear()
    _rules[tenant_id] = (time.monotonic(), settings)
    return settings


def excluded_items(tenant_id: str) -> frozenset[str]:
    """The items product answers leave out: the non-products while the tenant's rule is on, else none."""
    settings = cached_settings(tenant_id)
    if not settings.exclude_non_products:
        return frozenset()
    return rule_items(_flags.get(tenant_id)["product_id"], True, settings.non_product_marks)
