"""Display names of the methods our models choose between, in Spanish and English (part of ``tendero.catalogue``).

Code keeps the short technical names (``median_top3``, ``mbgnbd``); a person reads these. ``engine_name`` falls back
to the code itself, so a new engine without a name shows up, not a blank."""

from __future__ import annotations

from tendero.catalogue.language import FALLBACK

# Forecast engines, ensembles and the patterns series are grouped by.
FORECAST_ENGINES: dict[str, dict[str, str]] = {
    "seasonal_naive": {"en": "Same period last season", "es": "Mismo periodo de la temporada anterior"},
    "naive": {"en": "Last value repeated", "es": "Último valor repetido"},
    "auto_ets": {"en": "Exponential smoothing (ETS)", "es": "Suavizado exponencial (ETS)"},
    "auto_theta": {"en": "Theta method (tuned)", "es": "Método Theta (ajustado)"},
    "theta": {"en": "Theta method", "es": "Método Theta"},
    "auto_ces": {"en": "Complex exponential smoothing (CES)", "es": "Suavizado exponencial complejo (CES)"},
    "mstl": {"en": "Seasonal decomposition (MSTL)", "es": "Descomposición estacional (MSTL)"},
    "croston_optimized": {"en": "Croston (sporadic demand)", "es": "Croston (demanda esporádica)"},
    "adida": {"en": "ADIDA (sporadic demand)", "es": "ADIDA (demanda esporádica)"},
    "imapa": {"en": "IMAPA (sporadic demand)", "es": "IMAPA (demanda esporádica)"},
    "tsb": {"en": "TSB (sporadic demand)", "es": "TSB (demanda esporádica)"},
    "seasonal_profile": {"en": "Seasonal profile", "es": "Perfil estacional"},
    "lightgbm": {"en": "Gradient boosting (LightGBM)", "es": "Árboles potenciados (LightGBM)"},
    "lightgbm_direct": {
        "en": "Gradient boosting, one model per step ahead (LightGBM)",
        "es": "Árboles potenciados, un modelo por paso (LightGBM)",
    },
    "lightgbm_median": {
        "en": "Gradient boosting on the median (LightGBM)",
        "es": "Árboles potenciados sobre la mediana (LightGBM)",
    },
    "median_all": {"en": "Median of every method", "es": "Mediana de todos los métodos"},
    "mean_top3": {"en": "Average of the best three methods", "es": "Media de los tres mejores métodos"},
    "median_top3": {"en": "Median of the best three methods", "es": "Mediana de los tres mejores métodos"},
    "weighted": {"en": "Weighted blend of methods", "es": "Mezcla ponderada de métodos"},
}
FORECAST_GROUPS: dict[str, dict[str, str]] = {
    "smooth": {"en": "Regular sales", "es": "Ventas regulares"},
    "intermittent": {"en": "Sporadic sales", "es": "Ventas esporádicas"},
}

# The customer model's purchase-count models and churn sources.
CUSTOMER_ENGINES: dict[str, dict[str, str]] = {
    "bgnbd": {"en": "BG/NBD purchase model", "es": "Modelo de compras BG/NBD"},
    "mbgnbd": {"en": "Modified BG/NBD purchase model", "es": "Modelo de compras BG/NBD modificado"},
    "pareto_nbd": {"en": "Pareto/NBD purchase model", "es": "Modelo de compras Pareto/NBD"},
    "supervised": {
        "en": "trained on who stopped buying in the past",
        "es": "entrenado con quién dejó de comprar en el pasado",
    },
    "probabilistic": {
        "en": "from the purchase model (chance the customer is still active)",
        "es": "según el modelo de compras (probabilidad de que siga activo)",
    },
}

# The recommender's candidate generators.
RECOMMENDER_GENERATORS: dict[str, dict[str, str]] = {
    "popularity": {"en": "most popular items", "es": "los más populares"},
    "ease": {"en": "EASE (items bought alike)", "es": "EASE (artículos que se compran parecido)"},
    "als": {"en": "ALS (tastes in common)", "es": "ALS (gustos en común)"},
    "item_knn": {"en": "similar items", "es": "artículos parecidos"},
    "cooccurrence": {"en": "bought together", "es": "comprados juntos"},
    "content": {"en": "similar descriptions", "es": "descripciones parecidas"},
    "transitions": {"en": "what comes next", "es": "lo que suele venir después"},
    "hybrid": {"en": "the blend", "es": "la mezcla"},
    "ranker": {"en": "the learned ranker", "es": "el ordenador aprendido"},
}

# Each kind's algorithm, as the Models page lists its versions.
ALGORITHMS: dict[str, dict[str, str]] = {
    "weekday_mean": {"en": "Average per weekday", "es": "Media por día de la semana"},
    "auto-backtest-ensemble": {
        "en": "Best method per pattern, chosen on past data",
        "es": "Mejor método por patrón, elegido con datos pasados",
    },
    "hybrid-ease-als-content-lambdarank": {
        "en": "Blend of generators with a learned ranker",
        "es": "Mezcla de generadores con un ordenador aprendido",
    },
    "hybrid-ease-als-content-neighbour": {
        "en": "Blend of generators with a neighbour ranker",
        "es": "Mezcla de generadores con un ordenador por vecinos",
    },
    "rfm+btyd+gamma_gamma+lightgbm_churn": {
        "en": "Segments, purchase and spend models, churn model",
        "es": "Segmentos, modelos de compras y gasto, modelo de abandono",
    },
    "loglog_fe_shrunk": {
        "en": "Price elasticity (log-log, shrunk)",
        "es": "Elasticidad al precio (log-log, contraída)",
    },
    "linear_regression": {"en": "Linear regression", "es": "Regresión lineal"},
    "logistic_regression": {"en": "Logistic regression", "es": "Regresión logística"},
    "random_forest": {"en": "Random forest", "es": "Bosque aleatorio"},
    "xgboost": {"en": "Gradient boosting (XGBoost)", "es": "Árboles potenciados (XGBoost)"},
    "mlp": {"en": "Neural network (MLP)", "es": "Red neuronal (MLP)"},
    "kmeans": {"en": "Groups (k-means)", "es": "Grupos (k-medias)"},
    "text_classifier": {"en": "Text classifier", "es": "Clasificador de textos"},
}

ENGINES: dict[str, dict[str, str]] = {**FORECAST_ENGINES, **FORECAST_GROUPS, **CUSTOMER_ENGINES,
                                      **RECOMMENDER_GENERATORS, **ALGORITHMS}  # fmt: skip


def engine_name(code: str, lang: str) -> str:
    """The display name of an engine, ensemble, series pattern or customer model; the code when it has none."""
    texts = ENGINES.get(code)
    if texts is None:
        return code
    return texts.get(lang) or texts[FALLBACK]
