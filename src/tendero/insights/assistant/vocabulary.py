"""The tenant's own words: category names, product names and ids, segment names, customer ids.

Passed in as data (the service reads them from the store), so this module stays pure. A product is named when
every word of its name (sizes and small words aside) is in the question ("cerveza marisol"); when the question
names only the first words that several products share ("cerveza", "agua"), the slot is that family as the
catalogue writes it ("Cerveza", "Agua mineral") and the answer covers the whole family.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tendero.insights.assistant.text import fold, stem, tokens, words

# generic retail category words in both languages: a group applies when the tenant has a category named by
# one of its words, so "dairy" finds "Lácteos" and "bebidas" finds "Beverages"
CATEGORY_SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split("|"))
    for group in (
        "bebidas|bebida|drinks|drink|beverages|beverage",
        "lacteos|lacteo|dairy|dairy products|productos lacteos",
        "panaderia|bakery|bolleria",
        "snacks|snack|aperitivos|aperitivo",
        "limpieza|cleaning|cleaning products|household|hogar|droguería|drogueria",
        "cuidado personal|personal care|higiene|toiletries|perfumeria|beauty|belleza",
        "frutas y verduras|fruta y verdura|fruit and veg|fruits and vegetables|fruit and vegetables|produce|fruta|"
        "frutas|verduras|verdura|fruit|vegetables",
        "congelados|congelado|frozen|frozen food|frozen foods|ultracongelados",
        "carnes|carne|meat|carniceria|butcher",
        "pescados|pescado|fish|seafood|pescaderia|marisco",
        "electronica|electronics",
        "ropa|clothing|clothes|moda|fashion",
        "juguetes|toys",
        "libros|books",
        "hogar|home|home and garden|casa",
    )
)
# words that never name a product family on their own (they are the question's words)
NAME_STOPWORDS = words(
    "de del la las el los y e con sin para por en a al un una of the and with for in to on x pack unidad bolsa "
    "bandeja ml l g kg gr cl lt ud uds"
)
SIZE = re.compile(r"^\d+(?:[.,]\d+)?$")


def _name_words(name: str) -> list[str]:
    """A product name's meaningful words, stemmed: no sizes, units or small words."""
    return [stem(w) for w in tokens(fold(name)) if w not in NAME_STOPWORDS and not SIZE.match(w)]


@dataclass(frozen=True)
class Match:
    value: str
    start: int  # token positions in the question
    end: int


