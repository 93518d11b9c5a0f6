"""The dashboard pages' explanations, in Spanish and English (part of ``tendero.catalogue``): the forecast ranges,
the customer page's figures and why a segment and a churn risk may differ, the demo's data, the missing page.

The dashboard reads these beside ``DASHBOARD`` (one translator for both)."""

from __future__ import annotations

PAGES: dict[str, dict[str, str]] = {
    # forecast: how often the shaded ranges should hold the real figure, derived from each level
    "forecast.bands_note": {
        "en": "The shaded ranges aim to hold the real figure {hits}, sized from the errors of past tests; how often"
        " they did is measured below.",
        "es": "Las zonas sombreadas buscan contener la cifra real {hits}, según los errores de las pruebas con el"
        " pasado; abajo se mide cuántas veces lo lograron.",
    },
    "forecast.band_hits": {
        "en": "{count} times in 20 (the {level} % range)",
        "es": "{count} de cada 20 veces (el rango del {level} %)",
    },
    "word.and": {"en": "and", "es": "y"},
    # one customer
    "customers.total_spend": {"en": "Total spend (net of returns)", "es": "Gasto total (neto de devoluciones)"},
    "customers.clv_note": {
        "en": "Lifetime value: what this customer is expected to spend with you from now on.",
        "es": "Valor de vida: lo que se espera que este cliente gaste contigo a partir de ahora.",
    },
    "customers.value_at_risk_note": {
        "en": "Value at risk: the chance of leaving × what they would spend in the next {days} days if they stay.",
        "es": "Valor en riesgo: la probabilidad de abandono × lo que gastaría en los próximos {days} días si se queda.",
    },
    "customers.disagree_good": {
        "en": "Why the segment and the risk differ: the segment ranks this customer against your other customers by"
        " recency, orders and spend (RFM {rfm}), so it stays good while their risk of leaving rises; the chance of"
        " leaving compares the {days} days since their last purchase with this customer's own usual gap between"
        " purchases. Treat them as at risk: {action}.",
        "es": "Por qué el segmento y el riesgo no coinciden: el segmento compara a este cliente con los demás por lo"
        " reciente de su compra, sus pedidos y su gasto (RFM {rfm}), así que sigue siendo bueno aunque suba su"
        " riesgo de abandono; la probabilidad de abandono compara los {days} días desde su última compra con el"
        " intervalo habitual entre sus compras. Trátalo como cliente en riesgo: {action}.",
    },
    "customers.disagree_bad": {
        "en": "Why the segment and the risk differ: against your other customers (RFM {rfm}), {days} days without"
        " buying looks long; for this customer's own rhythm of purchases it is not, so the chance of leaving is low."
        " The segment's advice still applies, without hurry.",
        "es": "Por qué el segmento y el riesgo no coinciden: frente a los demás clientes (RFM {rfm}), {days} días sin"
        " comprar parecen muchos; para el ritmo de compras de este cliente no lo son, así que la probabilidad de"
        " abandono es baja. El consejo del segmento sigue valiendo, sin prisa.",
    },
    # data: rows loaded without an import (the demo)
    "data.demo_loaded": {
        "en": "The demo data is here: a generated shop with {counts}, with orders from {first} to {last}. "
        "`tendero demo` loaded it directly, so there are no import reports below; import your own files here to "
        "add to it.",
        "es": "Aquí están los datos de la demo: una tienda generada con {counts}, con pedidos del {first} al "
        "{last}. `tendero demo` los cargó directamente, así que abajo no hay informes de importación; importa aquí "
        "tus propios ficheros para añadirlos.",
    },
    "data.loaded_directly": {
        "en": "This shop holds {counts} loaded without an import (by a script or a bulk load), so there are no import"
        " reports below.",
        "es": "Esta tienda tiene {counts} cargados sin importación (por un script o una carga masiva), así que abajo"
        " no hay informes de importación.",
    },
    # the data profile's warnings (codes from tendero.data.profile)
    "profile.large_quantity": {
        "en": "{count} order lines have more than {limit} units; check they are real",
        "es": "{count} líneas de pedido tienen más de {limit} unidades; comprueba que son reales",
    },
    "profile.products_without_category": {
        "en": "{pct} % of order lines are of products without a category; category forecasts will group them as"
        " 'unknown'",
        "es": "el {pct} % de las líneas de pedido son de productos sin categoría; las previsiones por categoría los"
        " agruparán como 'desconocida'",
    },
    "profile.products_never_sold": {
        "en": "{unsold} of {products} products were never sold",
        "es": "{unsold} de {products} productos no se vendieron nunca",
    },
    "profile.no_orders": {
        "en": "no orders yet: import orders (or order lines) to train",
        "es": "aún no hay pedidos: importa pedidos (o líneas de pedido) para entrenar",
    },
    # chart axes (hover texts name the value with the same words)
    "chart.day": {"en": "Day", "es": "Día"},
    "chart.month": {"en": "Month", "es": "Mes"},
    "chart.category": {"en": "Category", "es": "Categoría"},
    "chart.spend": {"en": "Spend", "es": "Gasto"},
    "chart.effect": {"en": "Effect (%)", "es": "Efecto (%)"},
    "chart.period.D": {"en": "Day", "es": "Día"},
    "chart.period.W": {"en": "Week", "es": "Semana"},
    "chart.period.M": {"en": "Month", "es": "Mes"},
    "chart.measure.revenue": {"en": "Revenue", "es": "Ventas"},
    "chart.measure.quantity": {"en": "Units sold", "es": "Unidades vendidas"},
    # model kinds and job kinds, as a person reads them (the codes stay in the API)
    "kind.baseline": {"en": "Weekly baseline", "es": "Referencia semanal"},
    "kind.forecast": {"en": "Sales forecast", "es": "Previsión de ventas"},
    "kind.customers": {"en": "Customer model", "es": "Modelo de clientes"},
    "kind.recommender": {"en": "Recommender", "es": "Recomendador"},
    "kind.tabular": {"en": "Your own model (table)", "es": "Modelo propio (tabla)"},
    "kind.pricing": {"en": "Price suggestions", "es": "Sugerencia de precios"},
    "kind.slow": {"en": "Test model", "es": "Modelo de prueba"},
    "jobkind.train": {"en": "Training", "es": "Entrenamiento"},
    "jobkind.batch_predict": {"en": "Batch prediction", "es": "Predicción por lotes"},
    "jobkind.search_index": {"en": "Product search index", "es": "Índice de búsqueda de productos"},
    "jobkind.insights": {"en": "Sales analysis", "es": "Análisis de ventas"},
    "jobkind.schedule": {"en": "Scheduled task", "es": "Tarea programada"},
    "jobkind.retention": {"en": "Clean-up of old records", "es": "Limpieza de registros antiguos"},
    "alias.champion": {"en": "champion", "es": "campeón"},
    "alias.challenger": {"en": "challenger", "es": "aspirante"},
    # a page that does not exist
    "error.no_page": {
        "en": "There is no page at {path}.",
        "es": "No hay ninguna página en {path}.",
    },
    "error.back": {"en": "Go back", "es": "Volver atrás"},
    "error.page_missing": {"en": "Page not found", "es": "Página no encontrada"},
}
