"""What a hyperparameter accepts, in words, and why a chosen value is refused, in English and Spanish (the
training platform's algorithms as ``tendero.services.algorithms`` describes them to the CLI and the API)."""

from __future__ import annotations

ALGORITHM_WORDS: dict[str, dict[str, str]] = {
    "kind.integer": {"en": "integer", "es": "número entero"},
    "kind.number": {"en": "number", "es": "número"},
    "from": {"en": "from {value}", "es": "desde {value}"},
    "above": {"en": "above {value}", "es": "mayor que {value}"},
    "to": {"en": "to {value}", "es": "hasta {value}"},
    "up_to": {"en": "up to {value}", "es": "hasta {value}"},
    "below": {"en": "below {value}", "es": "menor que {value}"},
    "true_false": {"en": "true or false", "es": "true o false"},
    "none": {"en": "none", "es": "ninguno"},
    "list": {"en": "a list", "es": "una lista"},
    "text": {"en": "text", "es": "texto"},
    "or": {"en": " or ", "es": " o "},
    "any": {"en": "any value", "es": "cualquier valor"},
    "algorithm.unknown": {
        "en": "no algorithm {algorithm!r}; choose one of: {choices}",
        "es": "no hay ningún algoritmo {algorithm!r}; elige uno de: {choices}",
    },
    "algorithm.one_of": {"en": "one of {choices}", "es": "uno de {choices}"},
    "hyperparameter.unknown": {
        "en": "the algorithm {algorithm} has no hyperparameter {name!r}; it has: {names}",
        "es": "el algoritmo {algorithm} no tiene ningún hiperparámetro {name!r}; tiene: {names}",
    },
    "hyperparameter.unknown_field": {"en": "unknown hyperparameter", "es": "hiperparámetro desconocido"},
    "hyperparameter.not_allowed": {
        "en": "{name}={value} is not allowed: {allowed} (default {default})",
        "es": "{name}={value} no está permitido: {allowed} (por defecto {default})",
    },
}
