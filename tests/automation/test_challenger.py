"""Champion/challenger retraining of every model kind on the demo store: the scheduled run's decision and both
scores equal a recomputation done here (the same newest holdout split again, the champion loaded from its
files, the challenger fitted again, the relative gain and the margin applied by hand); a promotion keeps the
old version (rollback is one call); a keep registers nothing. Plus the report in Markdown and JSON."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from support import load_demo, make_tenant, wait_for_job
from tendero.data.frames import tenant_frames
from tendero.kinds import get_kind
from tendero.registry.challenger import DATA_WINDOW_PARAMS, load_fitted
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope

MARGIN = 0.02
# small settings per kind: the decision is what is tested, not the models' quality
KINDS: dict[str, dict] = {
    "baseline": {"weeks": 4, "holdout_days": 14},
    "forecast": {"level": "category", "freq": "W", "horizon": 4, "history_months": 12, "n_windows": 1},
    "customers": {"churn_window_days": 30},
    "recommender": {"hybrid": {"als_trials": 1, "ease_grid": [150.0], "half_life_grid": [None], "ranker": "none"}},
    "pricing": {"freq": "W", "min_periods": 4, "holdout_periods": 4},
    "tabular": {},
}


class Quiet:
    def update(self, *args, **kwargs) -> None:
        return None


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("challenger")
    load_demo(tenant.id, demo_store)
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 10, 240)
    table = pd.DataFrame(
        {"x": x.round(3), "z": rng.normal(size=240).round(3), "y": (3 * x + rng.normal(size=240)).round(3)}
    )
    upload = {"file": ("t.csv", table.to_csv(index=False).encode())}
    form = {"name": "prices", "task": "regression", "target": "y"}
    dataset = client.post("/v1/datasets", data=form, files=upload, headers=tenant.headers())
    assert dataset.status_code in (200, 201, 202), dataset.text
    return tenant, dataset.json()["id"], pd.Timestamp(demo_store.orders["ordered_at"].max())


def _train_champion(client, tenant, kind: str, dataset_id: str, last_day: pd.Timestamp) -> None:
    """The champion as trained some weeks ago (kinds that take an ``as_of``); new data has come since."""
    if kind == "tabular":
        body = {"name": "m-tabular", "dataset": dataset_id, "hyperparameters": {"n_estimators": 30}, "seed": 1}
        job = client.post("/v1/training-jobs", json=body, headers=tenant.headers())
    else:
        params = dict(KINDS[kind])
        if kind in ("forecast", "customers"):
            params["as_of"] = (last_day - pd.Timedelta(days=35)).date().isoformat()
        body = {"kind": kind, "params": params, "deploy": "always"}
        job = client.post(f"/v1/models/m-{kind}/train", json=body, headers=tenant.headers())
    assert job.status_code in (200, 201, 202), job.text
    done = wait_for_job(client, tenant, job.json()["id"], 600)
    assert done["status"] == "completed", done
    if kind == "tabular":  # the training platform leaves deploying to a person
        version = client.get("/v1/models/m-tabular", headers=tenant.headers()).json()["latest_version"]
        deployed = client.post(f"/v1/models/m-tabular/versions/{version}/deploy", headers=tenant.headers())
        assert deployed.status_code == 200, deployed.text


def _hand_gain(new: float, old: float, higher_is_better: bool) -> float:
    return (new - old) / abs(old) if higher_is_better else (old - new) / abs(old)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_retrain_decision_equals_a_recomputation_by_hand(client, shop, kind):
    tenant, dataset_id, last_day = shop
    model = f"m-{kind}"
    _train_champion(client, tenant, kind, dataset_id, last_day)
    schedule = client.post("/v1/schedules", headers=tenant.headers(), json={
        "name": f"retrain-{kind}", "cron": "0 3 1 * *", "action": "retrain",
        "params": {"model": model, "margin": MARGIN}})  # fmt: skip
    assert schedule.status_code == 201, schedule.text
    run = client.post(f"/v1/schedules/{schedule.json()['id']}/run", headers=tenant.headers()).json()
    job = wait_for_job(client, tenant, run["job_id"], 900)
    assert job["status"] == "completed", job
    report = client.get(f"/v1/schedule-runs/{run['id']}/report?format=json", headers=tenant.headers()).json()

    # the same holdout, the champion from its files, the challenger fitted again, both scored on the same rows
    implementation = get_kind(kind)
    with session_scope() as session:
        champion_row = registry_rows.get_version(session, tenant.id, model, report["champion"]["version"])
        champion_params = {k: v for k, v in (champion_row.params or {}).items() if k not in DATA_WINDOW_PARAMS}
        session.expunge(champion_row)
    params = implementation.Params.model_validate(champion_params)
    frames = tenant_frames(tenant.id, implementation.needs, dataset_id if kind == "tabular" else None)
    holdout = implementation.split_holdout(frames, params)
    assert (report["holdout"]["start"], report["holdout"]["end"], report["holdout"]["rows"]) == (
        holdout.start, holdout.end, holdout.rows)  # fmt: skip
    champion = load_fitted(implementation, champion_row)
    challenger = implementation.fit(holdout.train, holdout.params, Quiet())
    old, new = implementation.score_holdout(champion, holdout), implementation.score_holdout(challenger, holdout)
    common = old.keys & new.keys
    old = implementation.score_holdout(champion, holdout, common)
    new = implementation.score_holdout(challenger, holdout, common)
    metric, higher = report["metric"], report["higher_is_better"]
    assert (metric, higher) == implementation.holdout_metric(params)
    assert report["rows_compared"] == len(common) > 0
    assert report["champion"]["score"] == pytest.approx(old.metrics[metric], rel=1e-6)
    assert report["challenger"]["score"] == pytest.approx(new.metrics[metric], rel=1e-3)
    if kind == "baseline":  # the metric itself by hand: the mean absolute error of daily revenue
        lines = frames["order_lines"]
        revenue = (lines["quantity"] * lines["unit_price"]).groupby(lines["ordered_at"].dt.normalize()).sum()
        days = pd.date_range(holdout.start, holdout.end, freq="D")
        actual = revenue.reindex(days, fill_value=0.0).to_numpy()
        predicted = np.array(champion.predict([d.date() for d in days]))
        assert report["champion"]["score"] == pytest.approx(float(np.mean(np.abs(actual - predicted))), rel=1e-6)

    gain = _hand_gain(report["challenger"]["score"], report["champion"]["score"], higher)
    guardrails_hold = all(
        not (math.isfinite(old.metrics.get(name, math.nan)) and math.isfinite(new.metrics.get(name, math.nan)))
        or -_hand_gain(new.metrics[name], old.metrics[name], up) <= MARGIN
        for name, up in implementation.holdout_guardrails(params)
    )
    expected = "promote" if gain >= MARGIN and gain > 0 and guardrails_hold else "keep"
    assert report["decision"] == expected, (report["reason"], gain)
    assert report["reason"]["gain"] == pytest.approx(gain, rel=1e-6)
    print(f"{kind}: {metric} champion {report['champion']['score']:.4f} challenger "
          f"{report['challenger']['score']:.4f} gain {gain:+.2%} -> {report['decision']}")  # fmt: skip

    shown = client.get(f"/v1/models/{model}", headers=tenant.headers()).json()
    if expected == "promote":
        assert report["new_version"] and shown["deployed_version"] == report["new_version"]
        back = client.post(f"/v1/models/{model}/rollback", headers=tenant.headers())
        assert back.status_code == 200 and back.json()["version"] == report["champion"]["version"]  # one call
    else:
        assert report["new_version"] is None and shown["deployed_version"] == report["champion"]["version"]
    for language, words in (("es", "Decisión"), ("en", "Decision")):
        markdown = client.get(f"/v1/schedule-runs/{run['id']}/report", headers={**tenant.headers(),
                              "Accept-Language": language}).text  # fmt: skip
        assert words in markdown and report["champion"]["version"] in markdown
    assert report["duration_seconds"] > 0 and report["data"]["frames"]


def test_a_model_without_a_champion_gets_its_first_version_and_a_missing_model_fails_saying_so(client):
    tenant = make_tenant("first-version")
    made = client.post("/v1/schedules", headers=tenant.headers(), json={
        "name": "first", "cron": "@daily", "action": "retrain", "params": {"model": "nothing-yet"}}).json()  # fmt: skip
    run = client.post(f"/v1/schedules/{made['id']}/run", headers=tenant.headers()).json()
    job = wait_for_job(client, tenant, run["job_id"])
    assert job["status"] == "failed" and "give the schedule's kind" in job["error"]


def test_a_challenger_that_learned_a_new_level_of_sales_is_promoted_and_rollback_is_one_call(client):
    """Sales tripled six weeks ago. The champion (weekday means, trained before) still expects the old level;
    the challenger learns the four weeks before the two-week holdout and wins; the old version stays."""
    import dataclasses

    from tendero.data.demo import generate_store

    tenant = make_tenant("promotion")
    store = generate_store(seed=8, customers=600, days=150)
    cut = pd.Timestamp(store.orders["ordered_at"].max()).normalize() - pd.Timedelta(days=42)
    before = store.orders[store.orders["ordered_at"] < cut]
    load_demo(tenant.id, dataclasses.replace(store, orders=before,
              order_items=store.order_items[store.order_items["order_id"].isin(before["order_id"])]))  # fmt: skip
    params = {"weeks": 4, "holdout_days": 14}
    job = client.post("/v1/models/daily/train", json={"kind": "baseline", "params": params, "deploy": "always"},
                      headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    after = store.orders[store.orders["ordered_at"] >= cut]
    items = store.order_items[store.order_items["order_id"].isin(after["order_id"])].assign(
        quantity=lambda f: f["quantity"] * 3)  # fmt: skip
    load_demo(tenant.id, dataclasses.replace(store, orders=after, order_items=items,
                                             interactions=store.interactions.iloc[:0]))  # fmt: skip
    made = client.post("/v1/schedules", headers=tenant.headers(), json={
        "name": "nightly", "cron": "0 2 * * *", "timezone": "Europe/Madrid", "action": "retrain",
        "params": {"model": "daily", "margin": MARGIN}}).json()  # fmt: skip
    run = client.post(f"/v1/schedules/{made['id']}/run", headers=tenant.headers()).json()
    assert wait_for_job(client, tenant, run["job_id"])["status"] == "completed"
    report = client.get(f"/v1/schedule-runs/{run['id']}/report?format=json", headers=tenant.headers()).json()
    gain = _hand_gain(report["challenger"]["score"], report["champion"]["score"], False)
    print(f"MAE champion {report['champion']['score']:.2f}, challenger {report['challenger']['score']:.2f}, "
          f"gain {gain:+.1%}: {report['decision']}")  # fmt: skip
    assert gain >= MARGIN and report["decision"] == "promote" and report["reason"]["code"] == "better"
    assert report["new_version"] != report["champion"]["version"] and report["final_fit"] in ("refit", "update")
    versions = client.get("/v1/models/daily", headers=tenant.headers()).json()
    assert versions["deployed_version"] == report["new_version"] and versions["versions"] == 2
    back = client.post("/v1/models/daily/rollback", headers=tenant.headers())
    assert back.status_code == 200 and back.json()["version"] == report["champion"]["version"]
    markdown = client.get(f"/v1/schedule-runs/{run['id']}/report", headers={**tenant.headers(),
                          "Accept-Language": "es"}).text  # fmt: skip
    assert "promover el challenger" in markdown, markdown
