"""Reasons a shop owner can show next to a recommendation, in Spanish and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["es", "en"]

_TEMPLATES: dict[str, dict[str, str]] = {
    "liked": {"es": "porque te gustó {name}", "en": "because you liked {name}"},
    "similar": {"es": "parecido a {name}", "en": "similar to {name}"},
    "bought_together": {"es": "comprado junto con {name}", "en": "bought together with {name}"},
    "popular_in": {"es": "popular en {name}", "en": "popular in {name}"},
    "popular": {"es": "popular ahora", "en": "popular right now"},
    "category": {"es": "porque te interesa {name}", "en": "because you like {name}"},
    "brand": {"es": "de {name}, que te gusta", "en": "from {name}, which you like"},
    "new": {"es": "novedad", "en": "new arrival"},
}


def reason(template: str, language: Language = "es", name: str = "") -> str:
    """The reason text for ``template`` (liked, similar, bought_together, popular_in, popular, ...)."""
    texts = _TEMPLATES[template]
    return texts.get(language, texts["es"]).format(name=name)
