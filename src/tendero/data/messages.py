"""Every sentence the data layer says to a person, in Spanish and English, in one place.

A message is a code and its particulars (``Text``); it is rendered in a language only when shown, so a
stored report can be read in either. ``str(text)`` is the English sentence (logs, stored columns).
This catalogue is meant to move into the product-wide one unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tendero.catalogue.data import DATA as MESSAGES

Language = Literal["es", "en"]
LIST_LIMIT = 10  # names listed in a message before "and N more"


def _number(value: int, language: Language) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if language == "es" else text


@dataclass(frozen=True)
class Text:
    """A catalogue message with its particulars; rendered in a language when shown."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: Language = "en") -> str:
        return render(self.code, language, **self.params)

    def __str__(self) -> str:
        return self.render("en")


def say(code: str, **params: Any) -> Text:
    """The message ``code`` with its particulars (checked against the catalogue now, not when shown)."""
    if code not in MESSAGES:
        raise KeyError(f"no message {code!r} in the catalogue")
    return Text(code, params)


def render(code: str, language: Language = "en", **params: Any) -> str:
    """The sentence in ``language``; integers are written with the language's thousands separator."""
    templates = MESSAGES[code]
    template = templates.get(language) or templates["en"]
    shown = {
        name: _number(value, language) if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in params.items()
    }
    shown = {name: _shown(value, language) for name, value in shown.items()}
    return template.format(**shown)


def _shown(value: Any, language: Language) -> Any:
    if isinstance(value, NameList):
        return names_in(value, language)
    if isinstance(value, Text):  # a message inside a message ("nothing was imported: <why>")
        return value.render(language)
    return value


@dataclass(frozen=True)
class NameList:
    """Names for a message: at most ``LIST_LIMIT`` are written, then "and N more" (bounded messages)."""

    names: tuple[str, ...]
    total: int

    def as_json(self) -> dict[str, Any]:
        return {"names": list(self.names), "total": self.total}


def names(values: Any, limit: int = LIST_LIMIT) -> NameList:
    """Keep the first ``limit`` names (each cut to 60 characters) and how many there were."""
    values = list(values)
    return NameList(tuple(str(v)[:60] for v in values[:limit]), len(values))


def names_in(listed: NameList, language: Language) -> str:
    shown = ", ".join(listed.names)
    more = listed.total - len(listed.names)
    if more <= 0:
        return shown or ("—")
    return render("list.more", language, shown=shown, more=more)


def text_as_json(text: Text) -> dict[str, Any]:
    """A message as stored JSON (``{code, params}``), readable again by ``text_from_json``."""
    return {"code": text.code, "params": {name: _param_as_json(value) for name, value in text.params.items()}}


def _param_as_json(value: Any) -> Any:
    if isinstance(value, NameList):
        return value.as_json()
    if isinstance(value, Text):
        return text_as_json(value)
    return value


def text_from_json(stored: Any) -> Text | None:
    """A stored message back, or None when what is stored is not one (older rows)."""
    if not isinstance(stored, dict) or stored.get("code") not in MESSAGES:
        return None
    params = {name: _param_from_json(value) for name, value in (stored.get("params") or {}).items()}
    return Text(stored["code"], params)


def _param_from_json(value: Any) -> Any:
    if isinstance(value, dict) and "names" in value and "total" in value:
        return NameList(tuple(value["names"]), int(value["total"]))
    if isinstance(value, dict) and value.get("code") in MESSAGES:
        return text_from_json(value)
    return value
