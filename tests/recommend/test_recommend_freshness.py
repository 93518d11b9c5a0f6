"""Fresh without a refit: interactions, users and items that arrive after training change the answers."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from conftest import make_shop
from support import make_tenant, wait_for_job
from tendero.kinds import Frames, RecordingProgress


def _rows(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    records = out.to_dict("records")
    return [{k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))} for row in records]


def test_recent_interactions_fold_in_and_leave_the_seen_item_out(fitted):
    before = fitted.recommend("u5", 5)
    assert {r.source for r in before} == {"hybrid"}
    top = before[0].item_id
    recent = pd.DataFrame({"item_id": [top], "kind": ["purchase"], "value": [np.nan],
                           "at": [pd.Timestamp("2030-01-01")]})  # fmt: skip
    after = fitted.recommend("u5", 5, recent=recent)
    assert {r.source for r in after} == {"fold_in"}
    assert top not in {r.item_id for r in after}
    # An item the model does not know yet changes nothing (the update job adds it to the catalogue).
    unknown = recent.assign(item_id="not-in-the-catalogue")
    assert fitted.recommend("u5", 5, recent=unknown) == before


def test_trained_until_is_the_newest_training_event(shop, fitted):
    newest = max(shop["interactions"]["at"].max(), shop["order_lines"]["ordered_at"].max())
    assert fitted.trained_until() == newest.to_pydatetime()


def test_the_update_adds_new_items_users_and_interactions_without_tuning_again(shop, fitted):
    from tendero.recommend.kind import RecommenderKind

    products = pd.concat(
        [
            shop["products"],
            pd.DataFrame(
                [
                    {"product_id": "nuevo-ciencia", "name": "Ciencia libro cuántica", "category": "ciencia",
                     "description": "un libro de ciencia sobre física cuántica", "brand": "autor10", "price": 20.0,
                     "active": True},
                    {"product_id": "sin-lectores", "name": "Cocina libro de pasta", "category": "cocina",
                     "description": "un libro de cocina italiana", "brand": "autor30", "price": 12.0, "active": True},
                ]
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    at = pd.Timestamp("2024-03-01")
    newcomers = pd.DataFrame(
        [{"user_id": f"nueva{n}", "item_id": item, "kind": "purchase", "value": np.nan,
          "at": at + pd.Timedelta(hours=hour)}
         for n in range(12) for hour, item in enumerate(("p1-0", "p1-1", "nuevo-ciencia"))]
    )  # fmt: skip
    interactions = pd.concat([shop["interactions"], newcomers], ignore_index=True)
    frames = Frames.of(interactions=interactions, order_lines=shop["order_lines"], products=products)
    progress = RecordingProgress()
    updated = RecommenderKind().update(fitted, frames, progress)
    assert progress.events and progress.events[-1].step == progress.events[-1].total
    # Known items and users keep their positions; the new ones come after.
    assert list(updated.catalogue.items.ids[: len(fitted.catalogue)]) == list(fitted.catalogue.items.ids)
    assert list(updated.users.ids[: len(fitted.users)]) == list(fitted.users.ids)
    assert updated.hybrid.tuning["ease_l2"] == fitted.hybrid.tuning["ease_l2"]
    assert updated.hybrid.tuning["updates"] == 1 and updated.hybrid.ranker is fitted.hybrid.ranker
    # Only users whose rows changed are folded in again; the others keep the fit's factors.
    assert np.array_equal(updated.hybrid.als.user_factors[: len(fitted.users)], fitted.hybrid.als.user_factors)
    # A new user is known now and served from their history.
    result = updated.recommend("nueva3", 5)
    assert {r.source for r in result} == {"hybrid"} and len(result) == 5
    assert not {r.item_id for r in result} & {"p1-0", "p1-1", "nuevo-ciencia"}
    # A new item with buyers: co-occurrence and ALS factors folded in from them.
    together = [r.item_id for r in updated.bought_together("nuevo-ciencia", 3)]
    assert set(together[:2]) == {"p1-0", "p1-1"}
    position = updated.catalogue.items.get("nuevo-ciencia")
    assert np.abs(updated.hybrid.als.item_factors[position]).sum() > 0
    # A new item nobody touched yet: placed by its words.
    similar = updated.similar("sin-lectores", 3)
    assert similar and {r.source for r in similar} == {"content"}
    assert all(r.item_id.startswith(("p3-", "nuevo-3")) for r in similar)
    # Saved and loaded, the updated model answers the same.
    assert updated.probe() == type(updated).load(_saved(updated)).probe()


def _saved(model):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    model.save(folder)
    return folder


@pytest.fixture(scope="module")
def trained_tenant(client):
    """A tenant whose shop was posted over HTTP and whose recommender was trained through the job runner."""
    shop = make_shop(n_users=60)
    tenant = make_tenant("fresh")
    for entity, frame in (("products", shop["products"]), ("interactions", shop["interactions"])):
        answer = client.post(f"/v1/data/{entity}", json={"rows": _rows(frame)}, headers=tenant.headers())
        assert answer.status_code == 201, answer.text
    params = {"hybrid": {"als_trials": 1, "ease_grid": [100.0], "candidates": 20, "ranker": "none"}}
    body = {"kind": "recommender", "params": params, "deploy": "always"}
    answer = client.post("/v1/models/recommender/train", json=body, headers=tenant.headers())
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, tenant, answer.json()["id"], timeout=240)
    assert job["status"] == "completed", job["error"]
    return tenant


def test_a_posted_interaction_changes_that_users_next_answer_within_seconds(client, trained_tenant):
    headers = trained_tenant.headers("service")
    ask = {"user_id": "u6", "k": 5}
    before = client.post("/v1/recommendations", json=ask, headers=headers).json()
    assert before["path"] == "model" and {i["source"] for i in before["items"]} == {"hybrid"}
    top = before["items"][0]["item_id"]
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    event = {"rows": [{"user_id": "u6", "item_id": top, "kind": "purchase", "at": now}]}
    # The same user id buys the same item in another tenant: this tenant's answer must not change.
    other = make_tenant("fresh-other")
    client.post("/v1/data/products", json={"rows": [{"product_id": top, "name": "x"}]}, headers=other.headers())
    assert client.post("/v1/data/interactions", json=event, headers=other.headers()).status_code == 201
    assert client.post("/v1/recommendations", json=ask, headers=headers).json()["items"] == before["items"]

    posted = time.monotonic()
    assert client.post("/v1/data/interactions", json=event, headers=headers).status_code == 201
    after = client.post("/v1/recommendations", json=ask, headers=headers).json()
    elapsed = time.monotonic() - posted
    assert top not in [item["item_id"] for item in after["items"]] and len(after["items"]) == 5
    assert {i["source"] for i in after["items"]} == {"fold_in"} and after["version"] == before["version"]
    assert elapsed < 5.0
    # Another user of the same tenant is untouched.
    untouched = client.post("/v1/recommendations", json={"user_id": "u7", "k": 5}, headers=headers).json()
    assert {i["source"] for i in untouched["items"]} == {"hybrid"}


def test_folded_in_events_are_weighted_and_summed_as_the_fit_weighs_them(fitted):
    from tendero.recommend.signals import SignalWeights, signal_events, signal_pairs

    when = pd.Timestamp("2030-01-01")
    recent = pd.DataFrame(
        {"item_id": ["p0-1", "p0-2", "p0-1", "p1-3", "p2-0", "no-such-item"],
         "kind": ["rating", "View", "purchase", "Favourite", None, "cart"],
         "value": [4.0, np.nan, np.nan, np.nan, np.nan, np.nan],
         "at": [when + pd.Timedelta(hours=h) for h in (0, 1, 2, 3, 4, 5)]}
    )  # fmt: skip
    added, times = fitted._recent_signals(recent)
    weights = SignalWeights.model_validate(fitted.info["params"].get("signals") or {})
    pairs = signal_pairs(signal_events(recent.assign(user_id="_"), None, weights)).set_index("item_id")
    positions = fitted.catalogue.items.positions(list(pairs.index))
    known = positions >= 0
    assert set(added.indices) == set(positions[known]) and "p2-0" not in pairs.index  # no kind: no weight
    for item, position in zip(pairs.index[known], positions[known], strict=True):
        assert added[0, position] == pytest.approx(pairs.loc[item, "weight"])
        assert times[0, position] == pairs.loc[item, "at"]
