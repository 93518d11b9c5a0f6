"""Non-product detection is general: names and codes in Spanish and English, and how an item sells — and it
leaves real products alone (measured on every real catalogue we have)."""

from __future__ import annotations

import pandas as pd

from support import shared_data
from tendero.data.non_products import flag_non_products


def _flag(names: dict[str, str | None]) -> dict[str, str]:
    frame = pd.DataFrame({"product_id": list(names), "name": list(names.values())})
    return dict(zip(*flag_non_products(frame)[["product_id", "rule"]].to_numpy().T, strict=True))


def test_names_in_spanish_and_english_are_flagged():
    flagged = _flag({
        "1": "Gastos de envío", "2": "PORTES", "3": "Postage", "4": "Shipping", "5": "Comisión PayPal",
        "6": "Descuento", "7": "Discount 10%", "8": "Manual", "9": "Ajuste por inventario", "10": "Bank Charges",
        "11": "AMAZON FEE", "12": "Adjustment by john on 26/01/2010 16", "13": "Cargos bancarios",
    })  # fmt: skip
    assert set(flagged) == {str(i) for i in range(1, 14)}
    assert set(flagged.values()) == {"name"}


def test_products_whose_names_only_contain_such_words_are_kept():
    flagged = _flag({
        "1": "Manual coffee grinder", "2": "Coffee mug", "3": "Shipping packaging tape", "4": "Feeder for birds",
        "5": "Descalzador de madera", "6": "Adjust-A-Gate 2 Rail Gate Frame Kit", "7": "Roses includes free shipping",
    })  # fmt: skip
    assert flagged == {}


def test_codes_without_names_and_the_way_items_sell():
    frame = pd.DataFrame({"product_id": ["AMAZONFEE", "BANK_CHARGES", "COFFEE", "X1", "X2", "X3"],
                          "name": [None, None, None, "Gift bag", "Voucher", "Lamp"]})  # fmt: skip
    stats = pd.DataFrame({"product_id": ["X1", "X2", "X3"], "max_price": [0.0, 5.0, 12.0],
                          })  # fmt: skip
    flags = flag_non_products(frame, stats).set_index("product_id")["rule"].to_dict()
    assert flags == {"AMAZONFEE": "code", "BANK_CHARGES": "code", "X1": "zero_price"}


def test_online_retail_titles_flag_only_charges():
    titles = pd.read_csv(shared_data("search/online_retail_product_titles.csv"))
    flags = flag_non_products(pd.DataFrame({"product_id": titles.index.astype(str), "name": titles["title"]}))
    names = set(flags["name"].str.upper())
    assert {"POSTAGE", "DOTCOM POSTAGE", "CARRIAGE", "MANUAL", "DISCOUNT", "BANK CHARGES", "AMAZON FEE"} <= names
    assert len(flags) <= 15, flags.to_string()  # 12 on 3,262 titles, each a charge, voucher or sample


def test_home_depot_titles_are_almost_never_flagged():
    titles = pd.read_csv(shared_data("search/homedepot_relevance.csv.gz"), encoding="latin-1")
    titles = titles.drop_duplicates("product_uid")
    flags = flag_non_products(pd.DataFrame({"product_id": titles["product_uid"].astype(str),
                                            "name": titles["product_title"]}))  # fmt: skip
    assert len(flags) <= 5, flags.to_string()  # 2 of 54,667 (a door mat range called "Postage")
