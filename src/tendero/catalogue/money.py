"""Texts about money and goods, in Spanish and English (part of ``tendero.catalogue``): the currency setting,
the non-product rule and why an item was flagged, and incomplete or negative periods in sales figures."""

from __future__ import annotations

MONEY: dict[str, dict[str, str]] = {
    # why an item was flagged as a non-product (import report, settings)
    "non_product.name": {
        "es": "su nombre dice «{matched}»: parece un cargo (envío, comisión, descuento o ajuste), no un producto",
        "en": "its name says '{matched}': it looks like a charge (postage, fee, discount or adjustment), not a product",
    },
    "non_product.code": {
        "es": "su código «{product_id}» dice «{matched}»: parece un cargo, no un producto",
        "en": "its code '{product_id}' says '{matched}': it looks like a charge, not a product",
    },
    "non_product.zero_price": {
        "es": "nunca se vendió a un precio mayor que cero",
        "en": "it was never sold at a price above zero",
    },
    "non_product.admin": {
        "es": "marcado como no producto por un administrador",
        "en": "marked as a non-product by an admin",
    },
    "non_product.report": {
        "es": "{count} artículos parecen no ser productos (envíos, comisiones, descuentos, ajustes): se guardan, "
        "pero las recomendaciones, listas de productos, análisis y precios los dejan fuera "
        "mientras la regla de no productos esté activa (Ajustes)",
        "en": "{count} items look like non-products (postage, fees, discounts, adjustments): they are kept, but "
        "recommendations, product lists, analyses and pricing leave them out while the non-product rule "
        "is on (Settings)",
    },
    # the currency setting
    "currency.unknown": {
        "es": "«{code}» no es un código de moneda ISO 4217 (por ejemplo EUR, USD, GBP, MXN)",
        "en": "'{code}' is not an ISO 4217 currency code (for example EUR, USD, GBP, MXN)",
    },
    "currency.source.admin": {"es": "elegida por un administrador", "en": "chosen by an admin"},
    "currency.source.data": {"es": "tomada de los datos importados", "en": "taken from the imported data"},
    "currency.source.default": {"es": "por defecto", "en": "the default"},
    "currency.source.country": {
        "es": "la del país de la mayoría de las líneas importadas (los datos no traen moneda)",
        "en": "that of the country most imported lines name (the data has no currency column)",
    },
    "currency.from_country": {
        "es": "Sin columna de moneda: el {share} de las líneas son de {country}, así que los precios se leen en "
        "{currency} (un administrador puede cambiarla en Ajustes)",
        "en": "No currency column: {share} of the lines are from {country}, so prices are read as {currency} "
        "(an admin can change it in Settings)",
    },
    "currency.not_from_country.minority": {
        "es": "Sin columna de moneda, y el país más frecuente ({country}) solo aparece en el {share} de las líneas: "
        "la columna de país no dice la moneda de los precios, que sigue siendo {current}; si no es la suya, "
        "elíjala en Ajustes",
        "en": "No currency column, and the most frequent country ({country}) names only {share} of the lines: the "
        "country column does not tell the prices' currency, which stays {current}; if that is not yours, choose "
        "it in Settings",
    },
    "currency.not_from_country.unknown_country": {
        "es": "Sin columna de moneda, y el país más frecuente («{country}») no es un nombre de país conocido: la "
        "moneda sigue siendo {current}; si no es la suya, elíjala en Ajustes",
        "en": "No currency column, and the most frequent country ('{country}') is not a country name we know: the "
        "currency stays {current}; if that is not yours, choose it in Settings",
    },
    "currency.not_from_country.no_single_tender": {
        "es": "Sin columna de moneda, y {country} tiene más de una moneda de curso legal: la moneda sigue siendo "
        "{current}; si no es la suya, elíjala en Ajustes",
        "en": "No currency column, and {country} has more than one legal tender: the currency stays {current}; "
        "if that is not yours, choose it in Settings",
    },
    # incomplete and negative periods
    "period.partial": {
        "es": "el último periodo ({start} a {end}) está incompleto: los datos terminan el {end}",
        "en": "the last period ({start} to {end}) is incomplete: the data ends on {end}",
    },
    "period.negative": {
        "es": "{count} periodos del historial son negativos: las devoluciones superaron a las ventas",
        "en": "{count} periods of the history are negative: returns exceeded sales",
    },
    # the dashboard's settings card
    "settings.shop": {"es": "Tienda", "en": "Shop"},
    "settings.currency": {"es": "Moneda (ISO 4217)", "en": "Currency (ISO 4217)"},
    "settings.currency_from": {"es": "Origen", "en": "Source"},
    "settings.exclude_non_products": {
        "es": "Dejar fuera los no productos (envíos, comisiones, descuentos) de recomendaciones, listas y precios",
        "en": "Leave non-products (postage, fees, discounts) out of recommendations, lists and pricing",
    },
    "settings.non_products": {"es": "No productos", "en": "Non-products"},
    "settings.non_products_none": {"es": "Ningún artículo marcado.", "en": "No item is flagged."},
    "settings.item": {"es": "Artículo", "en": "Item"},
    "settings.reason": {"es": "Motivo", "en": "Reason"},
    "settings.mark": {
        "es": "Marcar como no producto (ids, separados por comas)",
        "en": "Mark as non-products (ids, comma separated)",
    },
    "settings.unmark": {"es": "Es un producto (ids, separados por comas)", "en": "Is a product (ids, comma separated)"},
    "settings.save": {"es": "Guardar", "en": "Save"},
    "settings.saved": {"es": "Ajustes guardados", "en": "Settings saved"},
    "chart.partial": {"es": "periodo incompleto", "en": "incomplete period"},
}
