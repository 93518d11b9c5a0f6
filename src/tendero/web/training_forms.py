"""Forms built from a Params model: each field with its meaning, range and default, typed values read back from
what a person typed, and errors placed next to the field they belong to (in the page's language)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class FieldView:
    """One field of a form: how to ask for it and what it accepts."""

    name: str
    label: str
    meaning: str
    range: str
    default: str
    choices: list[str] | None  # a select (with "default" first) when every accepted value is one of these
    typed: str  # what was typed (kept on an error)
    error: str | None


def _branches(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("anyOf") or [spec])


def _choices(spec: dict[str, Any]) -> list[str] | None:
    """The values of a field that only takes named values (true/false, an enum, a constant or none)."""
    found: list[str] = []
    for branch in _branches(spec):
        if branch.get("type") == "boolean":
            found += ["true", "false"]
        elif "enum" in branch:
            found += [str(v) for v in branch["enum"]]
        elif "const" in branch:
            found.append(str(branch["const"]))
        elif branch.get("type") == "null":
            found.append("none")
        else:
            return None
    return found


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else str(value)


def _bounds(branch: dict[str, Any], t: Callable[..., str]) -> str:
    low = branch.get("exclusiveMinimum", branch.get("minimum"))
    high = branch.get("exclusiveMaximum", branch.get("maximum"))
    text = "x"
    if low is not None:
        text = f"{_number(low)} {'<' if 'exclusiveMinimum' in branch else '≤'} {text}"
    if high is not None:
        text = f"{text} {'<' if 'exclusiveMaximum' in branch else '≤'} {_number(high)}"
    word = t("form.whole") if branch.get("type") == "integer" else t("form.number")
    return word if text == "x" else f"{word}, {text}"


def range_text(spec: dict[str, Any], t: Callable[..., str]) -> str:
    """What a field accepts, in words: "whole number, 1 ≤ x ≤ 5 000 · auto · empty"."""
    parts = []
    for branch in _branches(spec):
        kind = branch.get("type")
        if kind in ("integer", "number"):
            parts.append(_bounds(branch, t))
        elif kind == "boolean":
            parts.append(t("form.yes_no"))
        elif "enum" in branch:
            parts.append(" / ".join(str(v) for v in branch["enum"]))
        elif "const" in branch:
            parts.append(str(branch["const"]))
        elif kind == "null":
            parts.append(t("form.none"))
        elif kind == "array":
            parts.append(t("form.list", most=branch.get("maxItems", "…")))
        else:
            parts.append(t("form.text"))
    return " · ".join(parts)


def default_text(spec: dict[str, Any], t: Callable[..., str]) -> str:
    if "default" not in spec:
        return "—"
    value = spec["default"]
    if value is None:
        return t("form.none")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return _number(value) if isinstance(value, int | float) else str(value)


def scalar_fields(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """The fields a form can ask for (nested settings keep their defaults): name -> JSON schema."""
    properties = model.model_json_schema().get("properties", {})
    shown = {}
    for name, spec in properties.items():
        if any("$ref" in branch or branch.get("type") == "object" for branch in _branches(spec)):
            continue
        if any(b.get("type") == "array" and b.get("items", {}).get("type") not in ("integer", "number")
               for b in _branches(spec)):  # fmt: skip
            continue
        shown[name] = spec
    return shown


def field_views(
    model: type[BaseModel],
    t: Callable[..., str],
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    skip: tuple[str, ...] = (),
) -> list[FieldView]:
    typed, errors = typed or {}, errors or {}
    views = []
    for name, spec in scalar_fields(model).items():
        if name in skip:
            continue
        meaning = t(f"param.{name}")
        if meaning == f"param.{name}":  # not in the catalogue: the Params' own description
            meaning = str(spec.get("description") or "")
        label = t(f"param.{name}.label")
        if label == f"param.{name}.label":
            label = name
        views.append(FieldView(name, label, meaning, range_text(spec, t), default_text(spec, t), _choices(spec),
                               typed.get(name, ""), errors.get(name)))  # fmt: skip
    return views


def _typed_value(text: str, spec: dict[str, Any]) -> Any:
    """A typed value from what was typed: a number where numbers are allowed, true/false, none, a list of
    numbers ("64, 32"); otherwise the text as it is (the model says whether it fits)."""
    kinds = {branch.get("type") for branch in _branches(spec)}
    lowered = text.lower()
    if lowered in ("none", "null") and "null" in kinds:
        return None
    if "boolean" in kinds and lowered in ("true", "false"):
        return lowered == "true"
    if kinds & {"integer", "number"} and NUMBER.match(text):
        number = float(text.replace(",", "."))
        return int(number) if "integer" in kinds and number.is_integer() and "number" not in kinds else number
    if "array" in kinds:
        parts = [part.strip() for part in text.strip("[]").split(",") if part.strip()]
        try:
            return [int(p) if re.fullmatch(r"[+-]?\d+", p) else float(p) for p in parts]
        except ValueError:
            return text
    return text


def read_fields(
    model: type[BaseModel], form: Mapping[str, str], t: Callable[..., str], skip: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(values to send, what was typed, errors by field): empty fields keep their default; every value is checked
    by ``model`` itself and an error says what the field accepts."""
    fields = {name: spec for name, spec in scalar_fields(model).items() if name not in skip}
    typed = {name: str(form.get(name, "")).strip() for name in fields}
    values = {name: _typed_value(text, fields[name]) for name, text in typed.items() if text != ""}
    errors: dict[str, str] = {}
    try:
        model.model_validate(values)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            if name in fields and name not in errors:
                errors[name] = t("form.accepts", range=range_text(fields[name], t))
            elif name not in fields:
                errors.setdefault("", t("form.invalid"))
    return values, typed, errors
