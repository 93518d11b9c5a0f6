"""What each model metric is called and in what unit, in Spanish and English (part of ``tendero.catalogue``).

Models store metrics under short keys (``backtest_wape``, ``ndcg@10``, ``dropped_lines_without_customer``); the
pages show ``metric_label(key, lang)`` and the value in its unit (``METRIC_UNITS``: a share is shown as %).
Families share one text (``backtest_coverage_80`` and ``_95``; ``ndcg@10`` of each recommender generator)."""

from __future__ import annotations

import re

from tendero.catalogue.engines import engine_name
from tendero.catalogue.language import FALLBACK

METRICS: dict[str, dict[str, str]] = {
    # forecasts
    "backtest_wape": {"en": "Average error (WAPE)", "es": "Error medio (WAPE)"},
    "backtest_mase": {
        "en": "Error against a naive forecast (MASE)",
        "es": "Error frente a la previsión ingenua (MASE)",
    },
    "backtest_mae": {"en": "Average absolute error", "es": "Error absoluto medio"},
    "backtest_smape": {"en": "Symmetric percentage error (sMAPE)", "es": "Error porcentual simétrico (sMAPE)"},
    "backtest_bias": {"en": "Bias", "es": "Sesgo"},
    "backtest_coverage": {"en": "Actuals inside the {level} % range", "es": "Reales dentro del rango del {level} %"},
    "series": {"en": "Series", "es": "Series"},
    "series_dropped": {"en": "Series left out", "es": "Series excluidas"},
    "history_periods": {"en": "Periods of history", "es": "Periodos de historia"},
    # customers
    "customers": {"en": "Customers", "es": "Clientes"},
    "repeat_customers": {"en": "Customers who bought again", "es": "Clientes que repitieron"},
    "late_customers": {"en": "Customers overdue to buy", "es": "Clientes con compra atrasada"},
    "churn_auc": {"en": "Churn ranking (AUC)", "es": "Acierto en abandono (AUC)"},
    "backtest_auc_supervised": {"en": "Churn AUC, trained model", "es": "AUC de abandono, modelo entrenado"},
    "backtest_auc_probabilistic": {"en": "Churn AUC, purchase model", "es": "AUC de abandono, modelo de compras"},
    "purchase_factor": {"en": "Purchase calibration factor", "es": "Factor de calibración de compras"},
    "segments_nonempty": {"en": "Segments with customers", "es": "Segmentos con clientes"},
    "dropped_lines_without_customer": {
        "en": "Order lines without a customer (left out)",
        "es": "Líneas de pedido sin cliente (excluidas)",
    },
    "backtest_mae_purchases": {"en": "Purchases: average error", "es": "Compras: error medio"},
    "backtest_mae_spend": {"en": "Spend: average error", "es": "Gasto: error medio"},
    "dropped_cancelled_lines": {
        "en": "Cancelled order lines (left out)",
        "es": "Líneas de pedido canceladas (excluidas)",
    },
    "dropped_lines_without_time": {
        "en": "Order lines without a date (left out)",
        "es": "Líneas de pedido sin fecha (excluidas)",
    },
    "dropped_non_product_lines": {
        "en": "Lines of postage, fees and other non-products (not purchases)",
        "es": "Líneas de portes, comisiones y otros no productos (no son compras)",
    },
    "dropped_return_orders": {"en": "Return orders (left out)", "es": "Pedidos de devolución (excluidos)"},
    "dropped_zero_value_orders": {"en": "Orders of no value (left out)", "es": "Pedidos sin valor (excluidos)"},
    "backtest_baseline_mae": {"en": "Purchases: error of the simple rule", "es": "Compras: error de la regla simple"},
    "backtest_actual_purchases": {"en": "Purchases in the test period", "es": "Compras en el periodo de prueba"},
    "backtest_predicted_purchases": {"en": "Purchases predicted for it", "es": "Compras previstas para él"},
    "btyd_mae": {"en": "Purchases: error of the {model}", "es": "Compras: error del {model}"},
    "btyd_purchases": {"en": "Purchases predicted by the {model}", "es": "Compras previstas por el {model}"},
    "btyd_loglik": {"en": "Fit of the {model} (log-likelihood)", "es": "Ajuste del {model} (log-verosimilitud)"},
    # recommendations
    "ndcg@k": {"en": "Ranking quality (NDCG@{k})", "es": "Calidad del ranking (NDCG@{k})"},
    "generator_ndcg": {"en": "{generator} alone (NDCG@{k})", "es": "Solo {generator} (NDCG@{k})"},
    "recall@k": {"en": "Bought items found in the top {k}", "es": "Artículos comprados entre los {k} primeros"},
    "precision@k": {"en": "Precision in the top {k}", "es": "Precisión en los {k} primeros"},
    "hit_rate@k": {"en": "Customers with a hit in the top {k}", "es": "Clientes con un acierto en los {k} primeros"},
    "map@k": {"en": "Mean average precision (MAP@{k})", "es": "Precisión media (MAP@{k})"},
    # classification (a tabular model's recall and precision: no k)
    "recall": {"en": "Recall", "es": "Exhaustividad (recall)"},
    "precision": {"en": "Precision", "es": "Precisión"},
    "coverage": {"en": "Catalogue recommended", "es": "Catálogo recomendado"},
    "users": {"en": "Customers", "es": "Clientes"},
    "items": {"en": "Products", "es": "Productos"},
    "interactions": {"en": "Interactions", "es": "Interacciones"},
    "holdout_users": {"en": "Customers held out", "es": "Clientes reservados"},
    "n_users": {"en": "Customers", "es": "Clientes"},
    "n_items": {"en": "Products", "es": "Productos"},
    "n_pairs": {"en": "Customer-product pairs", "es": "Pares cliente-producto"},
    "holdout_pairs": {"en": "Pairs held out", "es": "Pares reservados"},
    "train_seconds": {"en": "Training time", "es": "Tiempo de entrenamiento"},
    "mape": {"en": "Percentage error (MAPE)", "es": "Error porcentual (MAPE)"},
    # your own models
    "accuracy": {"en": "Accuracy", "es": "Exactitud"},
    "balanced_accuracy": {"en": "Balanced accuracy", "es": "Exactitud equilibrada"},
    "f1": {"en": "F1", "es": "F1"},
    "f1_macro": {"en": "F1 (macro)", "es": "F1 (macro)"},
    "roc_auc": {"en": "ROC-AUC", "es": "ROC-AUC"},
    "log_loss": {"en": "Log loss", "es": "Pérdida logarítmica"},
    "r2": {"en": "R²", "es": "R²"},
    "rmse": {"en": "Root mean squared error (RMSE)", "es": "Raíz del error cuadrático medio (RMSE)"},
    "mae": {"en": "Average absolute error (MAE)", "es": "Error absoluto medio (MAE)"},
    "wape": {"en": "Average error (WAPE)", "es": "Error medio (WAPE)"},
    "smape": {"en": "Symmetric percentage error (sMAPE)", "es": "Error porcentual simétrico (sMAPE)"},
    "silhouette": {"en": "Silhouette", "es": "Silueta"},
    "rows": {"en": "Rows", "es": "Filas"},
    "train_rows": {"en": "Training rows", "es": "Filas de entrenamiento"},
    "test_rows": {"en": "Test rows", "es": "Filas de prueba"},
    # prices
    "backtest_periods": {"en": "Periods tested", "es": "Periodos probados"},
    "backtest_wape_no_elasticity": {
        "en": "Average error without prices (WAPE)",
        "es": "Error medio sin precios (WAPE)",
    },
    "backtest_wape_pooled": {
        "en": "Average error, one elasticity for all",
        "es": "Error medio, una elasticidad para todos",
    },
    "products_estimated": {"en": "Products with their own elasticity", "es": "Productos con elasticidad propia"},
    "products_category_only": {
        "en": "Products with their category's elasticity",
        "es": "Productos con la elasticidad de su categoría",
    },
    "median_elasticity": {"en": "Median price elasticity", "es": "Elasticidad mediana al precio"},
    "categories": {"en": "Categories", "es": "Categorías"},
    "backtest_rows": {"en": "Product-periods tested", "es": "Periodos de producto probados"},
    "elasticity_median": {"en": "Median price elasticity", "es": "Elasticidad mediana al precio"},
    "products": {"en": "Products", "es": "Productos"},
    # units, shown after the label
    "unit.share": {"en": "%", "es": "%"},
    "unit.days": {"en": "days", "es": "días"},
    "unit.seconds": {"en": "s", "es": "s"},
    "unit.count": {"en": "count", "es": "número"},
}

