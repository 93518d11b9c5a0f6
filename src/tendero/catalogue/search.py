"""The product search's notices, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

SEARCH_NOTICES: dict[str, dict[str, str]] = {
    "empty": {
        "es": "La búsqueda está vacía: escribe qué buscar.",
        "en": "The query is empty: type what to search for.",
    },
    "no_terms": {
        "es": "La búsqueda no tiene palabras que buscar (solo palabras vacías o símbolos).",
        "en": "The query has no words to search for (only stop words or symbols).",
    },
    "empty_price_range": {
        "es": "El precio mínimo es mayor que el máximo: ningún producto puede coincidir.",
        "en": "The minimum price is above the maximum: no product can match.",
    },
    "index_building": {
        "es": "El índice semántico se está construyendo: por ahora solo se buscan palabras.",
        "en": "The semantic index is being built: only words are searched for now.",
    },
}
