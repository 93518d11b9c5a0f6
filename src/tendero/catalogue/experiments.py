"""The A/B experiments' verdicts, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

VERDICTS: dict[str, dict[str, str]] = {
    "up": {"es": "{variant} sube {metric} un {effect} ({ci})", "en": "{variant} raises {metric} by {effect} ({ci})"},
    "down": {"es": "{variant} baja {metric} un {effect} ({ci})", "en": "{variant} lowers {metric} by {effect} ({ci})"},
    "none": {
        "es": "Aún no hay evidencia de que {variant} cambie {metric} ({ci})",
        "en": "No evidence yet that {variant} changes {metric} ({ci})",
    },
    "no_data": {
        "es": "Aún no hay datos suficientes para comparar {variant} con {control}",
        "en": "Not enough data yet to compare {variant} with {control}",
    },
    "guardrail": {
        "es": "Cuidado: {variant} empeora {metric} un {effect} ({ci})",
        "en": "Warning: {variant} worsens {metric} by {effect} ({ci})",
    },
    "srm": {
        "es": "El reparto de unidades no coincide con los pesos (p = {p}): revisa la asignación antes de fiarte "
        "de los resultados",
        "en": "The split of units does not match the weights (p = {p}): check the assignment before trusting "
        "the results",
    },
    "ci": {"es": "IC {level} %: {lower} a {upper}", "en": "{level} % CI: {lower} to {upper}"},
    "winner": {"es": "Ganador: {variant}", "en": "Winner: {variant}"},
}
