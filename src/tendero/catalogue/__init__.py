"""Every text a person reads, in Spanish and English: one catalogue, one module per area, importable from every
layer (it imports nothing of tendero but itself).

Each area keeps its own keys (``DASHBOARD["nav.overview"]``, ``DATA["file.empty"]``); ``entries()`` walks them all,
so a test can hold every text to having both languages. Texts that are built from parts in code (the customer
model's churn reasons and cluster descriptions, the sales-analysis phrases, the experiment verdicts) still live
with that code; they move here as their owners turn them into templates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tendero.catalogue.api import API
from tendero.catalogue.cli import CLI, CLI_HELP
from tendero.catalogue.customers import SEGMENT_ACTIONS, SEGMENTS
from tendero.catalogue.dashboard import DASHBOARD
from tendero.catalogue.data import DATA
from tendero.catalogue.language import LANGUAGES, Language
from tendero.catalogue.recommend import REASONS
from tendero.catalogue.training import TRAINING, TYPE_WORDS

AREAS: dict[str, Mapping[str, Mapping[str, str]]] = {
    "api": API,
    "cli": CLI,
    "cli.help": CLI_HELP,
    "dashboard": DASHBOARD,
    "data": DATA,
    "customers.segment": SEGMENTS,
    "customers.action": SEGMENT_ACTIONS,
    "recommend.reason": REASONS,
    "training": TRAINING,
    "training.type": TYPE_WORDS,
}

__all__ = ["AREAS", "LANGUAGES", "Language", "entries"]


def entries() -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every text of the catalogue as (``area:key``, {language: text})."""
    for area, texts in AREAS.items():
        for key, by_language in texts.items():
            yield f"{area}:{key}", by_language
