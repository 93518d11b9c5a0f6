"""The training platform's algorithms for every face: their names, the tasks each does, and each hyperparameter's
default, allowed values and meaning; hyperparameters checked with errors that name the parameter, the value
and what is allowed (never a validation library's own sentence)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tendero.catalogue import Language
from tendero.catalogue.algorithms import ALGORITHM_WORDS
from tendero.errors import Invalid


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter as a person chooses it."""

    name: str
    default: Any
    allowed: str
    description: str


def all_algorithms() -> dict[str, Any]:
    """Every algorithm of the tabular trainer by name (its Params, tasks and description), for the training forms."""
    from tendero.training.algorithms import ALGORITHMS

    return dict(ALGORITHMS)


def algorithm_names() -> list[str]:
    from tendero.training.algorithms import ALGORITHMS

    return list(ALGORITHMS)


def algorithm_tasks(algorithm: str) -> list[str]:
    from tendero.training.algorithms import ALGORITHMS

    return list(ALGORITHMS[algorithm].tasks)


def hyperparameters(algorithm: str, language: Language = "en") -> list[Hyperparameter]:
    """Every hyperparameter of ``algorithm``: default, allowed values in words, meaning (the catalogue's, as the
    training pages show it, else the Params' own description), in ``language``."""
    from tendero.catalogue.training_pages import TRAINING_PAGES
    from tendero.training.algorithms import ALGORITHMS

    model = ALGORITHMS[algorithm].params
    schema = model.model_json_schema()
    out = []
    for name, field in model.model_fields.items():
        prop = schema.get("properties", {}).get(name, {})
        default = field.get_default(call_default_factory=True)
        meaning = TRAINING_PAGES.get(f"param.{name}", {}).get(language) or field.description or ""
        out.append(Hyperparameter(name, default, allowed_values(prop, schema, language), meaning))
    return out


def _word(key: str, language: Language, **values: Any) -> str:
    return ALGORITHM_WORDS[key][language].format(**values)


def allowed_values(prop: dict[str, Any], schema: dict[str, Any], language: Language = "en") -> str:
    """A JSON-schema property in words: ``integer from 2 to 131072``, ``number above 0 up to 1``, ``auto``."""
    branches = prop.get("anyOf") or [prop]
    words = []
    for branch in branches:
        if "$ref" in branch:
            branch = schema.get("$defs", {}).get(branch["$ref"].rsplit("/", 1)[-1], {})
        if "const" in branch:
            words.append(str(branch["const"]))
        elif "enum" in branch:
            words.extend(str(value) for value in branch["enum"])
        elif branch.get("type") in ("integer", "number"):
            words.append(_range(branch, language))
        elif branch.get("type") == "boolean":
            words.append(_word("true_false", language))
        elif branch.get("type") == "null":
            words.append(_word("none", language))
        elif branch.get("type") == "array":
            words.append(_word("list", language))
        elif branch.get("type"):
            words.append(_word("text", language) if branch["type"] == "string" else str(branch["type"]))
    return _word("or", language).join(dict.fromkeys(words)) or _word("any", language)


def _range(branch: dict[str, Any], language: Language) -> str:
    parts = [_word("kind.integer" if branch.get("type") == "integer" else "kind.number", language)]
    low = ("from", branch["minimum"]) if "minimum" in branch else ("above", branch.get("exclusiveMinimum"))
    high = ("to", branch["maximum"]) if "maximum" in branch else ("below", branch.get("exclusiveMaximum"))
    if low[1] is not None:
        parts.append(_word(low[0], language, value=_number(low[1])))
    if high[1] is not None:
        key = "up_to" if high[0] == "to" and low[0] == "above" else high[0]
        parts.append(_word(key, language, value=_number(high[1])))
    return " ".join(parts)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_hyperparameters(algorithm: str, values: dict[str, Any], language: Language = "en") -> dict[str, Any]:
    """``values`` validated for ``algorithm``; Invalid naming each parameter at fault, its value and what is
    allowed (and the names there are, for an unknown one), in ``language``."""
    from tendero.training.algorithms import ALGORITHMS

    if algorithm not in ALGORITHMS:
        choices = ", ".join(ALGORITHMS)
        field = {"field": "algorithm", "message": _word("algorithm.one_of", language, choices=choices)}
        raise Invalid(_word("algorithm.unknown", language, algorithm=algorithm, choices=choices), [field])
    specs = {spec.name: spec for spec in hyperparameters(algorithm, language)}
    unknown = [name for name in values if name not in specs]
    if unknown:
        raise Invalid(
            _word("hyperparameter.unknown", language, algorithm=algorithm, name=unknown[0], names=", ".join(specs)),
            [{"field": f"hyperparameters.{name}", "message": _word("hyperparameter.unknown_field", language)}
             for name in unknown],
        )  # fmt: skip
    try:
        return ALGORITHMS[algorithm].params.model_validate(values).model_dump()
    except ValidationError as error:
        errors: list[dict[str, Any]] = []
        for name in dict.fromkeys(str(item["loc"][0]) if item.get("loc") else "-" for item in error.errors()):
            spec = specs.get(name)
            allowed = spec.allowed if spec else "-"
            default = spec.default if spec else "-"
            message = _word("hyperparameter.not_allowed", language, name=name, value=repr(values.get(name)),
                            allowed=allowed, default=default)  # fmt: skip
            errors.append({"field": f"hyperparameters.{name}", "name": name, "value": values.get(name),
                           "allowed": allowed, "default": default, "message": message})  # fmt: skip
        raise Invalid("; ".join(str(e["message"]) for e in errors), errors) from None
