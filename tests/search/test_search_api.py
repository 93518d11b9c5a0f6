"""Search over HTTP: the import hook and the index job, results, hostile queries, tenants, audit, s1 recommend."""

from __future__ import annotations

import time

import pytest
from search_support import CATALOGUE_ROWS

from support import TenantKeys, make_tenant, wait_for_job


def _import(client, tenant: TenantKeys, rows) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/v1/data/products", json={"rows": rows}, headers=tenant.headers("service"))
    assert answer.status_code == 201, answer.text


def _index_jobs(client, tenant: TenantKeys) -> list[dict]:  # type: ignore[no-untyped-def]
    jobs = client.get("/v1/jobs", params={"limit": 100}, headers=tenant.headers()).json()["items"]
    return [job for job in jobs if job["kind"] == "search_index"]


@pytest.fixture(scope="module")
def shop(client) -> TenantKeys:  # type: ignore[no-untyped-def]
    """A tenant whose products came in over HTTP, and whose index job (queued by the import) finished;
    shared by the module (the tests that add to its catalogue come last)."""
    tenant = make_tenant("buscar")
    _import(client, tenant, CATALOGUE_ROWS)
    jobs = _index_jobs(client, tenant)
    assert len(jobs) == 1, jobs
    job = wait_for_job(client, tenant, jobs[0]["id"], timeout=280)
    assert job["status"] == "completed", job
    assert job["result"]["products"] == len(CATALOGUE_ROWS)  # (a re-run attempt finds them embedded already)
    assert search(client, tenant, q="cerveza").json()["index"]["embedded"] == len(CATALOGUE_ROWS)
    return tenant


def search(client, tenant: TenantKeys, **params):  # type: ignore[no-untyped-def]
    return client.get("/v1/search", params=params, headers=tenant.headers("service"))


def test_search_answers_names_categories_prices_scores_and_what_matched(client, shop):
    answer = search(client, shop, q="cerveza", limit=3)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    top = body["items"][0]
    assert top["product_id"] == "B01" and top["name"] == "Cerveza Marisol 500 ml"
    assert top["category"] == "Bebidas" and top["price"] == 1.2 and isinstance(top["score"], float)
    assert "name" in top["matched"] and "meaning" in top["matched"]
    assert body["limit"] == 3 and body["offset"] == 0 and body["total"] >= 1
    assert body["index"]["embedded"] == len(CATALOGUE_ROWS)
    meaning = search(client, shop, q="para lavar los platos", limit=1).json()["items"][0]
    assert meaning["product_id"] == "B04" and meaning["matched"] == ["meaning"]


def test_filters_by_category_and_price(client, shop):
    items = search(client, shop, q="bebida", category="bebidas", max_price=1.3, limit=10).json()["items"]
    assert items and {i["product_id"] for i in items} <= {"B01", "B03"}
    empty = search(client, shop, q="bebida", min_price=5, max_price=1)  # an empty range, as the schema allows
    assert empty.status_code == 200 and empty.json()["items"] == [] and empty.json()["total"] == 0
    for language, word in (("es", "mínimo"), ("en", "minimum")):
        headers = {**shop.headers("service"), "Accept-Language": language}
        answer = client.get("/v1/search", params={"q": "bebida", "min_price": 5, "max_price": 1}, headers=headers)
        assert word in answer.json()["notice"]


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 200), ("   ", 200), ("x" * 10_240, 422), ("de la los", 200), ("🍺🙂", 200), ('"', 200), ("*", 200),
     ("NEAR", 200), ("cerveza OR 1=1", 200), ("'; DROP TABLE products; --", 200), ('"cerveza" NEAR/2 marisol*', 200)],
)  # fmt: skip
def test_hostile_queries_get_a_clear_error_or_sensible_results(client, shop, query, status):
    answer = search(client, shop, q=query)
    assert answer.status_code == status, answer.text
    body = answer.json()
    if status == 422:
        assert body["status"] == 422 and body["detail"]
        return
    assert isinstance(body["items"], list)
    if query in ("", "   ", "de la los", "🍺🙂", '"', "*"):
        assert body["items"] == [] and body["notice"]
    assert search(client, shop, q="cerveza").json()["items"][0]["product_id"] == "B01"  # nothing was harmed


def test_notices_follow_accept_language(client, shop):
    english = client.get("/v1/search", params={"q": "de la"}, headers={**shop.headers(), "Accept-Language": "en"})
    spanish = client.get("/v1/search", params={"q": "de la"}, headers={**shop.headers(), "Accept-Language": "es"})
    assert "stop words" in english.json()["notice"] and "palabras" in spanish.json()["notice"]


