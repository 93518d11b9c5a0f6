"""The exceptions every layer may raise and catch: faces turn them into problem details, messages or exit codes.

A leaf module (it imports nothing from tendero), so the store, the registry, services and domain packages
can all raise the same ``NotFound`` and a face needs one ``except`` per meaning, not one per layer.
"""

from __future__ import annotations

from typing import Any, Literal


class NotFound(Exception):
    """No such resource for this tenant (other tenants' resources are not found either)."""


class UnknownId(NotFound):
    """A customer or item id that the serving model does not know; faces say which id, in the reader's language."""

    def __init__(self, what: Literal["customer", "item"], id: str, model: str, version: str | None,
                 field: str) -> None:  # fmt: skip
        self.what, self.id, self.model, self.version, self.field = what, id, model, version, field
        super().__init__(f"no {what} {id!r} in model {model} {version or ''}".rstrip())


class Conflict(Exception):
    """A unique name is already taken, or the resource's state does not allow the change; ``errors`` may name
    the field at fault, as ``Invalid``'s do."""

    def __init__(self, message: str = "", errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class Invalid(ValueError):
    """A request whose parts do not fit together; ``errors`` name each field and why (faces show them)."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class LastAdminKey(Conflict):
    """Revoking this key would leave its tenant without an active admin key, locked out of key management."""

    def __init__(self, prefix: str) -> None:
        super().__init__(f"key {prefix} is the last active admin key of this tenant: create another admin key first")
        self.prefix = prefix


class DeployNotAllowed(Exception):
    """A caller without the admin role asked for something that would put a model version live."""

    def __init__(self, role: str) -> None:
        super().__init__(f"deploying is for admin keys; this key has the role {role}")
        self.role = role


class TooLarge(Exception):
    """An upload or a body past its configured limit (the faces answer 413)."""


def unstorable_text(error: BaseException) -> Literal["nul", "surrogate", "overflow"] | None:
    """Whether an exception (or one it wraps) is the database or driver refusing a value the client sent: a NUL
    character (PostgreSQL), an unpaired surrogate (any UTF-8 encoder), a whole number beyond 64 bits (SQLite,
    psycopg). Such input is the client's to fix (422), not a server fault."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OverflowError):
            return "overflow"
        if isinstance(current, UnicodeEncodeError) and "surrogate" in str(current.reason):
            return "surrogate"
        text = str(current)
        if "NUL" in text and "0x00" in text:
            return "nul"
        if "out of range" in text and ("bigint" in text or "integer" in text.lower()):
            return "overflow"
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
    return None
