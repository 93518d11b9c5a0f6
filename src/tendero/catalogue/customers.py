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


# Why a customer may stop buying: one sentence per feature of the churn model, ``{value}`` already written in the
# reader's language (see ``REASON_FORMATS``); ``trend_90d`` reads by its sign.
CHURN_REASONS: dict[str, dict[str, str]] = {
    "recency_days": {"en": "No purchase for {value} days", "es": "Sin compras hace {value} días"},
    "frequency": {"en": "{value} purchase days in total", "es": "{value} días con compras en total"},
    "tenure_days": {"en": "Customer for {value} days", "es": "Cliente desde hace {value} días"},
    "revenue": {"en": "Total spend {value}", "es": "Gasto total {value}"},
    "mean_spend": {"en": "Average order {value}", "es": "Pedido promedio {value}"},
    "max_spend": {"en": "Largest order {value}", "es": "Pedido más grande {value}"},
    "last_spend": {"en": "Last order {value}", "es": "Último pedido {value}"},
    "mean_gap_days": {"en": "Usually buys every {value} days", "es": "Suele comprar cada {value} días"},
    "std_gap_days": {
        "en": "Irregular buying rhythm (±{value} days)",
        "es": "Ritmo de compra irregular (±{value} días)",
    },
    "last_gap_days": {
        "en": "{value} days between the last two purchases",
        "es": "{value} días entre las dos últimas compras",
    },
    "overdue_ratio": {
        "en": "{value}× their usual gap without buying",
        "es": "{value} veces su intervalo habitual sin comprar",
    },
    "purchases_90d": {"en": "{value} purchases in the last 90 days", "es": "{value} compras en los últimos 90 días"},
    "purchases_prev_90d": {
        "en": "{value} purchases in the 90 days before that",
        "es": "{value} compras en los 90 días anteriores",
    },
    "trend_90d.down": {"en": "Buying less than before", "es": "Compra menos que antes"},
    "trend_90d.up": {"en": "Buying as much or more than before", "es": "Compra igual o más que antes"},
    "spend_trend": {
        "en": "Last order was {value} of their average",
        "es": "El último pedido fue el {value} de su promedio",
    },
    "units_per_order": {"en": "{value} units per order", "es": "{value} unidades por pedido"},
    "zero_value_share": {"en": "{value} of orders had no value", "es": "{value} de los pedidos sin valor"},
    "returns": {"en": "{value} returns", "es": "{value} devoluciones"},
    "returned_share": {"en": "Returned {value} of what they bought", "es": "Devolvió el {value} de lo comprado"},
    "categories": {"en": "Buys in {value} categories", "es": "Compra en {value} categorías"},
    "top_category_share": {"en": "{value} of spend in one category", "es": "{value} del gasto en una sola categoría"},
    "p_alive": {
        "en": "{value} likely to still be an active customer",
        "es": "{value} de probabilidad de seguir activo",
    },
    "expected_rate": {"en": "Expected {value} purchases a week", "es": "Se esperan {value} compras por semana"},
    "p_quiet": {
        "en": "{value} chance of no purchase soon by purchase history",
        "es": "{value} de probabilidad de no comprar pronto según su historial",
    },
    "no_data": {"en": "No data for {feature}", "es": "Sin datos de {feature}"},
}
# How each feature's value is written: n0/n1/n2 (a number with 0-2 decimals), pct (a share as a percentage).
REASON_FORMATS: dict[str, str] = {
    "recency_days": "n0",
    "frequency": "n0",
    "tenure_days": "n0",
    "revenue": "n2",
    "mean_spend": "n2",
    "max_spend": "n2",
    "last_spend": "n2",
    "mean_gap_days": "n0",
    "std_gap_days": "n0",
    "last_gap_days": "n0",
    "overdue_ratio": "n1",
    "purchases_90d": "n0",
    "purchases_prev_90d": "n0",
    "spend_trend": "pct",
    "units_per_order": "n1",
    "zero_value_share": "pct",
    "returns": "n0",
    "returned_share": "pct",
    "categories": "n0",
    "top_category_share": "pct",
    "p_alive": "pct",
    "expected_rate": "n2",
    "p_quiet": "pct",
}

# A cluster of customers in words: "Customers who {recency}, {frequency} and {spend}."
CLUSTER_WORDS: dict[str, dict[str, str]] = {
    "sentence": {
        "en": "Customers who {recency}, {frequency} and {spend}.",
        "es": "Clientes que {recency}, {frequency} y {spend}.",
    },
    "recency.low": {"en": "bought recently", "es": "compraron hace poco"},
    "recency.mid": {"en": "bought a while ago", "es": "compraron hace un tiempo"},
    "recency.high": {"en": "have not bought in a long time", "es": "no compran hace mucho"},
    "frequency.low": {"en": "buy rarely", "es": "compran poco"},
    "frequency.mid": {"en": "buy now and then", "es": "compran de vez en cuando"},
    "frequency.high": {"en": "buy often", "es": "compran seguido"},
    "spend.low": {"en": "spend little", "es": "gastan poco"},
    "spend.mid": {"en": "spend an average amount", "es": "gastan lo normal"},
    "spend.high": {"en": "spend a lot", "es": "gastan mucho"},
}
