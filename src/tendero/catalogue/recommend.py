"""Recommendation reasons, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

# Reasons shown next to a recommendation.
REASONS: dict[str, dict[str, str]] = {
    "liked": {"es": "porque te gustó {name}", "en": "because you liked {name}"},
    "similar": {"es": "parecido a {name}", "en": "similar to {name}"},
    "bought_together": {"es": "comprado junto con {name}", "en": "bought together with {name}"},
    "popular_in": {"es": "popular en {name}", "en": "popular in {name}"},
    "popular": {"es": "popular ahora", "en": "popular right now"},
    "category": {"es": "porque te interesa {name}", "en": "because you like {name}"},
    "brand": {"es": "de {name}, que te gusta", "en": "from {name}, which you like"},
    "new": {"es": "novedad", "en": "new arrival"},
}
