"""Every sentence the analysis and the suggestions say, in Spanish and English, from this one catalogue.

Numbers are formatted per language (1.234,5 and 1,234.5), money carries its currency, percentages
their sign. A sentence is written from an insight's own numbers, so the text can never disagree with them.
"""

from __future__ import annotations

import math
from typing import Any

from tendero.catalogue.insights import INSIGHT_TEXTS

LANGUAGES = ("es", "en")
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "MXN": "MX$", "JPY": "¥"}

TEXTS = INSIGHT_TEXTS  # the texts live in the one catalogue (tendero.catalogue.insights)


def say(key: str, language: str, **values: Any) -> str:
    """The catalogue's sentence ``key`` in ``language`` with ``values`` filled in."""
    return TEXTS[key][language].format(**values)


def both(key: str, values_by_language: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The sentence in every language, each with its own formatted values."""
    return {lang: say(key, lang, **values_by_language[lang]) for lang in LANGUAGES}


def number(value: float | int | None, language: str, decimals: int = 0) -> str:
    """1.234,5 in Spanish, 1,234.5 in English; a dash for nothing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    if language == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def money(amount: float | None, currency: str, language: str, decimals: int = 2) -> str:
    """12.345,60 € in Spanish, €12,345.60 in English; unknown currencies by their code."""
    if amount is None or not math.isfinite(amount):
        return "—"
    digits = number(abs(amount), language, decimals)
    sign = "-" if amount < 0 else ""
    symbol = SYMBOLS.get(currency)
    if language == "en" and symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {symbol or currency}"


def percent(fraction: float | None, language: str, signed: bool = False, decimals: int = 1) -> str:
    """0.153 as 15,3 % (es) or 15.3% (en); with ``signed``, +15,3 %."""
    if fraction is None or not math.isfinite(fraction):
        return "—"
    text = number(abs(fraction) * 100, language, decimals)
    sign = ("+" if fraction > 0 else "-" if fraction < 0 else "") if signed else ("-" if fraction < 0 else "")
    return f"{sign}{text} %" if language == "es" else f"{sign}{text}%"


def change(current: float | None, previous: float | None, language: str) -> str:
    """ "+15,3 %" or, when there is nothing to divide by, the plain difference."""
    if current is None or previous is None:
        return "—"
    if previous > 0:
        return percent(current / previous - 1, language, signed=True)
    return ("+" if current >= previous else "") + number(current - previous, language, 2)


def p_value(value: float, language: str) -> str:
    """A p-value as people read it: 0,0123, or < 0,0001 when smaller."""
    return f"< {number(0.0001, language, 4)}" if value < 0.0001 else number(value, language, 4)


def day(value: object, language: str) -> str:
    """A day as 30/11/2011 (es) or 2011-11-30 (en)."""
    text = str(value)[:10]
    if language == "es" and len(text) == 10:
        year, month, dom = text.split("-")
        return f"{dom}/{month}/{year}"
    return text
