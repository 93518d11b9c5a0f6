"""The one issue type of every table read (imports and datasets), and the one "cannot read this" error.

An issue says what and where: row (as the person numbers it), column, the value (cut to 200
characters) and a catalogue message. ``message`` holds the English sentence; ``code`` and ``params``
let any language render it again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pandas import NA as _NA
from pydantic import BaseModel

from tendero.data.messages import Language, Text, render, text_as_json, text_from_json

VALUE_CHARS = 200


class Issue(BaseModel):
    """One problem in a table: ``row`` as the reader numbers it (see ``open_table``), column and value."""

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Literal["error", "warning"] = "error"
    code: str | None = None
    params: dict[str, Any] | None = None

    @classmethod
    def of(
        cls,
        text: Text,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        severity: Literal["error", "warning"] = "error",
    ) -> Issue:
        stored = text_as_json(text)
        return cls(message=str(text), row=row, column=column, value=shown_value(value), severity=severity,
                   code=stored["code"], params=stored["params"] or None)  # fmt: skip

    def rendered(self, language: Language) -> str:
        """The message in ``language`` (the stored English one when the issue has no code)."""
        if self.code is None:
            return self.message
        text = text_from_json({"code": self.code, "params": self.params or {}})
        return text.render(language) if text else self.message

    def as_rejection(self) -> dict[str, Any]:
        """The shape of a rejected import row in reports: row, column, value, reason."""
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.message}


def shown_value(value: Any) -> str | None:
    """A cell as text for a report: missing stays missing, long text is cut."""
    if value is None or value is _NA or (isinstance(value, float) and value != value):
        return None
    return str(value)[:VALUE_CHARS]


class TableRejected(ValueError):
    """The table cannot be used at all; nothing was written. ``text`` says why; ``issues`` say where.

    ``text`` is a catalogue message; a plain string (from code outside the catalogue) is shown as it is.
    """

    def __init__(self, text: Text | str, issues: Sequence[Issue] | None = None) -> None:
        super().__init__(str(text))
        self.text = text if isinstance(text, Text) else None
        self.issues = list(issues or [])

    def rendered(self, language: Language) -> str:
        return self.text.render(language) if self.text is not None else str(self)

    def stored(self) -> dict[str, Any] | None:
        """The message as JSON for a stored report, so it can be shown again in either language."""
        return text_as_json(self.text) if self.text is not None else None


class ReadStopped(RuntimeError):
    """The process is shutting down: a read in progress gave up at its next check."""

    def __init__(self) -> None:
        super().__init__(render("read.stopped"))
