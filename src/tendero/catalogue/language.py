"""The languages every text exists in, and how a request's or a user's wish picks one of them."""

from __future__ import annotations

from typing import Literal

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("es", "en")
# What a reader gets who asks only for languages we do not have (``Accept-Language: fr``, ``--lang fr``).
FALLBACK: Language = "en"

# Said when a language is asked for by name (``--lang fr``) and we do not have it.
LANGUAGE_TEXTS: dict[str, dict[str, str]] = {
    "unavailable": {
        "en": "language {asked!r} is not available; choose one of: {choices}",
        "es": "el idioma {asked!r} no está disponible; elige uno de: {choices}",
    },
}


def as_language(tag: str) -> Language | None:
    """``es``, ``es-AR``, ``EN_gb`` -> the language; anything we do not have -> None."""
    base = tag.strip().lower().replace("_", "-").split("-")[0]
    return next((language for language in LANGUAGES if language == base), None)


def negotiate(accept_language: str | None, default: Language) -> Language:
    """The most wanted of our languages in an ``Accept-Language`` header (q weights honoured, ties in order).

    No header: ``default``. A header that names only languages we do not have (``fr``): ``FALLBACK``."""
    if not accept_language or not accept_language.strip():
        return default
    ranked: list[tuple[float, int, Language]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        found = as_language(tag)
        if found is not None and weight > 0:
            ranked.append((-weight, index, found))
    return min(ranked)[2] if ranked else FALLBACK


def unavailable(asked: str, lang: Language = FALLBACK) -> str:
    """The sentence for a language asked for by name that we do not have, listing the ones we do."""
    return LANGUAGE_TEXTS["unavailable"][lang].format(asked=asked, choices=", ".join(LANGUAGES))
