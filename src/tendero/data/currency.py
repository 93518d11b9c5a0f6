"""The currency a file's prices are in when it has no currency column but says where it sold: the currency of the
country most of its lines name (Online Retail II's ``Country`` is mostly "United Kingdom": its prices are pounds).

Countries are read as the CLDR names babel knows (English, Spanish and a few other languages, accents and case
folded), ISO 3166 codes and their aliases (``GBR``, ``UK``, ``USA``); the currency is the country's legal tender
today (babel's territory currencies). No table of our own."""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import cache
from typing import Any

from babel import Locale
from babel.core import get_global
from babel.numbers import get_territory_currencies

MIN_SHARE = 0.5  # more than half the lines name the country
NAME_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl")


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().replace(".", " ").split())


@cache
def _territories() -> dict[str, str]:
    """Folded country name or code -> ISO 3166 alpha-2 code."""
    found: dict[str, str] = {}
    for language in NAME_LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                found.setdefault(_fold(name), code)
                found.setdefault(code.casefold(), code)
    for alias, codes in get_global("territory_aliases").items():
        if len(codes) == 1 and alias.isalpha():
            found.setdefault(alias.casefold(), codes[0])
    return found


def territory_of(country: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country as a file names it, or None when babel does not know it."""
    return _territories().get(_fold(country))


def country_currency(countries: Counter[str], lines: int) -> dict[str, Any] | None:
    """What the country column says about the currency: ``{"country", "territory", "share", "lines", "currency",
    "taken", "reason"}`` for the country most lines name (None when no line names one). ``taken`` is True when
    more than half of ``lines`` name it and babel knows its one legal tender; otherwise ``reason`` says why not
    (``minority``: a shop's country column often names its customers' countries, and an exporter's mix says
    nothing of its prices; ``unknown_country``; ``no_single_tender``)."""
    if lines <= 0 or not countries:
        return None
    country, count = countries.most_common(1)[0]
    territory = territory_of(country)
    tenders = get_territory_currencies(territory, tender=True) if territory is not None else []
    found: dict[str, Any] = {"country": country, "territory": territory, "share": round(count / lines, 4),
                             "lines": count, "currency": tenders[0] if len(tenders) == 1 else None}  # fmt: skip
    if territory is None:
        reason = "unknown_country"
    elif len(tenders) != 1:  # none (Antarctica) or several legal tenders: the file does not say which
        reason = "no_single_tender"
    elif count / lines <= MIN_SHARE:
        reason = "minority"
    else:
        reason = None
    return {**found, "taken": reason is None, "reason": reason}
