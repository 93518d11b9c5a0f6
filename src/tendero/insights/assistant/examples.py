"""Example questions per intent, in both languages: for ``help``, and for ``unknown`` the three closest to what
was asked (rapidfuzz's token-set similarity), so a question the assistant missed gets a way forward."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from tendero.insights.assistant.text import fold

EXAMPLES: dict[str, dict[str, tuple[str, ...]]] = {
    "sales_total": {
        "es": ("¿Cuánto vendimos el mes pasado?", "Ventas de Bebidas esta semana"),
        "en": ("How much did we sell last month?", "Sales of Bebidas this week"),
    },
    "sales_compare": {
        "es": ("Ventas de este mes frente al mes pasado", "Compara el Q3 con el Q2"),
        "en": ("This week vs last week", "Compare October with September"),
    },
    "sales_trend": {
        "es": ("Evolución de las ventas este año", "Ventas diarias del último mes"),
        "en": ("Sales trend over the last 6 months", "Weekly sales since March"),
    },
    "top_products": {
        "es": ("Los 5 productos más vendidos del mes pasado", "Productos que menos se venden"),
        "en": ("Top 10 products this year", "Worst selling products last month"),
    },
    "top_categories": {"es": ("Ventas por categoría este año",), "en": ("Top categories last month",)},
    "average_ticket": {"es": ("¿Cuál es el ticket medio este mes?",), "en": ("Average order value last month",)},
    "forecast": {
        "es": ("¿Cuánto venderemos el mes que viene?", "Previsión de Bebidas para las próximas 4 semanas"),
        "en": ("Sales forecast for the next 30 days", "What do you expect for next month?"),
    },
    "product_demand": {
        "es": ("¿Cuántas unidades de P0001 venderé la semana que viene?",),
        "en": ("Demand forecast for P0001 next month",),
    },
    "customers_at_risk": {
        "es": ("¿Qué clientes están en riesgo de irse?",),
        "en": ("Which customers are at risk of churning?",),
    },
    "customer_insight": {"es": ("Háblame del cliente C00001",), "en": ("Tell me about customer C00001",)},
    "likely_buyers": {
        "es": ("¿Quién va a comprar en los próximos 7 días?",),
        "en": ("Who is likely to buy next week?",),
    },
    "segments": {
        "es": ("Segmentos de clientes", "¿Cuántos clientes campeones tengo?"),
        "en": ("Customer segments", "Show me the loyal customers"),
    },
    "top_customers": {"es": ("Mis 10 mejores clientes este año",), "en": ("Top 10 customers by revenue",)},
    "recommend_for_customer": {
        "es": ("¿Qué le recomiendo al cliente C00001?",),
        "en": ("What should I recommend to customer C00001?",),
    },
    "similar_products": {"es": ("Productos parecidos a P0001",), "en": ("Products similar to P0001",)},
    "bought_together": {"es": ("¿Qué se compra junto con P0001?",), "en": ("What is bought together with P0001?",)},
    "product_search": {"es": ("Busca champú",), "en": ("Search for dark chocolate",)},
    "insights": {
        "es": ("Resumen de las ventas del mes pasado", "¿Qué ha pasado esta semana?"),
        "en": ("Give me a summary of last month", "Anything unusual lately?"),
    },
    "product_suggestions": {
        "es": ("¿Qué productos debería promocionar?",),
        "en": ("Which products should I discount?",),
    },
    "model_health": {"es": ("¿Es fiable la previsión?",), "en": ("How are the models doing?",)},
}


def help_examples(lang: str) -> list[str]:
    """One example of a few varied intents."""
    chosen = ("sales_total", "sales_compare", "top_products", "forecast", "customers_at_risk")
    return [EXAMPLES[intent][lang][0] for intent in chosen]


def closest_examples(query: str, lang: str, k: int = 3) -> list[str]:
    """The ``k`` example questions most like ``query`` (each from a different intent), best first."""
    pool = [(example, intent) for intent, texts in EXAMPLES.items() for example in texts[lang]]
    ranked = process.extract(fold(query), [fold(e) for e, _ in pool], scorer=fuzz.token_set_ratio, limit=len(pool))
    out: list[str] = []
    seen: set[str] = set()
    for _, _, index in ranked:
        example, intent = pool[index]
        if intent not in seen:
            out.append(example)
            seen.add(intent)
        if len(out) == k:
            break
    return out
