"""The workflows a schedule runs, end to end on the demo store, to a real signed receiver: the churn-risk list
(its count and value at risk recomputed from the customers API), likely buyers, a sales analysis, a job that
fails, and drift after new data (alert, and the champion/challenger retrain its policy asks for)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from automation_support import wait_for

from support import load_demo, make_tenant, wait_for_job
from tendero.data.demo import DemoStore


def _channel(client, tenant, receiver, name: str = "hook", events: list[str] | None = None) -> dict:
    body = {"name": name, "kind": "webhook", "language": "en", "events": events or [],
            "webhook": {"url": receiver.url, "style": "json", "secret": receiver.secret}}  # fmt: skip
    answer = client.post("/v1/channels", json=body, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    return answer.json()


def _run(client, tenant, name: str, action: str, params: dict, channels: list[str]) -> tuple[dict, dict]:
    body = {"name": name, "cron": "0 8 * * 1", "action": action, "params": params, "channels": channels}
    made = client.post("/v1/schedules", json=body, headers=tenant.headers())
    assert made.status_code == 201, made.text
    run = client.post(f"/v1/schedules/{made.json()['id']}/run", headers=tenant.headers()).json()
    return made.json(), wait_for_job(client, tenant, run["job_id"], 600) | {"run_id": run["id"]}


def _delivered(client, tenant, event: str, receiver, count: int = 1) -> list:
    def done() -> list | None:
        found = client.get(f"/v1/deliveries?event={event}", headers=tenant.headers()).json()["items"]
        finished = [d for d in found if d["status"] in ("delivered", "dead")]
        return finished if len(finished) >= count else None

    deliveries = wait_for(done, 60, f"{count} {event} deliveries")
    assert all(d["status"] == "delivered" and d["attempts"] == 1 for d in deliveries), deliveries
    bodies = [r.json() for r in receiver.requests if r.json()["event"] == event]
    assert len(bodies) == count and all(r.signature_ok for r in receiver.requests)
    return bodies


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("workflows")
    load_demo(tenant.id, demo_store)
    job = client.post("/v1/models/customers/train", json={"kind": "customers", "deploy": "always"},
                      headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, job["id"], 600)["status"] == "completed"
    return tenant


def test_the_churn_risk_list_reaches_the_channel_with_the_value_at_risk_of_every_customer_above_the_thresholds(
    client, shop, receiver
):
    channel = _channel(client, shop, receiver)
    params = {"min_probability": 0.3, "min_value": 5.0, "limit": 5, "currency": "EUR"}
    _, job = _run(client, shop, "fortnightly churn", "churn_risk", params, [channel["id"]])
    assert job["status"] == "completed", job
    (body,) = _delivered(client, shop, "churn_risk", receiver)
    everyone = client.get("/v1/customers/at-risk?min_value=5&limit=1000", headers=shop.headers()).json()["items"]
    above = [c for c in everyone if c["churn_probability"] >= 0.3]
    data = body["data"]
    assert data["customers_at_risk"] == len(above) > 5  # every customer counts, the list shows the first five
    assert data["total_value_at_risk"] == pytest.approx(sum(c["value_at_risk"] for c in above), abs=0.01)
    assert [c["customer_id"] for c in data["customers"]] == [c["customer_id"] for c in above[:5]]
    assert body["language"] == "en" and body["title"].startswith("Customers at risk of churning")


def test_likely_buyers_lists_who_the_model_expects_to_buy_in_the_next_days(client, shop, receiver):
    channel = _channel(client, shop, receiver, name="monday")
    params = {"days": 14, "min_probability": 0.2, "limit": 20}
    _, job = _run(client, shop, "monday buyers", "likely_buyers", params, [channel["id"]])
    assert job["status"] == "completed", job
    (body,) = _delivered(client, shop, "likely_buyers", receiver)
    expected = client.get("/v1/customers/likely-buyers?days=14&min_probability=0.2&limit=20",
                          headers=shop.headers()).json()["items"]  # fmt: skip
    assert [c["customer_id"] for c in body["data"]["customers"]] == [c["customer_id"] for c in expected]
    assert all(c["p_purchase"] >= 0.2 for c in body["data"]["customers"]) and body["data"]["days"] == 14


def test_a_monthly_sales_analysis_is_stored_and_told(client, shop, receiver, demo_store):
    channel = _channel(client, shop, receiver, name="sales")
    _, job = _run(client, shop, "monthly sales", "sales_analysis", {"period": "month"}, [channel["id"]])
    assert job["status"] == "completed", job
    (body,) = _delivered(client, shop, "sales_analysis", receiver)
    data = body["data"]
    last = pd.Timestamp(demo_store.orders["ordered_at"].max())
    month = (last + pd.Timedelta(days=1)).to_period("M") - 1
    assert data["period"] == {"start": str(month.start_time.date()), "end": str(month.end_time.date())}
    stored = client.get(f"/v1/insights/{data['analysis_id']}", headers=shop.headers())
    assert stored.status_code == 200, stored.text
    assert data["revenue"]["current"] == pytest.approx(stored.json()["kpis"]["revenue"]["current"])
    assert body["title"].startswith("Sales analysis: ") and "net sales" in body["title"]
    report = client.get(
        f"/v1/schedule-runs/{job['run_id']}/report", headers={**shop.headers(), "accept-language": "es"}
    )
    assert report.status_code == 200 and report.text.startswith("# Análisis de ventas"), report.text
    assert "```json" not in report.text and '"workflow"' not in report.text


def test_a_failed_job_is_told_to_the_channels_that_listen_for_failures(client, receiver):
    tenant = make_tenant("failing")
    _channel(client, tenant, receiver, name="ops", events=["job_failed"])
    _, job = _run(client, tenant, "no model yet", "churn_risk", {}, [])
    assert job["status"] == "failed" and "no hay ningún modelo de clientes" in job["error"]  # the API's default: es
    english = client.get(f"/v1/jobs/{job['id']}", headers={**tenant.headers(), "accept-language": "en"}).json()
    assert "no deployed customers model" in english["error"]
    (body,) = _delivered(client, tenant, "job_failed", receiver)
    assert body["data"]["job_id"] == job["id"] and "no deployed customers model" in body["data"]["error"]
    assert "failed" in body["title"].lower()


def _until(store: DemoStore, cut: pd.Timestamp) -> DemoStore:
    orders = store.orders[store.orders["ordered_at"] < cut]
    items = store.order_items[store.order_items["order_id"].isin(orders["order_id"])]
    return dataclasses.replace(store, orders=orders, order_items=items)


def _after(store: DemoStore, cut: pd.Timestamp, factor: int) -> DemoStore:
    """The orders from ``cut`` on, with ``factor`` times the units (a promotion took off)."""
    orders = store.orders[store.orders["ordered_at"] >= cut]
    items = store.order_items[store.order_items["order_id"].isin(orders["order_id"])].copy()
    items["quantity"] = items["quantity"] * factor
    return dataclasses.replace(store, orders=orders, order_items=items, interactions=store.interactions.iloc[:0])


def test_drift_after_new_data_alerts_and_starts_the_retrain_its_policy_asks_for(client, receiver):
    from tendero.data.demo import generate_store

    tenant = make_tenant("drifting")
    demo_store = generate_store(seed=4, customers=100, days=240)
    cut = pd.Timestamp(demo_store.orders["ordered_at"].max()).normalize() - pd.Timedelta(days=42)
    load_demo(tenant.id, _until(demo_store, cut))
    params = {"level": "total", "freq": "W", "horizon": 6, "history_months": 12, "n_windows": 1}
    job = client.post("/v1/models/sales/train", json={"kind": "forecast", "params": params, "deploy": "always"},
                      headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, job["id"], 600)["status"] == "completed"
    channel = _channel(client, tenant, receiver, name="alerts", events=["drift", "retrain"])
    retrain_body = {"name": "retrain sales", "cron": "0 3 1 * *", "action": "retrain",
                    "params": {"model": "sales", "on_drift": "retrain"}}  # fmt: skip
    retrain = client.post("/v1/schedules", json=retrain_body, headers=tenant.headers()).json()
    load_demo(tenant.id, _after(demo_store, cut, factor=5))  # six weeks of five times the units
    _, check = _run(client, tenant, "drift watch", "drift_check", {}, [channel["id"]])
    assert check["status"] == "completed", check
    (alert,) = _delivered(client, tenant, "drift", receiver)
    assert alert["data"]["model"] == "sales" and alert["data"]["ratio"] > 1.5 and alert["data"]["action"] == "retrain"
    url = f"/v1/schedule-runs/{check['run_id']}/report"
    for lang, words in (
        ("es", ("Revisión de deriva", "| sales |", "| sí |")),
        ("en", ("Forecast drift check", "| yes |")),
    ):
        told = client.get(url, headers={**tenant.headers(), "accept-language": lang})
        assert told.status_code == 200 and all(w in told.text for w in words), told.text  # sentences, not a JSON dump
        assert "```json" not in told.text and '"workflow"' not in told.text
    runs = client.get(f"/v1/schedules/{retrain['id']}/runs", headers=tenant.headers()).json()["items"]
    assert [r["trigger"] for r in runs] == ["drift"]
    done = wait_for_job(client, tenant, runs[0]["job_id"], 600)
    assert done["status"] == "completed", done
    report = client.get(f"/v1/schedule-runs/{runs[0]['id']}/report?format=json", headers=tenant.headers()).json()
    gain = (report["champion"]["score"] - report["challenger"]["score"]) / report["champion"]["score"]
    assert report["decision"] == ("promote" if gain >= 0.02 else "keep"), report["reason"]
    (told,) = _delivered(client, tenant, "retrain", receiver)
    assert told["data"]["decision"] == report["decision"]
    print(f"drift ratio {alert['data']['ratio']:.2f}; MASE champion {report['champion']['score']:.3f}, challenger "
          f"{report['challenger']['score']:.3f}: {report['decision']}")  # fmt: skip
    if report["decision"] == "keep":  # the same version drifted: one alert and one retrain, not one per check
        _run(client, tenant, "drift watch again", "drift_check", {}, [])
        assert client.get(f"/v1/schedules/{retrain['id']}/runs", headers=tenant.headers()).json()["total"] == 1


def test_a_schedule_whose_params_no_longer_fit_fails_naming_the_field_in_either_language(client):
    """Params are checked when a schedule is made; one stored before a rule tightened (here: edited in the
    database) fails its run with the field named in the reader's language, never pydantic's own text."""
    from tendero.store.automation_tables import Schedule
    from tendero.store.db import session_scope

    tenant = make_tenant("params-drift")
    made = client.post("/v1/schedules", json={"name": "risk", "cron": "0 8 * * 1", "action": "churn_risk"},
                       headers=tenant.headers())  # fmt: skip
    assert made.status_code == 201, made.text
    with session_scope() as session:
        session.get(Schedule, made.json()["id"]).params = {"min_probability": 7}
    run = client.post(f"/v1/schedules/{made.json()['id']}/run", headers=tenant.headers()).json()
    job = wait_for_job(client, tenant, run["job_id"], 600)
    assert job["status"] == "failed", job
    said = {lang: client.get(f"/v1/jobs/{job['id']}", headers={**tenant.headers(), "accept-language": lang}).json()
            for lang in ("es", "en")}  # fmt: skip
    assert "ya no encajan (revisa min_probability)" in said["es"]["error"], said
    assert "no longer fit (check min_probability)" in said["en"]["error"], said
    assert not any("pydantic" in s["error"] or "validation error" in s["error"] for s in said.values()), said
