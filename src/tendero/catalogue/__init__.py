"""Every text a person reads, in Spanish and English: one catalogue, one module per area, importable from every
layer (it imports nothing of tendero but itself).

Each area keeps its own keys (``DASHBOARD["nav.overview"]``, ``DATA["file.empty"]``); ``entries()`` walks them all,
so a test can hold every text to having both languages. Texts built from parts in code
are templates here too: the churn reasons and cluster descriptions, the sales-analysis phrases, the experiment
verdicts, the search notices, every job progress and failure line, engine, kind and metric names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tendero.catalogue.algorithms import ALGORITHM_WORDS
from tendero.catalogue.answers import ANSWERS
from tendero.catalogue.api import API
from tendero.catalogue.cli import CLI, CLI_HELP
from tendero.catalogue.cli_words import CLICK_WORDS
from tendero.catalogue.customers import CHURN_REASONS, CLUSTER_WORDS, SEGMENT_ACTIONS, SEGMENTS
from tendero.catalogue.dashboard import DASHBOARD
from tendero.catalogue.data import DATA
from tendero.catalogue.engines import ENGINES
from tendero.catalogue.experiments import VERDICTS
from tendero.catalogue.insights import INSIGHT_TEXTS, KPI_LABELS, REPORT_HEADINGS
from tendero.catalogue.jobs import JOB_TEXTS
from tendero.catalogue.language import LANGUAGE_TEXTS, LANGUAGES, Language
from tendero.catalogue.metrics import METRICS
from tendero.catalogue.money import MONEY
from tendero.catalogue.pages import PAGES
from tendero.catalogue.recommend import REASONS
from tendero.catalogue.search import SEARCH_NOTICES
from tendero.catalogue.training import TRAINING, TYPE_WORDS
from tendero.catalogue.training_pages import TRAINING_PAGES

AREAS: dict[str, Mapping[str, Mapping[str, str]]] = {
    "answers": ANSWERS,
    "api": API,
    "cli": CLI,
    "cli.help": CLI_HELP,
    "cli.click": CLICK_WORDS,
    "dashboard": DASHBOARD,
    "pages": PAGES,
    "engines": ENGINES,
    "jobs": JOB_TEXTS,
    "language": LANGUAGE_TEXTS,
    "data": DATA,
    "money": MONEY,
    "customers.segment": SEGMENTS,
    "customers.action": SEGMENT_ACTIONS,
    "customers.reason": CHURN_REASONS,
    "customers.cluster": CLUSTER_WORDS,
    "metrics": METRICS,
    "insights": INSIGHT_TEXTS,
    "insights.report": REPORT_HEADINGS,
    "insights.kpi": KPI_LABELS,
    "experiments.verdict": VERDICTS,
    "search.notice": SEARCH_NOTICES,
    "recommend.reason": REASONS,
    "training": TRAINING,
    "training.type": TYPE_WORDS,
    "training.pages": TRAINING_PAGES,
    "training.algorithms": ALGORITHM_WORDS,
}

__all__ = ["AREAS", "LANGUAGES", "Language", "entries"]


def entries() -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every text of the catalogue as (``area:key``, {language: text})."""
    for area, texts in AREAS.items():
        for key, by_language in texts.items():
            yield f"{area}:{key}", by_language
