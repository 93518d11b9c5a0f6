"""Reasons a shop owner can show next to a recommendation, in Spanish and English."""

from __future__ import annotations

from typing import Literal

from tendero.catalogue.recommend import REASONS as _TEMPLATES

Language = Literal["es", "en"]


def reason(template: str, language: Language = "es", name: str = "") -> str:
    """The reason text for ``template`` (liked, similar, bought_together, popular_in, popular, ...)."""
    texts = _TEMPLATES[template]
    return texts.get(language, texts["es"]).format(name=name)