def test_another_tenant_never_sees_these_products(client, shop, other_tenant):
    _import(client, other_tenant, [{"product_id": "Z1", "name": "Cerveza de trigo Otra 330 ml", "category": "Bebidas"}])
    theirs = search(client, other_tenant, q="cerveza marisol", limit=50).json()["items"]
    assert [i["product_id"] for i in theirs] == ["Z1"]
    ours = search(client, shop, q="cerveza de trigo", limit=50).json()["items"]
    assert "Z1" not in {i["product_id"] for i in ours}


def test_searches_are_audited_like_predictions(client, shop):
    search(client, shop, q="champú")
    rows = client.get("/v1/audit", params={"action": "predict", "model": "search"}, headers=shop.headers()).json()
    assert rows["total"] >= 1
    assert rows["items"][0]["endpoint"] == "/v1/search" and rows["items"][0]["status_code"] == 200


def test_search_needs_a_key(client, shop):
    assert client.get("/v1/search", params={"q": "cerveza"}).status_code == 401


def test_s1_recommend_returns_similar_products_for_a_text(client, shop):
    answer = client.post("/v1/recommend", params={"query_text": "bebida refrescante", "limit": 3},
                         headers=shop.headers("service"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["query"] == "bebida refrescante" and len(body["similar_products"]) == 3
    first = body["similar_products"][0]
    assert {"id", "name", "score", "category", "price"} <= set(first) and body["reranked_by"] is None
    assert body["response_time_ms"] >= 0
    as_json = client.post("/v1/recommend", json={"query_text": "leche", "limit": 1}, headers=shop.headers())
    assert as_json.json()["similar_products"][0]["id"] == "B10"
    empty = client.post("/v1/recommend", params={"query_text": " "}, headers=shop.headers())
    assert empty.status_code == 200 and empty.json()["similar_products"] == [] and empty.json()["notice"]
    too_long = client.post("/v1/recommend", json={"query_text": "x" * 600}, headers=shop.headers())
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "body.query_text"


def test_the_rebuild_job_re_embeds_the_catalogue(client, shop):
    from tendero.services.search import submit_index_job

    job_id = submit_index_job(shop.id, rebuild=True)
    job = wait_for_job(client, shop, job_id, timeout=280)
    assert job["status"] == "completed" and job["result"]["embedded_now"] == len(CATALOGUE_ROWS)


def test_an_import_that_changes_products_queues_one_index_job_and_the_index_follows(client, shop):
    before = len(_index_jobs(client, shop))
    _import(client, shop, [{"product_id": "B11", "name": "Kéfir natural Nórdica 500 ml", "category": "Lácteos"}])
    _until(lambda: search(client, shop, q="kefir", limit=1).json()["items"][0]["product_id"] == "B11")  # words
    _import(client, shop, [{"product_id": "B11", "name": "Kéfir natural Nórdica 500 ml", "category": "Lácteos"}])
    jobs = _index_jobs(client, shop)
    assert len(jobs) == before + 1  # the unchanged re-import queued nothing
    assert wait_for_job(client, shop, jobs[0]["id"], timeout=280)["status"] == "completed"
    _until(lambda: "meaning" in search(client, shop, q="kefir", limit=1).json()["items"][0]["matched"])


def _until(condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """The served index reloads in the background (the previous one answers meanwhile): poll, bounded."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the served index did not follow the catalogue"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.timeout(900)  # trains a recommender through the job runner
def test_s1_recommend_re_ranks_for_a_customer_with_the_deployed_recommender(client):
    from support import load_demo
    from tendero.data.demo import generate_store

    tenant = make_tenant("gustos")
    store = generate_store(seed=5, customers=120, days=200)
    load_demo(tenant.id, store)
    answer = client.post("/v1/models/recommender/train", json={"kind": "recommender", "deploy": "always"},
                         headers=tenant.headers())  # fmt: skip
    assert answer.status_code == 202, answer.text
    assert wait_for_job(client, tenant, answer.json()["id"], timeout=800)["status"] == "completed"
    buyer = store.orders["customer_id"].value_counts().index[0]
    plain = client.post("/v1/recommend", params={"query_text": "bebidas", "limit": 5}, headers=tenant.headers()).json()
    mine = client.post("/v1/recommend", params={"query_text": "bebidas", "limit": 5, "user_id": buyer},
                       headers=tenant.headers()).json()  # fmt: skip
    assert plain["reranked_by"] is None
    assert mine["reranked_by"]["model"] == "recommender" and mine["reranked_by"]["version"]
    assert len(mine["similar_products"]) == 5
    scores = [p["score"] for p in mine["similar_products"]]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    rows = client.get("/v1/audit", params={"model": "recommender", "action": "predict"}, headers=tenant.headers())
    assert any(item["endpoint"] == "/v1/recommend" for item in rows.json()["items"])
