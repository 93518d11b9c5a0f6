"""Money on the dashboard: each language's number format with the tenant's currency (1.234,50 € / €1,234.50)."""

from __future__ import annotations

from babel.numbers import format_currency


def format_money(value: float | int | None, currency: str, lang: str) -> str:
    """An amount in ``currency`` as ``lang`` writes it; a dash when there is none."""
    if value is None or value != value:
        return "—"
    return format_currency(float(value), currency, locale="es_ES" if lang == "es" else "en_US")
