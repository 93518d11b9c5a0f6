"""Every item answer names the item (name and category beside its id), and non-products stay out of
recommendations while the tenant's rule is on — on the real Online Retail II shop, whose most popular
line is the postage fee."""

from __future__ import annotations

import pytest

from support import make_tenant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(client, retail, train_model, quick_recommender):  # type: ignore[no-untyped-def]
    train_model(client, retail, "recommender", "recommender", quick_recommender)
    return retail


def test_the_postage_fee_is_the_most_sold_line_but_never_recommended(client, retail):
    from tendero.store.commerce import read_order_lines

    lines = read_order_lines(retail.id)
    assert lines.groupby("product_id")["order_id"].nunique().idxmax() == "POST"  # the trap is real
    flagged = client.get("/v1/settings", headers=retail.headers()).json()["non_products"]
    assert {row["item_id"] for row in flagged} == {"POST", "M", "ADJUST", "C2", "D"}  # every charge, no goods

    answer = client.post("/v1/recommendations", json={"k": 10}, headers=retail.headers())
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert len(items) == 10
    ids = [item["item_id"] for item in items]
    assert not {"POST", "M", "D", "C2", "ADJUST", "DOT", "BANK CHARGES", "AMAZONFEE"} & set(ids)
    assert all(item["name"] for item in items)  # the file's descriptions
    assert all("category" in item for item in items)

    client.patch("/v1/settings", json={"exclude_non_products": False}, headers=retail.headers())
    try:
        again = client.post("/v1/recommendations", json={"k": 10}, headers=retail.headers()).json()["items"]
        assert "POST" in [item["item_id"] for item in again]  # the rule, not the data, kept it out
        postage = next(item for item in again if item["item_id"] == "POST")
        assert postage["name"] == "POSTAGE"
    finally:
        client.patch("/v1/settings", json={"exclude_non_products": True}, headers=retail.headers())


def test_the_trained_recommender_leaves_postage_out_and_names_its_items(client, trained):
    answer = client.post("/v1/recommendations", json={"k": 10, "user_id": "13085"}, headers=trained.headers())
    assert answer.status_code == 200, answer.text
    assert answer.json()["path"] == "model"
    items = answer.json()["items"]
    assert len(items) == 10 and "POST" not in [item["item_id"] for item in items]
    assert all(item["name"] for item in items)


def test_similar_and_bought_together_name_the_asked_item_and_each_answer(client, trained):
    for route in ("similar", "bought-together"):
        answer = client.get(f"/v1/items/85123A/{route}?k=5", headers=trained.headers())
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["item_id"] == "85123A" and "HEART" in body["name"].upper() and "category" in body
        assert body["items"] and all(item["name"] for item in body["items"])
        assert "POST" not in [item["item_id"] for item in body["items"]]


def test_item_names_are_null_where_the_catalogue_lacks_them():
    from tendero.services.items import item_facts

    shop = make_tenant("bare")
    assert item_facts(shop.id, ["nope"]) == {"nope": {"name": None, "category": None}}