@dataclass
class Vocabulary:
    """Everything of the tenant the rules may recognise. ``products`` are ``(id, name)`` best sellers first, so a
    tie goes to the product people buy most; ``segments`` maps a segment key to its names."""

    categories: Sequence[str] = ()
    products: Sequence[tuple[str, str]] = ()
    segments: Mapping[str, Sequence[str]] = field(default_factory=dict)
    customers: Iterable[str] = ()

    def __post_init__(self) -> None:
        self._categories: list[tuple[list[str], str]] = []
        for category in self.categories:
            words = [stem(w) for w in tokens(fold(category))]
            if words:
                self._categories.append((words, category))
            folded = " ".join(tokens(fold(category)))
            for group in CATEGORY_SYNONYMS:
                if folded in group:
                    for synonym in group - {folded}:
                        self._categories.append(([stem(w) for w in tokens(synonym)], category))
        self._categories.sort(key=lambda item: -len(item[0]))
        self._products = [(pid, name, _name_words(name)) for pid, name in self.products]
        self._by_word: dict[str, list[int]] = {}  # inverted indexes: a question only visits products it names
        self._by_first: dict[str, list[int]] = {}
        for index, (_, _, name_words) in enumerate(self._products):
            for word in set(name_words):
                self._by_word.setdefault(word, []).append(index)
            if name_words and name_words[0] not in NAME_STOPWORDS:
                self._by_first.setdefault(name_words[0], []).append(index)
        self._product_ids = {fold(pid): pid for pid, _ in self.products}
        self._customer_ids = {fold(str(c)): str(c) for c in self.customers}
        shapes: dict[tuple[str, int], int] = {}
        self._shape_upper: dict[tuple[str, int], bool] = {}
        for folded, written in self._customer_ids.items():
            shape = _id_shape(folded)
            if shape is not None:
                shapes[shape] = shapes.get(shape, 0) + 1
                self._shape_upper.setdefault(shape, written[: len(shape[0])].isupper())
        # an id written like the shop's ids ("C" and five digits) names a customer even if they never bought
        self._customer_shapes = {shape for shape, n in shapes.items() if n >= 10}
        self._segments: list[tuple[list[str], str]] = []
        for key, names in self.segments.items():
            for name in {*names, key.replace("_", " ")}:
                words = tokens(fold(name))
                if words:
                    self._segments.append(([stem(w) for w in words], key))
        self._segments.sort(key=lambda item: -len(item[0]))

    def product_ids(self) -> set[str]:
        return set(self._product_ids.values())

    def words(self) -> set[str]:
        """Every word of the vocabulary, for the typo corrector's lexicon."""
        out: set[str] = set()
        for category in self.categories:
            out.update(tokens(fold(category)))
        for group in CATEGORY_SYNONYMS:
            for phrase in group:
                out.update(tokens(phrase))
        for _, name in self.products:
            out.update(w for w in tokens(fold(name)) if not SIZE.match(w))
        for key, names in self.segments.items():
            out.update(tokens(fold(key.replace("_", " "))))
            for name in names:
                out.update(tokens(fold(name)))
        return out

    # --- finding mentions in a tokenised question ---

    def find_category(self, words: Sequence[str]) -> Match | None:
        stems = [stem(w) for w in words]
        for phrase, category in self._categories:
            at = _find_sequence(stems, phrase)
            if at is not None:
                return Match(category, at, at + len(phrase))
        return None

    def find_segment(self, words: Sequence[str]) -> Match | None:
        stems = [stem(w) for w in words]
        for phrase, key in self._segments:
            at = _find_sequence(stems, phrase)
            if at is not None:
                return Match(key, at, at + len(phrase))
        return None

    def find_customer(self, words: Sequence[str]) -> Match | None:
        """A known customer id anywhere, or the id-like word after "cliente"/"customer" as written."""
        for i, word in enumerate(words):
            if word in self._customer_ids:
                return Match(self._customer_ids[word], i, i + 1)
        for i, word in enumerate(words):
            shape = _id_shape(word)
            if shape is not None and shape in self._customer_shapes and word not in self._product_ids:
                return Match(word.upper() if self._shape_upper.get(shape) else word, i, i + 1)
        for i, word in enumerate(words[:-1]):
            nxt = words[i + 1]
            if word in ("cliente", "clienta", "customer", "client") and any(ch.isdigit() for ch in nxt):
                return Match(nxt.upper() if nxt[0].isalpha() else nxt, i + 1, i + 2)
        return None

    def find_product(self, words: Sequence[str]) -> Match | None:
        """A product by id, by its whole name, or a family by the first words several names share."""
        for i, word in enumerate(words):
            if word in self._product_ids:
                return Match(self._product_ids[word], i, i + 1)
        stems = [stem(w) for w in words]
        present = set(stems)
        candidates = sorted({i for word in present for i in self._by_word.get(word, ())})
        best: tuple[int, str, int, int] | None = None
        for index in candidates:
            pid, _, name_words = self._products[index]
            if all(w in present for w in name_words):
                positions = [stems.index(w) for w in name_words]
                if best is None or len(name_words) > best[0]:
                    best = (len(name_words), pid, min(positions), max(positions) + 1)
        if best is not None:
            return Match(best[1], best[2], best[3])
        return self._find_family(stems)

    def _find_family(self, stems: Sequence[str]) -> Match | None:
        longest: tuple[int, int, list[tuple[str, str, list[str]]]] | None = None  # (length, at, products)
        for at, word in enumerate(stems):
            for index in self._by_first.get(word, ()):
                entry = self._products[index]
                name_words = entry[2]
                length = 1
                while (
                    length < len(name_words) and at + length < len(stems) and stems[at + length] == name_words[length]
                ):
                    length += 1
                if longest is None or length > longest[0]:
                    longest = (length, at, [entry])
                elif length == longest[0] and at == longest[1]:
                    longest[2].append(entry)
        if longest is None:
            return None
        length, at, products = longest
        if length == 1 and len(stems[at]) < 3:  # "te" is a word before it is "Té frío"
            return None
        if len(products) == 1:
            return Match(products[0][0], at, at + length)
        return Match(_common_leading_words([name for _, name, _ in products]), at, at + length)


def _id_shape(word: str) -> tuple[str, int] | None:
    """The letters an id starts with and how many digits follow ("c00042" → ("c", 5)); None for other words."""
    found = re.fullmatch(r"([a-z]{1,3})(\d{3,})", word)
    return (found.group(1), len(found.group(2))) if found else None


def _find_sequence(words: Sequence[str], phrase: Sequence[str]) -> int | None:
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if list(words[i : i + n]) == list(phrase):
            return i
    return None


def _common_leading_words(names: list[str]) -> str:
    """The words every name starts with, as the catalogue writes them ("Agua mineral")."""
    split = [name.split() for name in names]
    common: list[str] = []
    for column in zip(*split, strict=False):
        if all(fold(w) == fold(column[0]) for w in column):
            common.append(column[0])
        else:
            break
    while common and (SIZE.match(fold(common[-1])) or fold(common[-1]) in NAME_STOPWORDS):
        common.pop()
    return " ".join(common) or split[0][0]
