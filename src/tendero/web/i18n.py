"""The dashboard's words in Spanish and English: a small catalogue, no gettext build step.

A missing translation falls back to English, and a missing key shows itself, so gaps are visible, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tendero.catalogue.dashboard import DASHBOARD
from tendero.catalogue.language import FALLBACK, negotiate
from tendero.catalogue.pages import PAGES
from tendero.catalogue.training_pages import TRAINING_PAGES

LANGUAGES = ("es", "en")
DEFAULT = FALLBACK
CATALOGUE: dict[str, dict[str, str]] = {**DASHBOARD, **PAGES, **TRAINING_PAGES}


def pick_language(accept_language: str | None) -> str:
    """The first of our languages the browser asks for (honouring q weights), else English."""
    return negotiate(accept_language, DEFAULT)


def translator(lang: str) -> Callable[..., str]:
    def translate(key: str, **values: object) -> str:
        entry = CATALOGUE.get(key)
        if entry is None:
            return key
        text = entry.get(lang) or entry[DEFAULT]
        return text.format(**values) if values else text

    return translate


def format_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """1,234.5 in English, 1.234,5 in Spanish."""
    if value is None or value != value:
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_metric(value: float | int | None, lang: str) -> str:
    """Whole numbers plainly, large ones with one decimal, small ones with three (0.123, 12.4, 8)."""
    if value is None or value != value:
        return "—"
    if float(value).is_integer():
        return format_number(value, lang, 0)
    return format_number(value, lang, 1 if abs(value) >= 100 else 3)


def format_when(value: datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y %H:%M" if lang == "es" else "%Y-%m-%d %H:%M")
