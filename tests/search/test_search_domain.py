"""The search domain on small data: words, typos, accents, filters, fusion, what matched, odd queries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.search.encoder import get_encoder
from tendero.search.index import FusionParams, ProductIndex, dense_text
from tendero.search.text import detect_language, fold, terms

PRODUCTS = pd.DataFrame(
    [
        {"product_id": "A1", "name": "Café en grano Sol de Mayo 250 g", "category": "Bebidas", "price": 4.5,
         "description": "Café arábica tostado", "brand": "Sol de Mayo", "active": True},
        {"product_id": "A2", "name": "Cerveza Marisol 500 ml", "category": "Bebidas", "price": 1.2,
         "description": "Cerveza rubia", "brand": "Marisol", "active": True},
        {"product_id": "A3", "name": "Lavavajillas Nórdica 1 L", "category": "Limpieza", "price": 2.3,
         "description": "Para la vajilla", "brand": "Nórdica", "active": True},
        {"product_id": "A4", "name": "Plátanos de Canarias 1 kg", "category": "Frutas y verduras", "price": 2.0,
         "description": "", "brand": "La Huerta", "active": True, "attributes": {"origen": "Canarias"}},
        {"product_id": "A5", "name": "Cerveza sin alcohol Tendero 330 ml", "category": "Bebidas", "price": 0.9,
         "description": "Cerveza 0,0", "brand": "Tendero", "active": False},
        {"product_id": "A6", "name": "Champú Marisol 400 ml", "category": "Cuidado personal", "price": 3.1,
         "description": "Champú para cabello graso", "brand": "Marisol", "active": True},
    ]
)  # fmt: skip


@pytest.fixture(scope="module")
def index() -> ProductIndex:
    encoder = get_encoder("use-multilingual-v3")
    vectors = encoder.embed([dense_text(r) for r in PRODUCTS.to_dict("records")])
    return ProductIndex(PRODUCTS, vectors, encoder)


def ranked(index: ProductIndex, query: str, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    return [index.ids[hit.row] for hit in index.search(query, 10, **kwargs)]


def test_words_fold_accents_and_share_stems():
    assert fold("Café Ñandú ÁÉÍ") == "cafe nandu aei"
    assert terms("Plátanos", "es") == terms("platano", "es") == ["platan"]
    assert terms("para lavar los platos", "es") == ["lav", "plat"]  # stop words dropped
    assert "sin" in terms("cerveza sin alcohol", "es")  # "sin" is a search, not a stop word


def test_the_catalogue_language_is_detected():
    assert detect_language(["Leche entera de la granja", "Pan de molde con semillas"]) == "es"
    assert detect_language(["Angle bracket for the door", "Paint in white and blue"]) == "en"


def test_a_word_without_accent_finds_the_accented_title(index):
    assert ranked(index, "cafe")[0] == "A1"
    assert ranked(index, "platano")[0] == "A4"


def test_a_misspelt_short_query_is_corrected(index):
    hits = index.search("cervesa", 3)
    assert index.ids[hits[0].row] == "A2"
    assert "name" in hits[0].matched
    exact, corrected = index.query_terms("cervesa")
    assert exact == ["cerves"] and "cervez" in corrected


def test_inactive_products_are_hidden_unless_asked(index):
    assert "A5" not in ranked(index, "cerveza sin alcohol")
    assert ranked(index, "cerveza sin alcohol", keep=index.mask(include_inactive=True))[0] == "A5"


def test_filters_by_category_and_price(index):
    assert set(ranked(index, "marisol", keep=index.mask(category="bebidas"))) == {"A1", "A2"}
    assert set(ranked(index, "marisol", keep=index.mask(category="Cuidado personal"))) == {"A6"}
    within = ranked(index, "bebida", keep=index.mask(min_price=1.0, max_price=3.0))
    assert within and all(PRODUCTS.set_index("product_id").loc[p, "price"] <= 3.0 for p in within)
    assert ranked(index, "cerveza", keep=index.mask(min_price=100)) == []


def test_hits_say_which_part_matched(index):
    hit = index.search("marisol champú", 1)[0]
    assert index.ids[hit.row] == "A6"
    assert {"name", "brand", "description"} <= set(hit.matched)
    origin = index.search("canarias", 1)[0]
    assert {"name", "attributes"} <= set(origin.matched)


def test_meaning_finds_what_shares_no_word(index):
    hit = index.search("beer", 1)[0]  # English, over a Spanish catalogue
    assert index.ids[hit.row] == "A2" and hit.matched == ["meaning"]


@pytest.mark.parametrize("query", ["", "   ", "de la los", "🍺🍺", '"', "*", "¿?¡!", "-- ;"])
def test_queries_with_nothing_to_search_find_nothing(index, query):
    assert index.search(query, 10) == []


@pytest.mark.parametrize("query", ["NEAR", "cerveza OR 1=1", "cerveza*", '"cerveza', "x" * 10_000, "café NEAR/3 grano"])
def test_search_syntax_is_just_text(index, query):
    hits = index.search(query, 10)
    assert all(0 <= hit.row < len(index) for hit in hits)


@pytest.mark.parametrize("method", ["zscore", "rrf", "lexical", "dense"])
def test_every_fusion_method_ranks(index, method):
    top = ranked(index, "cerveza", fusion=FusionParams(method))  # type: ignore[arg-type]
    assert top[0] == "A2"


def test_products_not_embedded_yet_are_found_by_words():
    encoder = get_encoder("use-multilingual-v3")
    vectors = encoder.embed([dense_text(r) for r in PRODUCTS.to_dict("records")])
    vectors[2] = np.nan  # the dishwashing liquid was added after the last sync
    index = ProductIndex(PRODUCTS, vectors, encoder)
    assert ranked(index, "lavavajillas")[0] == "A3"
    assert not index.embedded[2] and index.embedded.sum() == len(PRODUCTS) - 1


def test_an_empty_catalogue_answers_nothing():
    index = ProductIndex(PRODUCTS.iloc[:0], None, None, language="es")
    assert index.search("cerveza", 10) == []
