"""Text as the rules read it: folded (lower case, no accents), tokenised, its language guessed, typos mended.

Language detection is a count of Spanish and English function words and marks (¿ ¡ ñ and accents): on
questions of two to ten words it is right where general detectors (langdetect, trained on long text) guess.
Typos are mended by the nearest known word that starts with the same letter, by optimal string alignment
(Levenshtein with transpositions, so "clinetes" is one edit from "clientes"; rapidfuzz), within one edit for
words of four to six letters and two for longer ones; shorter words and numbers are never changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA


def words(text: str) -> frozenset[str]:
    """A set of words written as one string (word lists read better that way)."""
    return frozenset(text.split())


TOKEN = re.compile(r"[a-z0-9]+(?:[-'/.][a-z0-9]+)*")

SPANISH_WORDS = words(
    "el la los las de del que y en un una por para con como cual cuales cuanto cuanta cuantos cuantas "
    "qué quien quienes donde cuando es son esta este estos estas hay mes semana ano dia dias ventas vendimos "
    "clientes cliente productos producto pasado pasada ayer hoy manana mas menos mejores peores dame dime "
    "muestrame lista sobre segun tengo tenemos vamos se le lo al su sus mis mi nuestro nuestros hola ayuda "
    "puedes desde entre hasta proximo proxima proximos que viene venderemos vendere cual es ultimos ultimas "
    "tendencia prevision evolucion compara comparado frente contra respecto facturacion pedidos unidades "
    "categoria categorias y o ni algo alguna algun muy"
)
ENGLISH_WORDS = words(
    "the a an of and in on for with how what which who whom whose where when is are was were do does did "
    "we our my me i you your sales sold sell customers customer products product last this next month week "
    "year day days today yesterday tomorrow top best worst most least show give list tell about by per "
    "between since from to vs than compared compare forecast trend will would should can could any some "
    "much many units orders revenue category categories hi hello help please it its there"
)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents ("Lácteos" → "lacteos"), so users who skip accents match too."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(folded: str) -> list[str]:
    return TOKEN.findall(folded)


def stem(word: str) -> str:
    """A light plural strip for matching names ("cervezas" ~ "cerveza", "lacteos" ~ "lacteo")."""
    if len(word) > 4 and word.endswith("es") and word[-3] not in "aeiou":
        return word[:-2]
    if len(word) > 3 and word.endswith("s"):
        return word[:-1]
    return word


def detect_language(text: str, default: str = "es") -> str:
    """``es`` or ``en`` by function words and Spanish marks; ``default`` when nothing tells them apart."""
    if any(mark in text for mark in "¿¡ñÑ"):
        return "es"
    words = tokens(fold(text))
    spanish = sum(1 for w in words if w in SPANISH_WORDS) + sum(1 for ch in text if ch in "áéíóúÁÉÍÓÚ")
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    if spanish == english:
        return default
    return "es" if spanish > english else "en"


def allowed_edits(word: str) -> int:
    if len(word) < 4 or any(ch.isdigit() for ch in word):
        return 0
    return 1 if len(word) <= 6 else 2


class Corrector:
    """Mends words into the nearest word of a lexicon; known words and short words stay as written."""

    def __init__(self, lexicon: Iterable[str]) -> None:
        self.lexicon = sorted({w for w in lexicon if w})
        self._known = frozenset(self.lexicon)
        self._by_letter: dict[str, list[str]] = {}
        for word in self.lexicon:
            self._by_letter.setdefault(word[0], []).append(word)
        self._cache: dict[str, str] = {}

    def known(self, word: str) -> bool:
        return word in self._known

    def correct(self, word: str) -> str:
        if word in self._known:
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        edits = allowed_edits(word)
        fixed = word
        if edits:
            candidates = self._by_letter.get(word[0], [])
            found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=edits)
            if found is not None and abs(len(found[0]) - len(word)) <= edits:
                fixed = found[0]
        if len(self._cache) < 50_000:
            self._cache[word] = fixed
        return fixed

    def correct_text(self, folded: str) -> str:
        """The folded text with each unknown word replaced by its correction (spacing normalised)."""
        return " ".join(self.correct(w) for w in tokens(folded))