# How a metric's value reads: "share" (0-1, shown as %), "count", "days", "seconds"; others are plain scores.
METRIC_UNITS: dict[str, str] = {
    "backtest_wape": "share", "backtest_smape": "share", "backtest_coverage": "share", "wape": "share",
    "smape": "share", "coverage": "share", "accuracy": "share", "balanced_accuracy": "share", "recall": "share",
    "precision": "share", "hit_rate": "share", "customers": "count", "repeat_customers": "count",
    "late_customers": "count", "segments_nonempty": "count", "dropped_lines_without_customer": "count",
    "dropped_non_product_lines": "count",
    "series": "count", "series_dropped": "count", "users": "count", "items": "count", "interactions": "count",
    "holdout_users": "count", "n_users": "count", "n_items": "count", "n_pairs": "count", "holdout_pairs": "count",
    "train_seconds": "seconds", "rows": "count", "train_rows": "count", "test_rows": "count",
    "recall@k": "share", "precision@k": "share", "hit_rate@k": "share",
    "backtest_periods": "count", "backtest_rows": "count", "products": "count", "history_periods": "count",
    "backtest_mae_spend": "money",
}  # fmt: skip

_FAMILIES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^backtest_coverage_(?P<level>\d+)$"), "backtest_coverage"),
    (re.compile(r"^(?P<name>ndcg|recall|precision|hit_rate|map)@(?P<k>\d+)$"), ""),
    (re.compile(r"^(?P<generator>[a-z_]+)_ndcg@(?P<k>\d+)$"), "generator_ndcg"),
    (re.compile(r"^backtest_mae_(?P<model>bgnbd|mbgnbd|pareto_nbd)$"), "btyd_mae"),
    (re.compile(r"^backtest_purchases_(?P<model>bgnbd|mbgnbd|pareto_nbd)$"), "btyd_purchases"),
    (re.compile(r"^loglik_(?P<model>bgnbd|mbgnbd|pareto_nbd)$"), "btyd_loglik"),
]


def metric_key(key: str) -> tuple[str, dict[str, str]]:
    """The catalogue entry a stored metric key reads as, and the particulars its family fills in."""
    if key in METRICS:
        return key, {}
    for pattern, family in _FAMILIES:
        found = pattern.match(key)
        if found:
            values = found.groupdict()
            return family or f"{values.pop('name')}@k", values
    return key, {}


def metric_label(key: str, lang: str) -> str:
    """``backtest_coverage_80`` -> "Reales dentro del rango del 80 %"; a key without a text is shown as it is."""
    code, values = metric_key(key)
    texts = METRICS.get(code)
    if texts is None:
        return key
    for part in ("generator", "model"):
        if part in values:
            values[part] = engine_name(values[part], lang)
    return (texts.get(lang) or texts[FALLBACK]).format(**values)


def metric_unit(key: str) -> str:
    """``share``, ``count``, ``days``, ``seconds``, ``money`` (the tenant's currency) or ``""`` (a plain score)."""
    return METRIC_UNITS.get(metric_key(key)[0], "")
