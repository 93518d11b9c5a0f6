"""A file without a currency column but with a country column is priced in the currency of the country most of its
lines name (babel's territory currencies), said in the import report and in the settings (``currency_source``);
an admin's choice and a currency column still win."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from support import make_tenant, shared_data
from tendero.data.currency import country_currency
from tendero.services import data as data_service
from tendero.services import tenant_settings


def test_the_main_countrys_currency_and_its_share():
    found = country_currency(Counter({"United Kingdom": 90, "Germany": 6, "EIRE": 4}), 100)
    assert found == {"country": "United Kingdom", "territory": "GB", "share": 0.9, "lines": 90, "currency": "GBP",
                     "taken": True, "reason": None}  # fmt: skip
    assert country_currency(Counter({"España": 7, "Portugal": 3}), 10)["currency"] == "EUR"
    assert country_currency(Counter({"México": 8}), 10)["currency"] == "MXN"
    assert country_currency(Counter({"USA": 8}), 10)["currency"] == "USD"  # an ISO alpha-3 alias
    assert country_currency(Counter(), 10) is None
    for counts, reason in (
        ({"United Kingdom": 5, "France": 5}, "minority"),  # no country for most lines
        ({"United Kingdom": 4}, "minority"),  # most lines name none
        ({"Narnia": 9}, "unknown_country"),
        ({"Panama": 9}, "no_single_tender"),  # two legal tenders: the file does not say which
    ):
        found = country_currency(Counter(counts), 10)
        assert found["taken"] is False and found["reason"] == reason, counts


def _write(path: Path, countries: list[str | None], currency: str | None = None) -> Path:
    frame = pd.DataFrame({
        "Invoice": [f"5{n:05d}" for n in range(len(countries))], "StockCode": "85123A",
        "Description": "WHITE HANGING HEART T-LIGHT HOLDER", "Quantity": 6, "Price": 2.55,
        "InvoiceDate": "2010-12-01 08:26", "Customer ID": "17850", "Country": countries,
    })  # fmt: skip
    if currency is not None:
        frame["Currency"] = currency
    frame.to_csv(path, index=False)
    return path


def _import(tenant_id: str, path: Path, language: str = "en") -> dict:
    return data_service.import_file(tenant_id, "order_lines", path, path.name, {}, False, "reject", language).details


def test_an_import_without_currency_takes_its_countrys_and_says_so(tmp_path):
    shop = make_tenant("pais")
    details = _import(shop.id, _write(tmp_path / "uk.csv", ["United Kingdom"] * 9 + ["France"]), "es")
    by_country = details["currency"]["from_country"]
    assert by_country["currency"] == "GBP" and by_country["share"] == 0.9 and by_country["country"] == "United Kingdom"
    assert details["currency"]["summary"].startswith("Sin columna de moneda: el 90% de las líneas son de United King")
    answer = tenant_settings.settings_answer(shop.id, "en")
    assert answer["currency"] == "GBP" and answer["currency_source"] == "country"
    assert "country" in answer["currency_source_text"]
    # a later file with a currency column outranks the country; a country's guess never outranks a column
    _import(shop.id, _write(tmp_path / "eur.csv", ["United Kingdom"] * 3, currency="EUR"))
    _import(shop.id, _write(tmp_path / "uk2.csv", ["United Kingdom"] * 3))
    assert tenant_settings.settings_answer(shop.id)["currency"] == "EUR"
    assert tenant_settings.settings_answer(shop.id)["currency_source"] == "data"


def test_an_admins_currency_wins_and_mixed_countries_say_why_they_are_not_used(tmp_path):
    chosen = make_tenant("admin-moneda")
    tenant_settings.update_settings(chosen.id, tenant_settings.SettingsUpdate(currency="USD"))
    _import(chosen.id, _write(tmp_path / "uk.csv", ["United Kingdom"] * 4))
    assert tenant_settings.settings_answer(chosen.id)["currency"] == "USD"
    assert tenant_settings.settings_answer(chosen.id)["currency_source"] == "admin"
    mixed = make_tenant("mezcla")
    details = _import(mixed.id, _write(tmp_path / "mixed.csv", ["United Kingdom", "Germany", None, None]), "es")
    assert details["currency"]["from_country"]["taken"] is False  # one line in four names the United Kingdom
    assert details["currency"]["summary"].startswith("Sin columna de moneda, y el país más frecuente (United Kin")
    assert "sigue siendo EUR" in details["currency"]["summary"]
    assert tenant_settings.settings_answer(mixed.id)["currency_source"] == "default"


@pytest.mark.slow
def test_the_online_retail_subset_names_its_customers_countries_and_is_not_guessed(tmp_path):
    """The subset the README imports is the shop's foreign customers (France 41 %, no British line): its Country
    column does not tell that prices are pounds, so the currency is left as it was and the report says why."""
    path = shared_data("customers/online_retail_II_subset.csv")
    lines = pd.read_csv(path, dtype=str)
    shop = make_tenant("retail-pais")
    details = data_service.import_file(shop.id, "order_lines", path, path.name, {}, False, "keep", "en").details
    by_country = details["currency"]["from_country"]
    assert by_country["country"] == "France" and by_country["currency"] == "EUR" and by_country["taken"] is False
    assert by_country["share"] == pytest.approx((lines["Country"] == "France").mean(), abs=1e-4)
    assert by_country["reason"] == "minority" and "41.2%" in details["currency"]["summary"]
    assert tenant_settings.settings_answer(shop.id)["currency_source"] == "default"


def test_mostly_british_order_lines_read_as_pounds(tmp_path):
    """The whole Online Retail II (about 90 % of lines from the United Kingdom), in miniature: pounds."""
    shop = make_tenant("retail-gbp")
    countries = ["United Kingdom"] * 18 + ["EIRE", "France"]
    details = _import(shop.id, _write(tmp_path / "uk.csv", countries))
    assert details["currency"]["from_country"]["currency"] == "GBP"
    assert tenant_settings.settings_answer(shop.id)["currency"] == "GBP"
