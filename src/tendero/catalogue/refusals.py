"""The domain's refusals of a shop's data or request, each a code with its English and Spanish text and values
(numbers, field names): what a job that cannot run says after "the job could not run:", and what the CLI, the API
and the dashboard show in the reader's language.

A domain package raises ``Refusal(code, **values)`` (a ``ValueError`` whose text is the English line, the one a
job stores) or gives its own error class ``refusal_text(code, **values)``; ``render_job_text`` finds the code of a
stored line again and shows it in another language. The English text is the one the domain has always written.
"""

from __future__ import annotations

import re
from functools import lru_cache
from string import Formatter

REFUSALS: dict[str, dict[str, str]] = {
    # forecasting
    "forecast.too_short": {
        "en": "order_lines: no series with at least {periods} periods of history to forecast",
        "es": "order_lines: ninguna serie tiene al menos {periods} periodos de historial para pronosticar",
    },
    "forecast.holdout": {
        "en": "order_lines: {periods} complete periods at freq {freq}; a holdout of {horizon} needs at least {needed}",
        "es": "order_lines: {periods} periodos completos con la frecuencia {freq}; reservar {horizon} para la prueba "
        "necesita al menos {needed}",
    },
    "forecast.nothing_left": {
        "en": "series: nothing left to forecast ({reasons})",
        "es": "series: no queda nada que pronosticar ({reasons})",
    },
    "forecast.no_rows": {
        "en": "series: nothing left to forecast (no rows)",
        "es": "series: no queda nada que pronosticar (no hay filas)",
    },
    "forecast.no_window": {
        "en": "history: too short for even one backtest window; lower h or n_windows",
        "es": "history: demasiado corto para una sola ventana de backtest; baja h o n_windows",
    },
    # customers
    "customers.too_few": {
        "en": "only {count} customers bought on or before {day}: need at least {needed}",
        "es": "solo {count} clientes compraron hasta el {day}: hacen falta al menos {needed}",
    },
    "customers.no_purchases": {
        "en": "no purchases with a customer id: nothing to learn from",
        "es": "ninguna compra tiene id de cliente: no hay nada de lo que aprender",
    },
    "customers.empty_log": {
        "en": "the transaction log is empty: no order with a customer id",
        "es": "el registro de transacciones está vacío: ningún pedido tiene id de cliente",
    },
    "customers.missing_columns": {
        "en": "order_lines lacks column(s) {missing}; it has {columns}",
        "es": "a order_lines le faltan columnas {missing}; tiene {columns}",
    },
    "customers.no_revenue": {
        "en": "order_lines needs a revenue column (or quantity and unit_price)",
        "es": "order_lines necesita una columna revenue (o quantity y unit_price)",
    },
    "customers.short_history": {
        "en": "order_lines: the history is shorter than two churn windows ({days} days); a holdout needs one window "
        "to learn from and one to score",
        "es": "order_lines: el historial es más corto que dos ventanas de abandono ({days} días); la prueba necesita "
        "una ventana para aprender y otra para evaluar",
    },
    "customers.gamma_gamma": {
        "en": "Gamma-Gamma needs at least {needed} customers with a positive-value repeat purchase",
        "es": "Gamma-Gamma necesita al menos {needed} clientes con una compra repetida de valor positivo",
    },
    # recommendations
    "recommend.no_data": {
        "en": "recommender: no interactions or order lines with a customer to learn from",
        "es": "recomendador: no hay interacciones ni líneas de pedido con cliente de las que aprender",
    },
    "recommend.untrained": {
        "en": "recommender: only a trained model can be updated; train one first",
        "es": "recomendador: solo se puede actualizar un modelo entrenado; entrena uno primero",
    },
    "recommend.holdout": {
        "en": "recommender: {count} interactions and purchases; a holdout needs at least {needed}",
        "es": "recomendador: {count} interacciones y compras; la prueba necesita al menos {needed}",
    },
    # the training platform
    "training.holdout": {
        "en": "dataset: {rows} rows; a holdout of {size} leaves too few to train on",
        "es": "dataset: {rows} filas; reservar {size} para la prueba deja muy pocas para entrenar",
    },
    "training.trials_failed": {
        "en": "all {trials} trials failed; first error: {error}",
        "es": "fallaron las {trials} pruebas; primer error: {error}",
    },
    "training.needs_dataset": {
        "en": "this model kind trains on a dataset: give the dataset's id",
        "es": "este tipo de modelo se entrena con un dataset: indica el id del dataset",
    },
    # pricing
    "pricing.no_sales": {
        "en": "no order lines with a quantity and a price: import sales before training pricing",
        "es": "no hay líneas de pedido con cantidad y precio: importa ventas antes de entrenar los precios",
    },
    "pricing.holdout": {
        "en": "order_lines: {periods} periods with sales at freq {freq}; a holdout of {holdout} needs at least "
        "{needed}",
        "es": "order_lines: {periods} periodos con ventas con la frecuencia {freq}; reservar {holdout} para la prueba "
        "necesita al menos {needed}",
    },
    "pricing.no_positive_sales": {
        "en": "no sales with a positive price and quantity: import order lines first",
        "es": "no hay ventas con precio y cantidad positivos: importa primero líneas de pedido",
    },
    # sales analysis and product suggestions
    "insights.no_order_lines": {
        "en": "this shop has no order lines yet: import some (tendero import … --entity order_lines)",
        "es": "esta tienda aún no tiene líneas de pedido: importa algunas (tendero import … --entity order_lines)",
    },
    "period.ends_before_start": {
        "en": "the period ends ({end}) before it starts ({start})",
        "es": "el periodo termina ({end}) antes de empezar ({start})",
    },
    "period.needs_start_end": {
        "en": "{field} needs both start and end (ISO dates)",
        "es": "{field} necesita inicio y fin (fechas ISO)",
    },
    "period.no_month": {
        "en": "{field}: month {month} does not exist (write 2011-11)",
        "es": "{field}: el mes {month} no existe (escribe 2011-11)",
    },
    "period.no_week": {
        "en": "{field}: {year} has no ISO week {week}",
        "es": "{field}: {year} no tiene semana ISO {week}",
    },
    "period.unreadable": {
        "en": "{field}: cannot read {text}; write 2011-11, 2011-Q4, 2011-W45, 2011 or 2011-11-01..2011-11-15",
        "es": "{field}: no se puede leer {text}; escribe 2011-11, 2011-Q4, 2011-W45, 2011 o 2011-11-01..2011-11-15",
    },
    "period.no_year": {
        "en": "{field}: year {year} does not exist (write 2011-11, 2011-Q4 or 2011)",
        "es": "{field}: el año {year} no existe (escribe 2011-11, 2011-Q4 o 2011)",
    },
    "period.not_iso_date": {
        "en": "{field}: {value} is not an ISO date (YYYY-MM-DD)",
        "es": "{field}: {value} no es una fecha ISO (AAAA-MM-DD)",
    },
    "period.too_early": {
        "en": "{field}: too early in the calendar to compare with the period or the year before it",
        "es": "{field}: demasiado pronto en el calendario para compararlo con el periodo o el año anterior",
    },
    "insights.no_order_lines_api": {
        "en": "this shop has no order lines yet: import some (POST /v1/data/order_lines/imports)",
        "es": "esta tienda aún no tiene líneas de pedido: importa algunas (POST /v1/data/order_lines/imports)",
    },
    "insights.no_order_lines_job": {
        "en": "this shop has no order lines yet: import some before analysing sales",
        "es": "esta tienda aún no tiene líneas de pedido: importa algunas antes de analizar las ventas",
    },
    "insights.all_cancelled": {
        "en": "every order line of this shop belongs to a cancelled order: nothing to analyse",
        "es": "todas las líneas de pedido de esta tienda son de pedidos cancelados: no hay nada que analizar",
    },
    "insights.no_sales_in_period": {
        "en": "no sales in {start}..{end}: this shop's data runs from {first} to {last}",
        "es": "no hay ventas en {start}..{end}: los datos de esta tienda van del {first} al {last}",
    },
    "insights.no_sales": {
        "en": "this shop has no sales yet: import order lines first",
        "es": "esta tienda aún no tiene ventas: importa primero líneas de pedido",
    },
    "insights.no_sales_before": {
        "en": "no sales on or before {day}: the data starts on {first}",
        "es": "no hay ventas hasta el {day}: los datos empiezan el {first}",
    },
    # scheduled workflows
    "schedule.unknown_action": {
        "en": "this schedule's action {action} is not one tendero runs ({known}): edit or delete the schedule",
        "es": "la acción {action} de esta programación no es una que tendero ejecute ({known}): edita o borra la "
        "programación",
    },
    "schedule.invalid_params": {
        "en": "this schedule's params for {action} no longer fit (check {fields}): edit the schedule",
        "es": "los parámetros de esta programación para {action} ya no encajan (revisa {fields}): edita la "
        "programación",
    },
    "workflow.no_customers_model": {
        "en": "no deployed customers model '{name}': train one (kind customers) first",
        "es": "no hay ningún modelo de clientes '{name}' desplegado: entrena antes uno (tipo customers)",
    },
    "workflow.not_customers_model": {
        "en": "model '{name}' is a {kind} model; this workflow needs a customers model",
        "es": "el modelo '{name}' es de tipo {kind}; este flujo necesita un modelo de clientes",
    },
}


