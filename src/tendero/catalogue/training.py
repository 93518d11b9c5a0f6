"""The training platform's input-check texts, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

# What the checks of a tabular model's input rows say.
TRAINING: dict[str, dict[str, str]] = {
    "no_rows": {
        "en": "send {{'rows': [ {{column: value, ...}}, ... ]}} with at least one row",
        "es": "envía {{'rows': [ {{columna: valor, ...}}, ... ]}} con al menos una fila",
    },
    "rows_absent": {
        "en": "the body has no 'rows' (it has {keys}): send {{'rows': [ {{column: value, ...}}, ... ]}}",
        "es": "el cuerpo no trae 'rows' (trae {keys}): envía {{'rows': [ {{columna: valor, ...}}, ... ]}}",
    },
    "rows_not_a_list": {
        "en": "'rows' must be a list of rows, got {got}: send {{'rows': [ {{column: value, ...}}, ... ]}}",
        "es": "'rows' debe ser una lista de filas, llegó {got}: envía {{'rows': [ {{columna: valor, ...}}, ... ]}}",
    },
    "impossible": {
        "en": "{value} is not a possible {part} ({low} to {high})",
        "es": "{value} no es un valor posible de {part} ({low} a {high})",
    },
    "part.week": {"en": "week of the year", "es": "semana del año"},
    "part.month": {"en": "month", "es": "mes"},
    "part.quarter": {"en": "quarter", "es": "trimestre"},
    "part.day": {"en": "day of the month", "es": "día del mes"},
    "part.weekday": {"en": "day of the week", "es": "día de la semana"},
    "part.hour": {"en": "hour", "es": "hora"},
    "part.minute": {"en": "minute", "es": "minuto"},
    "on_invalid": {
        "en": "on_invalid must be one of auto, reject, warn; got {value}",
        "es": "on_invalid debe ser auto, reject o warn; llegó {value}",
    },
    "not_an_object": {"en": "the row is not a JSON object", "es": "la fila no es un objeto JSON"},
    "missing_column": {"en": "missing column", "es": "falta la columna"},
    "wrong_type": {"en": "expected {expected}, got {got}", "es": "se esperaba {expected}, llegó {got}"},
    "missing_value": {
        "en": "missing value, and the training data had none in this column",
        "es": "falta el valor, y los datos de entrenamiento no tenían ninguno vacío en esta columna",
    },
    "not_finite": {"en": "{value} is not a finite number", "es": "{value} no es un número finito"},
    "out_of_range": {
        "en": "{value} is outside the range seen in training ({low} to {high})",
        "es": "{value} está fuera del rango visto al entrenar ({low} a {high})",
    },
    "not_whole": {
        "en": "{value} is not a whole number; training had only whole numbers here",
        "es": "{value} no es un número entero; al entrenar aquí solo había enteros",
    },
    "unseen_category": {
        "en": "{value} is a category not seen in training",
        "es": "{value} es una categoría que no apareció al entrenar",
    },
    "as_missing": {"en": "predicted as a missing value", "es": "se predijo como valor vacío"},
    "types_only": {
        "en": "this version was trained before tendero kept the training ranges and categories: only "
        "types are checked; retrain it to check ranges, categories and missing values",
        "es": "esta versión se entrenó antes de que tendero guardara rangos y categorías: solo se "
        "comprueban los tipos; vuelve a entrenarla para comprobar rangos, categorías y valores vacíos",
    },
    "more": {"en": "and {count} more", "es": "y {count} más"},
}

# Column types in words.
TYPE_WORDS: dict[str, dict[str, str]] = {
    "numeric": {"en": "a number", "es": "un número"},
    "boolean": {"en": "true or false", "es": "verdadero o falso"},
    "datetime": {"en": "an ISO 8601 date", "es": "una fecha ISO 8601"},
    "text": {"en": "text", "es": "un texto"},
    "categorical": {"en": "a category (text or number)", "es": "una categoría (texto o número)"},
    "str": {"en": "text", "es": "un texto"},
    "int": {"en": "a number", "es": "un número"},
    "float": {"en": "a number", "es": "un número"},
    "bool": {"en": "true or false", "es": "verdadero o falso"},
    "list": {"en": "a list", "es": "una lista"},
    "dict": {"en": "an object", "es": "un objeto"},
}
