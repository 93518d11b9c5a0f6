"""Lines that are not goods — postage, fees, bank charges, discounts, manual adjustments — told apart from
products by their names and codes (Spanish and English) and by how they sell (never at a price above
zero). Flagged items stay in the data; the tenant's rule decides whether answers about
products leave them out.

Why rules and not a model: there are no labelled non-products to learn from, and every rule here names
its reason, so an import report can say *why* an item was flagged and an admin can overrule it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import pandas as pd

# a word anywhere in the name: these are never what a shop sells as goods
ANYWHERE = frozenset({
    "postage", "freight", "portes", "porte", "envio", "envios", "fee", "fees", "comision", "comisiones",
    "commission", "surcharge", "recargo", "franqueo",
})  # fmt: skip
# phrases anywhere in the name
PHRASES = (
    "shipping cost",
    "shipping costs",
    "shipping charge",
    "shipping fee",
    "shipping and handling",
    "bank charge",
    "bank charges",
    "cargo bancario",
    "cargos bancarios",
    "gastos bancarios",
    "gastos de envio",
    "gastos envio",
    "coste de envio",
    "costes de envio",
    "delivery charge",
    "delivery cost",
    "bad debt",
    "deuda incobrable",
    "gastos de gestion",
    "gift voucher",
    "vale regalo",
    "tarjeta regalo",
    "gift card",
)
# a word that names a non-product only when it is the whole name or followed by "by", "por", "de"...:
# "Manual", "Discount", "Adjustment by john on 26/01/2010", "CARRIAGE" — not "Manual coffee grinder"
LEADING = frozenset({
    "manual", "discount", "discounts", "descuento", "descuentos", "rebaja", "ajuste", "ajustes", "adjust",
    "adjustment", "adjustments", "carriage", "shipping", "delivery", "transporte", "samples", "sample", "muestra",
    "muestras",
    "correction", "correccion", "refund", "reembolso", "devolucion", "abono", "deposit", "fianza", "tip", "propina",
})  # fmt: skip
FILLER = frozenset({"by", "on", "of", "for", "from", "to", "por", "de", "del", "en", "al", "para"})
MIN_COMPOUND_PREFIX = 4  # AMAZONFEE is a fee; COFFEE is not

RULES = ("name", "code", "zero_price")


def _words(text: str) -> list[str]:
    """Lower-case words without accents; digits, dates and punctuation dropped."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return [w for w in re.split(r"[^a-z]+", plain) if w]


def _name_match(words: list[str]) -> str | None:
    """The keyword or phrase that marks this name as a non-product, if any."""
    joined = " " + " ".join(words) + " "
    for phrase in PHRASES:
        if f" {phrase} " in joined:
            return phrase
    for word in words:
        if word in ANYWHERE:
            return word
    if words and words[0] in LEADING and (len(words) == 1 or words[1] in FILLER):
        return words[0]  # "Manual", "Discount 10 %", "Adjustment by john on ...", "Ajuste por inventario"
    return None


def _code_match(code: str) -> str | None:
    """A code with no digit that spells a non-product (``POSTAGE``, ``BANK_CHARGES``, ``AMAZONFEE``)."""
    if any(c.isdigit() for c in code):
        return None
    words = _words(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", code))
    found = _name_match(words)
    if found is not None:
        return found
    letters = "".join(words)
    for word in sorted(ANYWHERE, key=len, reverse=True):
        if len(letters) >= len(word) + MIN_COMPOUND_PREFIX and (letters.endswith(word) or letters.startswith(word)):
            return word
    return None


def flag_non_products(products: pd.DataFrame, line_stats: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per flagged item: ``product_id``, ``name``, ``rule`` (one of ``RULES``) and ``matched`` (the
    word, or the figure, that decided it).

    ``products`` has ``product_id`` and ``name`` (may be null); ``line_stats``, when given, has ``product_id``,
    ``max_price`` (the highest unit price it was sold at)."""
    flags: dict[str, tuple[str | None, str, str]] = {}
    names = products.drop_duplicates("product_id", keep="last")
    for product_id, name in zip(names["product_id"].astype(str), names["name"], strict=True):
        has_name = isinstance(name, str) and name.strip() != ""
        found = _name_match(_words(name)) if has_name else None
        if found is not None:
            flags[product_id] = (name, "name", found)
            continue
        if not has_name or name.strip().casefold() == product_id.casefold():
            code = _code_match(product_id)
            if code is not None:
                flags[product_id] = (name if has_name else None, "code", code)
    if line_stats is not None and len(line_stats):
        known = dict(zip(names["product_id"].astype(str), names["name"], strict=True))
        stats = line_stats.assign(product_id=line_stats["product_id"].astype(str))
        for product_id, max_price in zip(stats["product_id"], stats["max_price"], strict=True):
            if product_id in flags:
                continue
            name = known.get(product_id)
            name = name if isinstance(name, str) else None
            # (an item seen only on negative lines is not flagged: in a window of an export those are returns
            # of goods bought before it starts — four real products of Online Retail II's subset)
            if pd.notna(max_price) and max_price <= 0:
                flags[product_id] = (name, "zero_price", f"{float(max_price):g}")
    rows = [{"product_id": k, "name": v[0], "rule": v[1], "matched": v[2]} for k, v in flags.items()]
    return pd.DataFrame(rows, columns=["product_id", "name", "rule", "matched"])


def rule_items(flagged: Iterable[str], exclude: bool, marks: Mapping[str, bool]) -> frozenset[str]:
    """The tenant's non-product rule, the one every answer and fit applies: while ``exclude`` is on, the flagged
    items and those an admin marked as non-products, less those an admin said are products; else none."""
    if not exclude:
        return frozenset()
    kept = {str(item) for item in flagged if marks.get(str(item)) is not False}
    return frozenset(kept | {item for item, is_non in marks.items() if is_non})
