"""Texts of the model answers: unknown ids, fallbacks, prediction warnings (part of ``tendero.catalogue``)."""

from __future__ import annotations

ANSWERS: dict[str, dict[str, str]] = {
    "unknown.customer": {
        "en": "customer {id!r} is not in model {model} {version}: check the id as your data writes it, or retrain "
        "after importing their orders",
        "es": "el cliente {id!r} no está en el modelo {model} {version}: revisa el id tal como lo escriben tus datos, "
        "o reentrena después de importar sus pedidos",
    },
    "unknown.item": {
        "en": "item {id!r} is not in the catalogue of {model}: check the id as your data writes it",
        "es": "el artículo {id!r} no está en el catálogo de {model}: revisa el id tal como lo escriben tus datos",
    },
    "fallback.unknown_customer": {
        "en": "customer {id!r} is unknown to this recommender (no history in its data or since): these are the "
        "most popular items, not personal ones",
        "es": "este recomendador no conoce al cliente {id!r} (sin historial en sus datos ni después): son los "
        "artículos más populares, no personales",
    },
}


def answer_text(key: str, language: str, **values: object) -> str:
    """One answer text in ``language`` (Spanish or English), filled in."""
    return ANSWERS[key]["es" if language == "es" else "en"].format(**values)
