"""The real Online Retail II shop (2009-12-01 .. 2011-12-09, GBP, returns kept), imported once for this folder."""

from __future__ import annotations

import pytest

from support import TenantKeys, make_tenant, shared_data, wait_for_job

# a small recommender: one setting of each generator, no ranker (these tests check answers, not quality)
QUICK_RECOMMENDER = {"hybrid": {"als_trials": 1, "ease_grid": [150.0], "half_life_grid": [None], "ranker": "none"}}


def _train(client, shop, model: str, kind: str, params: dict) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"/v1/models/{model}/train", json={"kind": kind, "params": params, "deploy": "always"},
                         headers=shop.headers())  # fmt: skip
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, shop, answer.json()["id"], timeout=600)
    assert job["status"] == "completed", job["error"]


@pytest.fixture(scope="session")
def retail() -> TenantKeys:
    from tendero.data.imports import import_file

    shop = make_tenant("retail")
    import_file(shop.id, "order_lines", shared_data("customers/online_retail_II_subset.csv"), returns="keep")
    return shop


@pytest.fixture(scope="session")
def train_model():  # type: ignore[no-untyped-def]
    """Train and deploy a model of the shop through the API, waiting for the job."""
    return _train


@pytest.fixture(scope="session")
def quick_recommender() -> dict:
    return QUICK_RECOMMENDER
