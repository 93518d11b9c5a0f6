"""The sales analysis's sentences, its report's headings and KPI labels, in Spanish and English (part of
``tendero.catalogue``)."""

from __future__ import annotations

INSIGHT_TEXTS: dict[str, dict[str, str]] = {
    # --- sales analysis -------------------------------------------------------------------------------
    "revenue_change": {
        "es": "Las ventas de {period} fueron {revenue}, {change} frente a {previous_label} ({previous}){last_year}.",
        "en": "Sales in {period} were {revenue}, {change} against {previous_label} ({previous}){last_year}.",
    },
    "revenue_change.last_year": {
        "es": "; {change} frente al mismo periodo del año anterior ({value})",
        "en": "; {change} against the same period last year ({value})",
    },
    "revenue_change.no_previous": {
        "es": "Las ventas de {period} fueron {revenue}; no hay datos de {previous_label} para comparar.",
        "en": "Sales in {period} were {revenue}; there is no data for {previous_label} to compare with.",
    },
    "revenue_change.rec_down": {
        "es": "Revisa {name}: explica {share} de la caída ({change}).",
        "en": "Look into {name}: it explains {share} of the drop ({change}).",
    },
    "revenue_change.rec_up": {
        "es": "Asegura el stock de {name}: explica {share} de la subida ({change}).",
        "en": "Keep {name} in stock: it explains {share} of the rise ({change}).",
    },
    "average_ticket": {
        "es": "El ticket medio fue {value} ({orders} pedidos), {change} frente a {previous_label} ({previous}).",
        "en": "The average ticket was {value} ({orders} orders), {change} against {previous_label} ({previous}).",
    },
    "average_ticket.rec_down": {
        "es": "Ofrece packs de productos que se compran juntos para recuperar el ticket medio de {previous}.",
        "en": "Offer bundles of products bought together to win back the average ticket of {previous}.",
    },
    "average_ticket.rec_up": {
        "es": "Mantén lo que subió el ticket: {units_per_order} unidades por pedido frente a {units_per_order_prev}.",
        "en": "Keep what lifted the ticket: {units_per_order} units per order against {units_per_order_prev}.",
    },
    "customer_mix": {
        "es": "Compraron {customers} clientes: {new} nuevos y {returning} recurrentes ({new_share} nuevos; "
        "en {previous_label}, {new_share_prev}).",
        "en": "{customers} customers bought: {new} new and {returning} returning ({new_share} new; "
        "in {previous_label}, {new_share_prev}).",
    },
    "customer_mix.rec_returning_down": {
        "es": "Vuelven menos clientes ({returning} frente a {returning_prev}): lanza una campaña de recompra.",
        "en": "Fewer customers came back ({returning} against {returning_prev}): run a win-back campaign.",
    },
    "customer_mix.rec_new_down": {
        "es": "Llegan menos clientes nuevos ({new} frente a {new_prev}): revisa la captación.",
        "en": "Fewer new customers arrived ({new} against {new_prev}): review acquisition.",
    },
    "customer_mix.rec_welcome": {
        "es": "Da la bienvenida a los {new} clientes nuevos con una segunda compra con descuento.",
        "en": "Welcome the {new} new customers with a discount on their second purchase.",
    },
    "returns": {
        "es": "Hubo {lines} líneas devueltas por {value} ({share} de las ventas brutas de {gross}).",
        "en": "{lines} lines were returned for {value} ({share} of gross sales of {gross}).",
    },
    "returns.rec": {
        "es": "Revisa {name}: concentra {share} del valor devuelto ({value}).",
        "en": "Check {name}: it accounts for {share} of the value returned ({value}).",
    },
    "product_mover": {
        "es": "{name} {verb} {change_abs} ({pct}: de {previous} a {current}); {share}.",
        "en": "{name} {verb} {change_abs} ({pct}: from {previous} to {current}); {share}.",
    },
    "category_mover": {
        "es": "La categoría {name} {verb} {change_abs} ({pct}: de {previous} a {current}); {share}.",
        "en": "The {name} category {verb} {change_abs} ({pct}: from {previous} to {current}); {share}.",
    },
    "mover.share_with": {"es": "explica {share} del cambio total", "en": "it explains {share} of the total change"},
    "mover.share_against": {
        "es": "va en contra del cambio total ({total})",
        "en": "it goes against the total change ({total})",
    },
    "mover.up": {"es": "sube", "en": "rose by"},
    "mover.down": {"es": "baja", "en": "fell by"},
    "mover.new": {"es": "nuevo", "en": "new"},
    "mover.rec_up": {
        "es": "Asegura el stock de {name}: vendió {units} unidades frente a {units_prev} en {previous_label}.",
        "en": "Keep {name} in stock: it sold {units} units against {units_prev} in {previous_label}.",
    },
    "mover.rec_down": {
        "es": "Revisa precio, stock y visibilidad de {name}: vendió {units} unidades frente a {units_prev}.",
        "en": "Check the price, stock and visibility of {name}: it sold {units} units against {units_prev}.",
    },
    "anomaly": {
        "es": "{when}: ventas de {actual}, {direction} de lo esperado ({expected}; rango normal {low} a {high}, "
        "{method}).",
        "en": "{when}: sales of {actual}, {direction} what was expected ({expected}; normal range {low} to {high}, "
        "{method}).",
    },
    "anomaly.high": {"es": "muy por encima", "en": "well above"},
    "anomaly.low": {"es": "muy por debajo", "en": "well below"},
    "anomaly.week": {"es": "Semana del {day}", "en": "Week of {day}"},
    "anomaly.method.forecast": {"es": "previsión {model}", "en": "forecast {model}"},
    "anomaly.method.robust": {
        "es": "mediana y MAD de las {n} semanas anteriores",
        "en": "median and MAD of the {n} weeks before",
    },
    "anomaly.rec_high": {
        "es": "Averigua qué impulsó las ventas ({top}) y repítelo.",
        "en": "Find out what drove the sales ({top}) and repeat it.",
    },
    "anomaly.rec_low": {
        "es": "Comprueba si hubo cierre, rotura de stock o una incidencia ese día.",
        "en": "Check whether the shop was closed, out of stock or had an incident that day.",
    },
    "concentration_products": {
        "es": "El 10 % de los productos que más venden ({n} de {total}) suma {share} de los ingresos; "
        "el primero, {top}, {top_share}.",
        "en": "The top 10 % of products ({n} of {total}) make {share} of revenue; the first, {top}, {top_share}.",
    },
    "concentration_products.rec": {
        "es": "Vigila a diario el stock de esos {n} productos: una rotura costaría una parte grande de las ventas.",
        "en": "Watch the stock of those {n} products daily: running out would cost a large part of sales.",
    },
    "concentration_customers": {
        "es": "El 10 % de los clientes que más compran ({n} de {total}) aporta {share} de los ingresos; "
        "el primero, {top}, {top_share}.",
        "en": "The top 10 % of customers ({n} of {total}) bring {share} of revenue; the first, {top}, {top_share}.",
    },
    "concentration_customers.rec": {
        "es": "Cuida a esos {n} clientes (atención preferente, fidelización): depender de pocos es un riesgo.",
        "en": "Look after those {n} customers (priority service, loyalty perks): depending on few is a risk.",
    },
    "customers_at_risk": {
        "es": "{high} clientes tienen riesgo alto de abandono (probabilidad ≥ 70 %); el valor en riesgo de todos "
        "los clientes es {value} (modelo {model}, a {as_of}).",
        "en": "{high} customers are at high risk of churning (probability ≥ 70 %); the value at risk across all "
        "customers is {value} (model {model}, as of {as_of}).",
    },
    "customers_at_risk.rec": {
        "es": "Contacta primero a {top}: {value} en riesgo, probabilidad de abandono {probability}.",
        "en": "Contact {top} first: {value} at risk, churn probability {probability}.",
    },
    "likely_buyers": {
        "es": "{n} clientes compran probablemente en los próximos {days} días (probabilidad ≥ 50 %); se esperan "
        "{purchases} compras, unos {value} al ticket medio actual (modelo {model}).",
        "en": "{n} customers will probably buy in the next {days} days (probability ≥ 50 %); {purchases} "
        "purchases are expected, about {value} at today's average ticket (model {model}).",
    },
    "likely_buyers.rec": {
        "es": "Envía la campaña a esos {n} clientes ahora, empezando por {top} ({probability}).",
        "en": "Send the campaign to those {n} customers now, starting with {top} ({probability}).",
    },
    "outlook": {
        "es": "La previsión para {next} es {point} (entre {low} y {high}, {level} %), {change} frente a {period} "
        "({actual}; modelo {model}).",
        "en": "The forecast for {next} is {point} (between {low} and {high}, {level} %), {change} against "
        "{period} ({actual}; model {model}).",
    },
    "outlook.rec_up": {
        "es": "Prepara stock y personal para {pct} más de demanda en {next}.",
        "en": "Prepare stock and staff for {pct} more demand in {next}.",
    },
    "outlook.rec_down": {
        "es": "Ajusta las compras a {next}: se espera {pct} menos de demanda; no sobre-stockees.",
        "en": "Trim purchasing for {next}: {pct} less demand is expected; do not overstock.",
    },
    "restock": {
        "es": "{name}: la previsión para {next} ({forecast} unidades) supera en {pct} lo vendido al ritmo de "
        "{period} ({sold} unidades).",
        "en": "{name}: the forecast for {next} ({forecast} units) exceeds what sold at {period}'s pace ({sold} "
        "units) by {pct}.",
    },
    "restock.rec": {
        "es": "Repón {name}: la previsión supera lo vendido en {period} en {pct}.",
        "en": "Restock {name}: the forecast exceeds what sold in {period} by {pct}.",
    },
    "partial_period": {
        "es": "El periodo está incompleto: hay datos hasta el {data_end} ({covered} de {days} días); se compara "
        "con los mismos {covered} días de cada periodo de referencia.",
        "en": "The period is partial: there is data up to {data_end} ({covered} of {days} days); it is compared "
        "with the same {covered} days of each reference period.",
    },
    "partial_period.rec": {
        "es": "Vuelve a analizarlo cuando termine el periodo para ver las cifras completas.",
        "en": "Analyse it again once the period is over to see the full figures.",
    },
    # --- product suggestions --------------------------------------------------------------------------
    "bundle": {
        "es": "{items} se compran juntos en {orders} pedidos de {customers} clientes: {lift} veces más de lo "
        "esperado por azar (confianza {confidence}, p ajustado {q}).",
        "en": "{items} are bought together in {orders} orders by {customers} customers: {lift} times more than "
        "chance (confidence {confidence}, adjusted p {q}).",
    },
    "bundle.rec": {
        "es": "Ofrece {items} como pack o colócalos juntos; sugiere {consequent} a quien compre {antecedent}.",
        "en": "Offer {items} as a bundle or shelve them together; suggest {consequent} to whoever buys {antecedent}.",
    },
    "trend.rising": {
        "es": "{name} está subiendo: {recent} unidades en los últimos {days} días frente a {expected} {basis} ({pct}).",
        "en": "{name} is rising: {recent} units in the last {days} days against {expected} {basis} ({pct}).",
    },
    "trend.falling": {
        "es": "{name} está bajando: {recent} unidades en los últimos {days} días frente a {expected} {basis} ({pct}).",
        "en": "{name} is falling: {recent} units in the last {days} days against {expected} {basis} ({pct}).",
    },
    "trend.basis.forecast": {"es": "previstas (modelo {model})", "en": "forecast (model {model})"},
    "trend.basis.history": {"es": "en los {days} días anteriores", "en": "in the {days} days before"},
    "trend.rec_rising": {
        "es": "Aumenta el pedido de {name} y dale visibilidad mientras sube.",
        "en": "Order more {name} and give it visibility while it rises.",
    },
    "trend.rec_falling": {
        "es": "Reduce el pedido de {name} y revisa su precio o su colocación.",
        "en": "Order less {name} and review its price or placement.",
    },
    "slow_mover": {
        "es": "{name} se vende despacio: {velocity} unidades al día frente a {category_velocity} de su categoría "
        "{category}; última venta hace {days_since} días.",
        "en": "{name} sells slowly: {velocity} units a day against {category_velocity} for its category "
        "{category}; last sold {days_since} days ago.",
    },
    "slow_mover.rec": {
        "es": "Haz una promoción de {name} (p. ej. un 20 % de descuento) o retíralo del surtido.",
        "en": "Run a promotion on {name} (e.g. 20 % off) or drop it from the range.",
    },
    "cross_sell": {
        "es": "Quien compra {source} compra también {target} en {share} de los pedidos ({lift} veces lo normal); "
        "el producto más comprado con ella es {product}.",
        "en": "Buyers of {source} also buy {target} in {share} of orders ({lift} times the usual rate); the "
        "product bought with it most is {product}.",
    },
    "cross_sell.rec": {
        "es": "Recomienda {product} en la página y en la caja de {source}.",
        "en": "Recommend {product} on the {source} pages and at checkout.",
    },
    "seasonal": {
        "es": "{name} entra en temporada: hace un año, del {last_year_window}, vendió {last_year} unidades frente a "
        "{baseline} de media cada 4 semanas ({index} veces lo normal).",
        "en": "{name} is coming into season: a year ago, {last_year_window}, it sold {last_year} units against an "
        "average of {baseline} per 4 weeks ({index} times usual).",
    },
    "seasonal.rec": {
        "es": "Prepara stock de {name} para {window} y prográmale visibilidad.",
        "en": "Stock up on {name} for {window} and plan its visibility.",
    },
    "uncategorised": {"es": "sin categoría", "en": "uncategorised"},
}


