"""Customer segments' texts, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

# RFM segment names.
SEGMENTS: dict[str, dict[str, str]] = {
    "champions": {"en": "Champions", "es": "Campeones"},
    "loyal": {"en": "Loyal", "es": "Leales"},
    "potential_loyalists": {"en": "Potential loyalists", "es": "Leales potenciales"},
    "new": {"en": "New", "es": "Nuevos"},
    "promising": {"en": "Promising", "es": "Prometedores"},
    "need_attention": {"en": "Need attention", "es": "Necesitan atención"},
    "at_risk": {"en": "At risk", "es": "En riesgo"},
    "cant_lose": {"en": "Can't lose them", "es": "No podemos perderlos"},
    "hibernating": {"en": "Hibernating", "es": "Hibernando"},
    "lost": {"en": "Lost", "es": "Perdidos"},
}

# What to do with each segment.
SEGMENT_ACTIONS: dict[str, dict[str, str]] = {
    "champions": {"en": "Reward them; ask for reviews", "es": "Recompénsalos; pide reseñas"},
    "loyal": {"en": "Upsell; loyalty programme", "es": "Venta cruzada; programa de fidelidad"},
    "potential_loyalists": {"en": "Offer membership", "es": "Ofrece membresía"},
    "new": {"en": "Onboard; second-purchase offer", "es": "Bienvenida; oferta de segunda compra"},
    "promising": {"en": "Build awareness; free trials", "es": "Dales a conocer más; pruebas gratis"},
    "need_attention": {"en": "Limited-time offer", "es": "Oferta por tiempo limitado"},
    "at_risk": {"en": "Personal win-back message", "es": "Mensaje personal de recuperación"},
    "cant_lose": {"en": "Win back now; talk to them", "es": "Recupéralos ya; habla con ellos"},
    "hibernating": {"en": "Reactivation campaign", "es": "Campaña de reactivación"},
    "lost": {"en": "Low-cost reach-out or let go", "es": "Contacto de bajo costo o dejar ir"},
}
