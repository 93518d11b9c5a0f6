"""The assistant's sentences in Spanish and English (one catalogue) and how it writes numbers.

Money has its currency, counts their unit, percentages one decimal; Spanish writes 1.234,56 € and English
€1,234.56. Dates are ISO (2026-10-01) in both languages: the same text the data carries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

MEASURE_NAMES = {
    "revenue": {"es": "ventas", "en": "sales"},
    "units": {"es": "unidades vendidas", "en": "units sold"},
    "orders": {"es": "pedidos", "en": "orders"},
    "customers": {"es": "clientes que compraron", "en": "customers who bought"},
    "average_ticket": {"es": "ticket medio", "en": "average ticket"},
}
UNIT_WORDS = {
    "units": {"es": "unidades", "en": "units"},
    "orders": {"es": "pedidos", "en": "orders"},
    "customers": {"es": "clientes", "en": "customers"},
    "products": {"es": "productos", "en": "products"},
    "days": {"es": "días", "en": "days"},
}
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}

CATALOGUE: dict[str, dict[str, str]] = {
    "period": {"es": "entre el {start} y el {end}", "en": "from {start} to {end}"},
    "day": {"es": "el {start}", "en": "on {start}"},
    "default_period": {"es": " (no dijiste cuándo: {period})", "en": " (you did not say when: {period})"},
    "filter_category": {"es": " de la categoría {category}", "en": " in category {category}"},
    "filter_product": {"es": " de {product}", "en": " of {product}"},
    "filter_customer": {"es": " del cliente {customer}", "en": " of customer {customer}"},
    "sales_total": {
        "es": "{measure_name}{filters} {period}: {value}.",
        "en": "{measure_name}{filters} {period}: {value}.",
    },
    "sales_total_orders": {"es": " ({orders} en {lines} líneas)", "en": " ({orders} across {lines} lines)"},
    "no_sales": {
        "es": "No hay ventas{filters} {period}. Tus datos van del {first} al {last}.",
        "en": "There are no sales{filters} {period}. Your data runs from {first} to {last}.",
    },
    "no_data": {
        "es": "Aún no hay pedidos importados en esta tienda: importa tus ventas (tendero import) y pregúntame.",
        "en": "This shop has no orders imported yet: import your sales (tendero import) and ask me again.",
    },
    "sales_compare": {
        "es": "{measure_name}{filters} {period}: {value}, frente a {other} {compare}: {change} ({pct}).",
        "en": "{measure_name}{filters} {period}: {value}, against {other} {compare}: {change} ({pct}).",
    },
    "sales_compare_no_base": {
        "es": "{measure_name}{filters} {period}: {value}, frente a {other} {compare} (sin ventas con las que comparar "
        "en porcentaje).",
        "en": "{measure_name}{filters} {period}: {value}, against {other} {compare} (no sales to compare in percent).",
    },
    "sales_trend": {
        "es": "{measure_name}{filters} por {grain} {period}: {first} el primer {grain_one} y {last} el último; "
        "máximo {peak} ({peak_at}), mínimo {low} ({low_at}); tendencia {slope} por {grain_one}.",
        "en": "{measure_name}{filters} by {grain} {period}: {first} in the first {grain_one} and {last} in the last; "
        "peak {peak} ({peak_at}), low {low} ({low_at}); trend {slope} per {grain_one}.",
    },
    "grain.day": {"es": "día", "en": "day"},
    "grain.week": {"es": "semana", "en": "week"},
    "grain.month": {"es": "mes", "en": "month"},
    "top_products": {
        "es": "{direction_word} {count} productos{filters} por {measure_name} {period}: {items}.",
        "en": "{direction_word} {count} products{filters} by {measure_name} {period}: {items}.",
    },
    "top_categories": {
        "es": "Categorías por {measure_name} {period} ({direction_word}): {items}.",
        "en": "Categories by {measure_name} {period} ({direction_word}): {items}.",
    },
    "top_customers": {
        "es": "{direction_word} {count} clientes{filters} por {measure_name} {period}: {items}.",
        "en": "{direction_word} {count} customers{filters} by {measure_name} {period}: {items}.",
    },
    "direction.top": {"es": "Los", "en": "Top"},
    "direction.bottom": {"es": "Los últimos", "en": "Bottom"},
    "direction.top_short": {"es": "de más a menos", "en": "highest first"},
    "direction.bottom_short": {"es": "de menos a más", "en": "lowest first"},
    "average_ticket": {
        "es": "Ticket medio{filters} {period}: {value} ({revenue} en {orders}).",
        "en": "Average ticket{filters} {period}: {value} ({revenue} over {orders}).",
    },
    "average_ticket_compare": {
        "es": " Frente a {other} {compare}: {change} ({pct}).",
        "en": " Against {other} {compare}: {change} ({pct}).",
    },
    "forecast": {
        "es": "Previsión de {measure_name}{filters} {period}: {value} (rango del {level} %: {low} a {high}), "
        "según el modelo {model} {version}.",
        "en": "Forecast of {measure_name}{filters} {period}: {value} ({level} % range: {low} to {high}), "
        "from model {model} {version}.",
    },
    "forecast_last": {
        "es": " Como referencia, {actual} {last_period}.",
        "en": " For reference, {actual} {last_period}.",
    },
    "forecast_unit_note": {
        "es": " (el modelo desplegado prevé unidades, no importes)",
        "en": " (the deployed model forecasts units, not money)",
    },
    "forecast_outside": {
        "es": "El modelo {model} {version} prevé {first} a {last}; lo pedido ({period}) queda fuera. Reentrénalo "
        "(POST /v1/forecasts/train) para llegar más lejos.",
        "en": "Model {model} {version} forecasts {first} to {last}; what you asked ({period}) is outside it. "
        "Retrain it (POST /v1/forecasts/train) to reach further.",
    },
    "no_forecast_model": {
        "es": "No hay un modelo de previsión desplegado{what}: entrena uno con POST /v1/forecasts/train "
        '{{"level": "{level}", "freq": "{freq}"}}.',
        "en": "There is no deployed forecast model{what}: train one with POST /v1/forecasts/train "
        '{{"level": "{level}", "freq": "{freq}"}}.',
    },
    "level.product": {"es": " por producto", "en": " per product"},
    "level.category": {"es": " por categoría", "en": " per category"},
    "level.total": {"es": " del total", "en": " of the total"},
    "unknown_product": {
        "es": "No encuentro el producto {product} en el catálogo.",
        "en": "I cannot find product {product} in the catalogue.",
    },
    "need_product": {
        "es": "¿De qué producto? Dime su nombre o su referencia, por ejemplo: {example}.",
        "en": "Which product? Tell me its name or id, for example: {example}.",
    },
    "need_customer": {
        "es": "¿De qué cliente? Dime su identificador, por ejemplo: {example}.",
        "en": "Which customer? Tell me their id, for example: {example}.",
    },
    "family_note": {
        "es": " ({count} productos se llaman «{family}…»; hablo del más vendido)",
        "en": " ({count} products are called “{family}…”; this is the best seller)",
    },
    "no_customer_model": {
        "es": "No hay un modelo de clientes desplegado: entrena uno con POST /v1/models/customers/train "
        '{{"kind": "customers"}}.',
        "en": "There is no deployed customer model: train one with POST /v1/models/customers/train "
        '{{"kind": "customers"}}.',
    },
    "unknown_customer": {
        "es": "El cliente {customer} no está en el modelo de clientes (entrenado con datos hasta el {as_of}).",
        "en": "Customer {customer} is not in the customer model (trained on data up to {as_of}).",
    },
    "at_risk": {
        "es": "Clientes con más valor en riesgo de irse (modelo {model} {version}): {items}.",
        "en": "Customers with the most value at risk of leaving (model {model} {version}): {items}.",
    },
    "at_risk_item": {
        "es": "{customer} ({value} en riesgo, probabilidad de abandono {probability})",
        "en": "{customer} ({value} at risk, churn probability {probability})",
    },
    "customer_insight": {
        "es": "Cliente {customer}: segmento {segment}; {orders} y {spent} en total, última compra el {last}; "
        "probabilidad de abandono {churn}; valor de vida esperado {clv}; compras esperadas en {days} días: {expected}.",
        "en": "Customer {customer}: segment {segment}; {orders} and {spent} in total, last purchase on {last}; "
        "churn probability {churn}; expected lifetime value {clv}; purchases expected in {days} days: {expected}.",
    },
    "likely_buyers": {
        "es": "Clientes con más probabilidad de comprar en los próximos {days} días (modelo {model} {version}): "
        "{items}.",
        "en": "Customers most likely to buy in the next {days} days (model {model} {version}): {items}.",
    },
    "likely_item": {"es": "{customer} ({probability})", "en": "{customer} ({probability})"},
    "segments": {
        "es": "Segmentos de clientes (modelo {model} {version}): {items}.",
        "en": "Customer segments (model {model} {version}): {items}.",
    },
    "segment_item": {"es": "{name} {customers} ({share} de las ventas)", "en": "{name} {customers} ({share} of sales)"},
    "segment_one": {
        "es": "Segmento {name}: {customers}, {share} de las ventas; acción sugerida: {action}. Los de más valor: "
        "{items}.",
        "en": "Segment {name}: {customers}, {share} of sales; suggested action: {action}. Most valuable: {items}.",
    },
    "segment_empty": {"es": "Segmento {name}: ningún cliente.", "en": "Segment {name}: no customers."},
    "recommend": {
        "es": "Para el cliente {customer} ({path}): {items}.",
        "en": "For customer {customer} ({path}): {items}.",
    },
    "similar": {"es": "Parecidos a {product}: {items}.", "en": "Similar to {product}: {items}."},
    "together": {"es": "Se compra junto con {product}: {items}.", "en": "Bought together with {product}: {items}."},
    "nothing_found": {"es": "No he encontrado nada para eso.", "en": "I found nothing for that."},
    "path.model": {"es": "modelo {model} {version}", "en": "model {model} {version}"},
    "path.rules": {"es": "reglas, sin modelo entrenado", "en": "rules, no trained model"},
    "search": {"es": "Productos para «{terms}»: {items}.", "en": "Products for “{terms}”: {items}."},
    "analysis_lead": {
        "es": "Análisis del {start} al {end}{note}, frente al {compare_start} – {compare_end}:",
        "en": "Analysis of {start} to {end}{note}, against {compare_start} to {compare_end}:",
    },
    "default_days": {
        "es": " (no dijiste cuándo: los últimos {days} días)",
        "en": " (you did not say when: the last {days} days)",
    },
    "advice": {"es": "Qué haría: {items}", "en": "What I would do: {items}"},
    "whole_shop": {"es": "(El análisis cubre toda la tienda.)", "en": "(The analysis covers the whole shop.)"},
    "no_suggestions": {
        "es": "No hay sugerencias de ese tipo con los datos de la tienda hasta ahora.",
        "en": "There are no suggestions of that kind in the shop's data so far.",
    },
    "no_suggestions_category": {
        "es": "No hay sugerencias de ese tipo para la categoría {category} con los datos de la tienda hasta ahora.",
        "en": "There are no suggestions of that kind for category {category} in the shop's data so far.",
    },
    "suggestion_section": {"es": "{section}: {items}", "en": "{section}: {items}"},
    "suggestions.bundles": {"es": "Packs", "en": "Bundles"},
    "suggestions.trends": {"es": "Tendencias", "en": "Trends"},
    "suggestions.slow_movers": {"es": "Productos lentos", "en": "Slow movers"},
    "suggestions.cross_sell": {"es": "Venta cruzada", "en": "Cross-sell"},
    "suggestions.seasonal": {"es": "De temporada", "en": "Coming into season"},
    "no_pricing_model": {
        "es": "Esta tienda no tiene un modelo de precios desplegado: entrena uno (POST /v1/models/pricing/train "
        "con kind pricing).",
        "en": "This shop has no deployed pricing model: train one (POST /v1/models/pricing/train with kind pricing).",
    },
    "price_unknown_product": {
        "es": "El modelo de precios no conoce {product}.",
        "en": "The pricing model does not know {product}.",
    },
    "price": {"es": "{product}: {message}", "en": "{product}: {message}"},
    "models": {"es": "Modelos desplegados: {items}.", "en": "Deployed models: {items}."},
    "model_item": {
        "es": "{name} {version} ({kind}, entrenado el {trained}{metric}{drift})",
        "en": "{name} {version} ({kind}, trained on {trained}{metric}{drift})",
    },
    "metric": {"es": ", {name} {value}", "en": ", {name} {value}"},
    "drift": {"es": ", con deriva: revisa y reentrena", "en": ", drifting: review and retrain"},
    "no_models": {
        "es": "Esta tienda no tiene modelos desplegados todavía: ejecuta tendero demo o entrena uno (POST "
        "/v1/models/{{name}}/train).",
        "en": "This shop has no deployed models yet: run tendero demo or train one (POST /v1/models/{{name}}/train).",
    },
    "help": {
        "es": "Respondo con los números de tu tienda: ventas y comparaciones, tendencias, productos y categorías "
        "más vendidos, ticket medio, previsiones, demanda por producto, clientes en riesgo, segmentos, mejores "
        "clientes, recomendaciones, productos parecidos o que se compran juntos, búsqueda de productos, análisis y "
        "estado de los modelos. Prueba: {examples}",
        "en": "I answer with your shop's own numbers: sales and comparisons, trends, best-selling products and "
        "categories, average ticket, forecasts, product demand, customers at risk, segments, top customers, "
        "recommendations, similar and bought-together products, product search, analysis and model health. "
        "Try: {examples}",
    },
    "unknown": {
        "es": "No he entendido la pregunta. Puedo responder sobre ventas, productos, clientes, previsiones y modelos "
        "de tu tienda. Por ejemplo: {examples}",
        "en": "I did not understand the question. I can answer about your shop's sales, products, customers, "
        "forecasts and models. For example: {examples}",
    },
    "empty": {"es": "Escribe una pregunta.", "en": "Write a question."},
    "too_long": {
        "es": "La pregunta es demasiado larga ({length} caracteres; como mucho {limit}).",
        "en": "The question is too long ({length} characters; at most {limit}).",
    },
}


def say(key: str, lang: str, **values: Any) -> str:
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values)


def number(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def money(value: float, currency: str, lang: str) -> str:
    sign = CURRENCY_SIGNS.get(currency)
    amount = number(abs(value), lang, 2)
    minus = "-" if value < 0 else ""
    if lang == "es":
        return f"{minus}{amount} {sign or currency}"
    return f"{minus}{sign}{amount}" if sign else f"{minus}{amount} {currency}"


def count(value: float, unit: str, lang: str) -> str:
    decimals = 0 if float(value).is_integer() else 1
    return f"{number(value, lang, decimals)} {UNIT_WORDS[unit][lang]}"


def percent(fraction: float, lang: str, signed: bool = False) -> str:
    value = fraction * 100
    text = number(abs(value), lang, 1)
    sign = ("+" if value > 0 else "-" if value < 0 else "") if signed else ("-" if value < 0 else "")
    return f"{sign}{text} %" if lang == "es" else f"{sign}{text}%"


def measure_value(measure: str, value: float, currency: str, lang: str) -> str:
    """A figure of a measure with its unit: money for revenue and ticket, a count otherwise."""
    if measure in ("revenue", "average_ticket"):
        return money(value, currency, lang)
    return count(value, {"units": "units", "orders": "orders", "customers": "customers"}[measure], lang)


def signed_measure(measure: str, value: float, currency: str, lang: str) -> str:
    text = measure_value(measure, value, currency, lang)
    return ("+" if value > 0 else "") + text


def period_text(start: date | str, end: date | str, lang: str) -> str:
    start, end = str(start), str(end)
    if start == end:
        return say("day", lang, start=start)
    return say("period", lang, start=start, end=end)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def listing(items: list[str], lang: str) -> str:
    """ "a, b y c" / "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    joiner = " y " if lang == "es" else " and "
    return (
        "; ".join(items[:-1]) + ";" + joiner + items[-1]
        if any("," in i for i in items)
        else (", ".join(items[:-1]) + joiner + items[-1])
    )