REPORT_HEADINGS: dict[str, dict[str, str]] = {
    "title": {"es": "Análisis de ventas", "en": "Sales analysis"},
    "insights": {"es": "Hallazgos", "en": "Insights"},
    "kpis": {"es": "Indicadores", "en": "Key figures"},
    "movers": {"es": "Productos que explican el cambio", "en": "Products behind the change"},
    "categories": {"es": "Categorías que explican el cambio", "en": "Categories behind the change"},
    "anomalies": {"es": "Días fuera de lo normal", "en": "Days out of the ordinary"},
    "sources": {"es": "De dónde salen las cifras", "en": "Where the figures come from"},
    "kpi": {"es": "Indicador", "en": "Figure"},
    "current": {"es": "Periodo", "en": "Period"},
    "previous": {"es": "Comparado", "en": "Compared"},
    "change": {"es": "Cambio", "en": "Change"},
    "last_year": {"es": "Año anterior", "en": "Last year"},
    "product": {"es": "Producto", "en": "Product"},
    "category": {"es": "Categoría", "en": "Category"},
    "contribution": {"es": "Contribución", "en": "Contribution"},
    "share": {"es": "Parte del cambio", "en": "Share of change"},
    "date": {"es": "Fecha", "en": "Date"},
    "actual": {"es": "Real", "en": "Actual"},
    "expected": {"es": "Esperado", "en": "Expected"},
    "impact": {"es": "Impacto", "en": "Impact"},
    "recommendation": {"es": "Recomendación", "en": "Recommendation"},
    "compared_with": {"es": "comparado con", "en": "compared with"},
    "partial": {"es": "periodo incompleto", "en": "partial period"},
    "none": {"es": "Ninguno.", "en": "None."},
}


KPI_LABELS: dict[str, dict[str, str]] = {
    "revenue": {"es": "Ventas netas", "en": "Net sales"},
    "gross_revenue": {"es": "Ventas brutas", "en": "Gross sales"},
    "units": {"es": "Unidades", "en": "Units"},
    "orders": {"es": "Pedidos", "en": "Orders"},
    "customers": {"es": "Clientes", "en": "Customers"},
    "average_ticket": {"es": "Ticket medio", "en": "Average ticket"},
    "new_customers": {"es": "Clientes nuevos", "en": "New customers"},
    "returning_customers": {"es": "Clientes recurrentes", "en": "Returning customers"},
    "returns_value": {"es": "Devoluciones", "en": "Returns"},
    "return_lines": {"es": "Líneas devueltas", "en": "Lines returned"},
}
