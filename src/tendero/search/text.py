"""Words of product text and queries: accent folding, stop words, Snowball stems (Spanish or English).

Stems are taken from the lower-cased word *before* folding (Snowball's Spanish rules read accents),
then folded, so "plátanos", "platanos" and "Plátano" all index as ``platan``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SPANISH

Language = Literal["es", "en"]
WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER_NAMES = {"es": "spanish", "en": "english"}


def fold(text: str) -> str:
    """Lower case without accents: "Café Ñandú" -> "cafe nandu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOP_WORDS: dict[Language, frozenset[str]] = {
    "es": frozenset(fold(w) for w in STOPWORDS_SPANISH) - {"sin"},  # "sin gluten", "sin azucar" are searches
    "en": frozenset(fold(w) for w in STOPWORDS_EN),
}
# either language's stop words are dropped from every query: shoppers mix them ("pack de cola for kids")
ALL_STOP_WORDS = STOP_WORDS["es"] | STOP_WORDS["en"]


def words(text: str) -> list[str]:
    """Lower-cased words (letters and digits), accents kept for the stemmer."""
    return WORD.findall(text.casefold())


@lru_cache(maxsize=4)
def _stemmer(language: Language) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES[language])


def terms(text: str, language: Language) -> list[str]:
    """The index terms of a text: words minus stop words, stemmed, then folded."""
    kept = [w for w in words(text) if fold(w) not in ALL_STOP_WORDS]
    return [fold(stem) for stem in _stemmer(language).stemWords(kept) if stem]


def detect_language(texts: list[str], sample: int = 2000) -> Language:
    """Spanish or English, by which language's stop words a sample of the catalogue uses more."""
    counts = {"es": 0, "en": 0}
    for text in texts[:sample]:
        for word in words(text):
            folded = fold(word)
            for language in ("es", "en"):
                if folded in STOP_WORDS[language]:
                    counts[language] += 1
    return "en" if counts["en"] > counts["es"] else "es"
