"""The index follows the catalogue: stored embeddings, re-made only for what changed; words follow at once."""

from __future__ import annotations

import numpy as np
from search_support import import_products
from sqlalchemy import delete, select

from tendero.services import search as search_service
from tendero.store import search as search_rows
from tendero.store.db import get_engine
from tendero.store.tables import Product


def _ids(answer: search_service.SearchAnswer) -> list[str]:
    return [item.product_id for item in answer.items]


def test_sync_embeds_new_and_changed_products_only_and_drops_deleted_ones(tenant, catalogue):
    import_products(tenant.id, catalogue)
    first = search_service.sync_index(tenant.id)
    assert (first["products"], first["embedded_now"], first["removed"]) == (10, 10, 0)
    assert first["model"] == "use-multilingual-v3" and first["language"] == "es"
    assert search_service.sync_index(tenant.id)["embedded_now"] == 0

    renamed = {**catalogue[0], "name": "Cerveza tostada Marisol 500 ml"}
    cheaper = {**catalogue[1], "price": 0.99}  # the price is not what the encoder reads
    import_products(tenant.id, [renamed, cheaper])
    again = search_service.sync_index(tenant.id)
    assert (again["embedded_now"], again["removed"]) == (1, 0)

    with get_engine().begin() as connection:  # a product deleted from the catalogue
        connection.execute(delete(Product).where(Product.tenant_id == tenant.id, Product.external_id == "B10"))
    gone = search_service.sync_index(tenant.id)
    assert (gone["products"], gone["embedded_now"], gone["removed"]) == (9, 0, 1)
    assert "B10" not in set(search_rows.read_documents(tenant.id)["product_id"])


def test_a_rebuild_re_embeds_every_product(tenant, catalogue):
    import_products(tenant.id, catalogue)
    search_service.sync_index(tenant.id)
    assert search_service.sync_index(tenant.id, rebuild=True)["embedded_now"] == len(catalogue)


def test_loading_reads_the_stored_embeddings_instead_of_recomputing_them(tenant, catalogue):
    import_products(tenant.id, catalogue)
    search_service.sync_index(tenant.id)
    stored = search_rows.read_documents(tenant.id, embeddings=True)
    stamps = _updated_at(tenant.id)
    index = search_service.load_index(tenant.id)  # what a process does on start
    matrix = search_rows.embedding_matrix(stored, 512)
    position = {p: i for i, p in enumerate(index.ids)}
    for row, product_id in enumerate(stored["product_id"]):
        assert np.array_equal(index.embeddings[position[product_id]], matrix[row])  # type: ignore[index]
    served = search_service.ServedIndexes(recheck_seconds=0)
    assert [index.ids[h.row] for h in served.get(tenant.id)[0].search("gaseosa", 1)] == ["B02"]
    assert _updated_at(tenant.id) == stamps  # nothing was written back


def test_new_products_are_found_by_words_before_the_job_embeds_them(tenant, catalogue):
    import_products(tenant.id, catalogue)
    search_service.sync_index(tenant.id)
    served = search_service.ServedIndexes(recheck_seconds=0)
    served.get(tenant.id)
    import_products(tenant.id, [{"product_id": "B11", "name": "Kéfir natural Nórdica 500 ml", "category": "Lácteos"}])
    served.refresh(tenant.id)  # the version moved: this process reloads
    index, _ = served.get(tenant.id)
    hit = index.search("kefir", 1)[0]
    assert index.ids[hit.row] == "B11" and "meaning" not in hit.matched  # not embedded yet
    search_service.sync_index(tenant.id)
    served.refresh(tenant.id)
    index, _ = served.get(tenant.id)
    assert "meaning" in index.search("kefir", 1)[0].matched


def test_a_first_search_over_a_small_catalogue_builds_its_index(tenant, catalogue):
    import_products(tenant.id, catalogue)
    answer = search_service.search(tenant.id, "para lavar los platos", limit=3)
    assert _ids(answer)[0] == "B04"
    assert answer.index["embedded"] == len(catalogue) and answer.notice is None


def test_search_filters_pages_and_explains(tenant, catalogue):
    import_products(tenant.id, catalogue)
    answer = search_service.search(tenant.id, "bebida", limit=2, category="Bebidas", max_price=1.3)
    assert set(_ids(answer)) <= {"B01", "B03"}
    first, second = (search_service.search(tenant.id, "bebida", limit=1, offset=o) for o in (0, 1))
    assert _ids(first)[0] != _ids(second)[0]
    words = search_service.search(tenant.id, "champú", limit=1).items[0]
    assert words.product_id == "B08" and "name" in words.matched and words.price == 3.1
    assert search_service.search(tenant.id, "de la el", limit=5).notice == "no_terms"


def _updated_at(tenant_id: str) -> list:
    table = search_rows.SearchDocument.__table__
    with get_engine().connect() as connection:
        rows = connection.execute(select(table.c.product_id, table.c.updated_at).where(table.c.tenant_id == tenant_id))
        return sorted(rows.all())
