"""The languages every text exists in."""

from __future__ import annotations

from typing import Literal

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("es", "en")