def refusal_text(code: str, **values: object) -> str:
    """The English line of refusal ``code`` (what a job stores and ``render_job_text`` reads back)."""
    return REFUSALS[code]["en"].format(**values)


class Refusal(ValueError):
    """The domain cannot work with the shop's data or request: a catalogue code and its values. ``str()`` is the
    English line; ``rendered(lang)`` the reader's."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(refusal_text(code, **values))
        self.code = code
        self.values = values

    def rendered(self, lang: str) -> str:
        texts = REFUSALS[self.code]
        return (texts.get(lang) or texts["en"]).format(**self.values)


def translate_refusal(text: str, lang: str) -> str:
    """``text`` in ``lang`` when it is a refusal's English line (an API problem made from one), else unchanged."""
    if lang == "en" or not text:
        return text
    for pattern, code in _refusal_patterns():
        found = pattern.match(text)
        if found is not None:
            texts = REFUSALS[code]
            return (texts.get(lang) or texts["en"]).format(**found.groupdict())
    return text


@lru_cache(maxsize=1)
def _refusal_patterns() -> list[tuple[re.Pattern[str], str]]:
    return whole_line_patterns(REFUSALS)


def whole_line_patterns(templates: dict[str, dict[str, str]]) -> list[tuple[re.Pattern[str], str]]:
    """Each template's English line as a whole-text pattern, those with the most fixed words first (``epoch {n}:
    row {r}`` before ``epoch {n}``). A ``{field}`` is a request field's path (``period.start``): no space, no colon,
    so a template that starts with one (``{field}: month {month} does not exist``) cannot swallow a prefix such as
    "the job could not run: "."""
    found = []
    for code, texts in templates.items():
        parts, fixed = [], 0
        for literal, field, _, _ in Formatter().parse(texts["en"]):
            parts.append(re.escape(literal))
            fixed += len(literal)
            if field:
                parts.append(rf"(?P<{field}>[\w.\[\]-]+?)" if field == "field" else f"(?P<{field}>.+?)")
        found.append((fixed, re.compile("^" + "".join(parts) + "$", re.S), code))
    return [(pattern, code) for _, pattern, code in sorted(found, key=lambda item: -item[0])]
