"""A tenant's settings for every face: its currency (ISO 4217; set by an admin, else taken from imported data,
else EUR) and its non-product rule (whether flagged items are left out of product answers, and the admin's
own marks)."""

from __future__ import annotations

from typing import Any, Literal

from babel.numbers import is_currency, list_currencies
from pydantic import Field, JsonValue, field_validator

from tendero.services.items import cached_settings, forget, non_products, say, settings_of
from tendero.services.schemas import Strict
from tendero.store import tenant_settings as rows
from tendero.store.db import session_scope
from tendero.store.tenant_settings import DEFAULT_CURRENCY, TenantSettings

MAX_MARKS = 10_000
ISO_4217: list[JsonValue] = [*sorted(list_currencies()), None]  # what the schema offers (null: leave it)
__all__ = [
    "DEFAULT_CURRENCY",
    "SettingsUpdate",
    "currency_from_data",
    "currency_of",
    "say",
    "settings_answer",
    "settings_of",
    "update_settings",
    "valid_currency",
]


def valid_currency(code: str) -> str:
    """The code upper-cased when it is an ISO 4217 currency; ValueError saying so otherwise."""
    upper = code.strip().upper()
    if len(upper) != 3 or not upper.isalpha() or not is_currency(upper):
        raise ValueError(say("currency.unknown", "en", code=code))
    return upper


class SettingsUpdate(Strict):
    """What an admin may change; fields left out stay as they are."""

    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR, USD, MXN",
        json_schema_extra={"enum": ISO_4217},
    )  # fmt: skip
    exclude_non_products: bool | None = Field(
        None, description="leave non-products out of recommendations, product lists, insight movers and pricing"
    )
    mark_non_products: list[str] = Field(
        default_factory=list, max_length=1000, description="item ids to treat as non-products"
    )
    mark_products: list[str] = Field(
        default_factory=list, max_length=1000, description="item ids to treat as products even if flagged"
    )
    clear_marks: list[str] = Field(
        default_factory=list, max_length=1000, description="item ids to leave to the flags again"
    )

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str | None) -> str | None:
        return None if value is None else valid_currency(value)


def currency_of(tenant_id: str) -> str:
    """The currency of every money figure of this tenant (read through the answers' short cache)."""
    return cached_settings(tenant_id).currency


def update_settings(tenant_id: str, update: SettingsUpdate) -> TenantSettings:
    """Apply an admin's change (answers read the rule and the marks afresh every time)."""
    changes: dict[str, Any] = {}
    if update.currency is not None:
        changes.update(currency=update.currency, currency_source="admin")
    if update.exclude_non_products is not None:
        changes["exclude_non_products"] = update.exclude_non_products
    with session_scope() as session:
        current = rows.read_settings(session, tenant_id)
        if update.mark_non_products or update.mark_products or update.clear_marks:
            marks = dict(current.non_product_marks)
            marks.update(dict.fromkeys(update.mark_non_products, True))
            marks.update(dict.fromkeys(update.mark_products, False))
            for item in update.clear_marks:
                marks.pop(item, None)
            if len(marks) > MAX_MARKS:
                raise ValueError(f"at most {MAX_MARKS} items may be marked by hand")
            changes["non_product_marks"] = marks
        saved = rows.write_settings(session, tenant_id, **changes) if changes else current
    forget(tenant_id)  # answers in this process follow the change at once
    return saved


def currency_from_data(tenant_id: str, code: str, source: Literal["data", "country"] = "data") -> bool:
    """Take the currency an import's data carries (``data``: its currency column; ``country``: the currency of
    the country most of its lines name), unless an admin chose one or, for a country's, a currency column gave
    one; True when it was taken."""
    try:
        code = valid_currency(code)
    except ValueError:
        return False
    with session_scope() as session:
        current = rows.read_settings(session, tenant_id)
        outranked = current.currency_source == "admin" or (source == "country" and current.currency_source == "data")
        if outranked or (current.currency_source == source and current.currency == code):
            return False
        rows.write_settings(session, tenant_id, currency=code, currency_source=source)
    forget(tenant_id)
    return True


def settings_answer(tenant_id: str, language: str = "es") -> dict[str, Any]:
    """The settings as every face shows them, with the items the rule treats as non-products and why."""
    current = settings_of(tenant_id)
    flagged = non_products(tenant_id, language)
    return {
        "currency": current.currency,
        "currency_source": current.currency_source,
        "currency_source_text": say(f"currency.source.{current.currency_source}", language),
        "default_currency": DEFAULT_CURRENCY,
        "exclude_non_products": current.exclude_non_products,
        "non_product_marks": current.non_product_marks,
        "non_products": flagged,
    }
