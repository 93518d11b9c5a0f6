"""The dashboard's Settings page shows and changes the shop's currency and non-product rule (es and en), and
money on the pages is written in the tenant's currency with the language's number format."""

from __future__ import annotations

import io

from web.web_helpers import browser, csrf_of, sign_in


def test_an_admin_sets_the_currency_and_the_rule_from_the_settings_page(client, tenant):
    body = b"order_id,product_id,product_name,quantity,unit_price,ordered_at\nA1,POST,POSTAGE,1,18.0,2026-01-05\n"
    client.post("/v1/data/order_lines/imports", files={"file": ("v.csv", io.BytesIO(body))}, headers=tenant.headers())
    web = browser(client)
    sign_in(web, tenant)
    page = web.get("/app/settings", headers={"accept-language": "es"})
    assert page.status_code == 200
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and page.text.count('id="shop-settings"') == 1  # the section is in the page, once
    assert "Moneda (ISO 4217)" in page.text and 'value="EUR"' in page.text
    assert 'data-item="POST"' in page.text and "parece un cargo" in page.text

    bad = web.post("/app/settings/shop", data={"csrf": csrf_of(page.text), "currency": "ZZZ",
                                               "exclude_non_products": "on"})  # fmt: skip
    assert bad.status_code == 303
    assert "ISO 4217" in web.get("/app/settings").text
    saved = web.post("/app/settings/shop", data={"csrf": csrf_of(page.text), "currency": "usd"})
    assert saved.status_code == 303
    settings = client.get("/v1/settings", headers=tenant.headers()).json()
    assert settings["currency"] == "USD" and settings["exclude_non_products"] is False

    english = web.get("/app/settings", headers={"accept-language": "en"})
    assert "Currency (ISO 4217)" in english.text and 'value="USD"' in english.text


def test_analysts_cannot_change_the_shop_settings(client, tenant):
    web = browser(client)
    token = sign_in(web, tenant, "analyst")
    answer = web.post("/app/settings/shop", data={"csrf": token, "currency": "USD"})
    assert answer.status_code in (303, 403)
    assert client.get("/v1/settings", headers=tenant.headers()).json()["currency"] == "EUR"


def test_money_is_written_in_the_tenants_currency_in_each_language():
    from tendero.web.money import format_money

    assert format_money(1234.5, "EUR", "es") == "1.234,50\xa0€"
    assert format_money(1234.5, "GBP", "en") == "£1,234.50"
    assert format_money(None, "EUR", "es") == "—"


def test_the_import_report_page_lists_the_flagged_non_products_in_the_page_language(client, tenant):
    body = b"order_id,product_id,product_name,quantity,unit_price,ordered_at\nA1,POST,POSTAGE,1,18.0,2026-01-05\n"
    made = client.post("/v1/data/order_lines/imports", files={"file": ("v.csv", io.BytesIO(body))},
                       headers=tenant.headers())  # fmt: skip
    web = browser(client)
    sign_in(web, tenant)
    page = web.get(f"/app/data/imports/{made.json()['id']}", headers={"accept-language": "es"})
    assert page.status_code == 200
    assert 'data-item="POST"' in page.text and "no productos" in page.text
