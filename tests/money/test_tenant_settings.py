"""The tenant's currency and non-product rule: read by every role, changed only by admins, validated as
ISO 4217, taken from imported data unless an admin chose one, and kept per tenant."""

from __future__ import annotations

import io


def _lines(
    rows: list[str], header: str = "order_id,product_id,product_name,quantity,unit_price,ordered_at,customer_id"
) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_currency_defaults_to_eur_and_an_admin_sets_it(client, tenant, other_tenant):
    first = client.get("/v1/settings", headers=tenant.headers("analyst"))
    assert first.status_code == 200
    assert first.json()["currency"] == "EUR" and first.json()["currency_source"] == "default"
    assert first.json()["exclude_non_products"] is True

    assert client.patch("/v1/settings", json={"currency": "gbp"}, headers=tenant.headers()).status_code == 422
    changed = client.patch("/v1/settings", json={"currency": "GBP"}, headers=tenant.headers())
    assert changed.status_code == 200, changed.text
    assert changed.json()["currency"] == "GBP" and changed.json()["currency_source"] == "admin"
    assert client.get("/v1/settings", headers=other_tenant.headers()).json()["currency"] == "EUR"


def test_only_admins_change_settings_and_codes_are_iso_4217(client, tenant):
    assert client.patch("/v1/settings", json={"currency": "USD"}, headers=tenant.headers("analyst")).status_code == 403
    bad = client.patch("/v1/settings", json={"currency": "EUX"}, headers=tenant.headers())
    assert bad.status_code == 422
    assert "ISO 4217" in bad.text and "EUX" in bad.text
    assert client.patch("/v1/settings", json={"currency": 978}, headers=tenant.headers()).status_code == 422
    assert client.get("/v1/settings", headers=tenant.headers()).json()["currency"] == "EUR"


def test_the_currency_column_of_an_import_sets_the_currency_unless_an_admin_chose(client, tenant, other_tenant):
    body = _lines(["A1,P1,Mug,1,3.5,2026-01-05,C1,MXN", "A2,P2,Cup,2,2.0,2026-01-06,C2,MXN"],
                  "order_id,product_id,product_name,quantity,unit_price,ordered_at,customer_id,moneda")  # fmt: skip
    answer = client.post("/v1/data/order_lines/imports", files={"file": ("v.csv", io.BytesIO(body))},
                         headers=tenant.headers())  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["details"]["currency"] == {"found": {"MXN": 2}}
    settings = client.get("/v1/settings", headers=tenant.headers()).json()
    assert settings["currency"] == "MXN" and settings["currency_source"] == "data"

    client.patch("/v1/settings", json={"currency": "USD"}, headers=other_tenant.headers())
    client.post("/v1/data/order_lines/imports", files={"file": ("v.csv", io.BytesIO(body))},
                headers=other_tenant.headers())  # fmt: skip
    assert client.get("/v1/settings", headers=other_tenant.headers()).json()["currency"] == "USD"


def test_non_products_are_flagged_at_import_with_their_rule_in_both_languages(client, tenant):
    body = _lines([
        "A1,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2.55,2026-01-05,C1",
        "A1,POST,POSTAGE,1,18.0,2026-01-05,C1",
        "A2,ENV,Gastos de envío,1,4.95,2026-01-06,C2",
        "A2,M,Manual,1,0.5,2026-01-06,C2",
        "A3,GRINDER,Manual coffee grinder,1,25.0,2026-01-07,C3",
        "A3,FREE,Bolsa regalo,1,0,2026-01-07,C3",
    ])  # fmt: skip
    answer = client.post("/v1/data/order_lines/imports", files={"file": ("v.csv", io.BytesIO(body))},
                         headers={**tenant.headers(), "Accept-Language": "es"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    flagged = {row["item_id"]: row for row in answer.json()["details"]["non_products"]["items"]}
    assert set(flagged) == {"POST", "ENV", "M", "FREE"}
    assert flagged["POST"]["rule"] == "name" and "postage" in flagged["POST"]["reason"]
    assert flagged["FREE"]["rule"] == "zero_price"
    assert "envío" in flagged["ENV"]["reason"] or "envio" in flagged["ENV"]["reason"]
    assert "no productos" in answer.json()["details"]["non_products"]["summary"]
    english = client.get(
        f"/v1/data/imports/{answer.json()['id']}", headers={**tenant.headers(), "Accept-Language": "en"}
    )
    assert "non-products" in english.json()["details"]["non_products"]["summary"]

    settings = client.get("/v1/settings", headers={**tenant.headers(), "Accept-Language": "en"}).json()
    assert {row["item_id"] for row in settings["non_products"]} == {"POST", "ENV", "M", "FREE"}
    assert next(r for r in settings["non_products"] if r["item_id"] == "POST")["reason"].startswith("its name says")


def test_admin_marks_override_the_flags(client, tenant):
    body = _lines(["A1,POST,POSTAGE,1,18.0,2026-01-05,C1", "A1,K9,Kettle,1,30.0,2026-01-05,C1"])
    client.post("/v1/data/order_lines/imports", files={"file": ("v.csv", io.BytesIO(body))}, headers=tenant.headers())
    changed = client.patch("/v1/settings", json={"mark_products": ["POST"], "mark_non_products": ["K9"]},
                           headers=tenant.headers())  # fmt: skip
    assert changed.status_code == 200, changed.text
    rows = {row["item_id"]: row["rule"] for row in changed.json()["non_products"]}
    assert rows == {"K9": "admin"}
    cleared = client.patch("/v1/settings", json={"clear_marks": ["POST", "K9"]}, headers=tenant.headers()).json()
    assert {row["item_id"] for row in cleared["non_products"]} == {"POST"}
