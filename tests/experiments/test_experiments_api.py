"""Experiments over HTTP on the real app and database: definitions, sticky assignment, idempotent events with
clear rejections, results equal to SciPy on the same units, verdicts in Spanish and English, tenant isolation."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import stats

from support import TenantKeys

BASE = {
    "unit": "customer",
    "variants": [{"key": "A", "weight": 0.5}, {"key": "B", "weight": 0.5}],
    "metrics": [
        {"name": "conversion", "kind": "proportion", "event": "purchase", "label_es": "la conversión",
         "label_en": "conversion"},
        {"name": "revenue", "kind": "mean", "event": "revenue", "role": "guardrail", "unit": "EUR"},
        {"name": "revenue_per_order", "kind": "ratio", "numerator": "revenue", "denominator": "purchase",
         "role": "secondary"},
    ],
}  # fmt: skip


def _create(client, tenant: TenantKeys, name: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    answer = client.post("/v1/experiments", json={**BASE, "name": name, **extra}, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    return answer.json()


def _post(client, tenant, experiment_id, events, role="service"):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/experiments/{experiment_id}/events", json={"events": events},
                       headers=tenant.headers(role))  # fmt: skip


def test_create_list_and_get(client, tenant):
    made = _create(client, tenant, "checkout-button")
    assert made["status"] == "running" and [v["key"] for v in made["variants"]] == ["A", "B"]
    listed = client.get("/v1/experiments", headers=tenant.headers("analyst")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == made["id"]
    assert set(listed) == {"items", "total", "limit", "offset"}
    by_name = client.get("/v1/experiments/checkout-button", headers=tenant.headers()).json()
    assert by_name["id"] == made["id"]
    again = client.post("/v1/experiments", json={**BASE, "name": "checkout-button"}, headers=tenant.headers())
    assert again.status_code == 409


def test_bad_definitions_name_the_field(client, tenant):
    one_variant = client.post("/v1/experiments", json={**BASE, "name": "x", "variants": [{"key": "A", "weight": 1}]},
                              headers=tenant.headers())  # fmt: skip
    assert one_variant.status_code == 422
    assert one_variant.headers["content-type"].startswith("application/problem+json")
    no_primary = client.post("/v1/experiments", json={**BASE, "name": "y", "metrics": [
        {"name": "revenue", "role": "guardrail"}]}, headers=tenant.headers())  # fmt: skip
    assert no_primary.status_code == 422 and "primary" in no_primary.text
    ratio = client.post("/v1/experiments", json={**BASE, "name": "z", "metrics": [
        {"name": "rpo", "kind": "ratio", "numerator": "revenue"}]}, headers=tenant.headers())  # fmt: skip
    assert ratio.status_code == 422 and "denominator" in ratio.text
    service_key = client.post("/v1/experiments", json={**BASE, "name": "w"}, headers=tenant.headers("service"))
    assert service_key.status_code == 403


def test_assignment_is_sticky_and_weight_changes_never_reassign(client, tenant):
    made = _create(client, tenant, "sticky")
    url = f"/v1/experiments/{made['id']}/assignment"
    first = {u: client.get(url, params={"unit": u}, headers=tenant.headers("service")).json()["variant"]
             for u in (f"C{i}" for i in range(60))}  # fmt: skip
    assert set(first.values()) == {"A", "B"}
    again = client.get(url, params={"unit": "C7"}, headers=tenant.headers("service")).json()
    assert again["variant"] == first["C7"] and again["new"] is False
    moved = client.post(f"/v1/experiments/{made['id']}/weights", json={"weights": {"A": 1.0, "B": 0.0}},
                        headers=tenant.headers())  # fmt: skip
    assert moved.status_code == 200, moved.text
    for unit, variant in first.items():
        assert client.get(url, params={"unit": unit}, headers=tenant.headers("service")).json()["variant"] == variant
    newcomers = {client.get(url, params={"unit": f"N{i}"}, headers=tenant.headers("service")).json()["variant"]
                 for i in range(30)}  # fmt: skip
    assert newcomers == {"A"}
    missing = client.get(url, headers=tenant.headers("service"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "query.unit"
    unknown = client.post(f"/v1/experiments/{made['id']}/weights", json={"weights": {"C": 1.0}},
                          headers=tenant.headers())  # fmt: skip
    assert unknown.status_code == 404 and "'C'" in unknown.text


def test_events_are_idempotent_and_every_mistake_is_reported_while_the_rest_is_kept(client, tenant):
    made = _create(client, tenant, "events")
    before_start = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    batch = [
        {"event_id": "e1", "unit": "u1", "type": "exposure", "variant": "A"},
        {"event_id": "e2", "unit": "u2", "type": "exposure", "variant": "B"},
        {"event_id": "e3", "unit": "u1", "event": "purchase"},
        {"event_id": "e4", "unit": "u1", "event": "revenue", "value": 25.5},
        {"event_id": "e5", "unit": "u2", "type": "exposure", "variant": "Z"},       # unknown variant
        {"event_id": "e6", "unit": "u2", "event": "refund"},                        # unknown metric event
        {"event_id": "e7", "unit": "u2", "event": "revenue", "value": -3.0},        # negative revenue
        {"event_id": "e8", "unit": "u2", "event": "purchase", "at": before_start},  # before the start
        {"event_id": "e9", "unit": "nobody", "event": "purchase"},                  # unit never exposed
        {"event_id": "e3", "unit": "u1", "event": "purchase"},                      # duplicate in the batch
        {"unit": "u2", "event": "purchase"},                                        # no event id
        {"event_id": "e10", "unit": "u2", "event": "purchase", "variant": "A"},     # u2 is in B
    ]  # fmt: skip
    answer = _post(client, tenant, made["id"], batch)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["accepted"] == 4 and report["duplicates"] == 1 and report["new_units"] == 2
    reasons = {r["index"]: (r["field"], r["message"]) for r in report["rejected"]}
    assert set(reasons) == {4, 5, 6, 7, 8, 10, 11}
    assert reasons[4][0] == "variant" and "unknown variant 'Z'" in reasons[4][1]
    assert reasons[5][0] == "event" and "refund" in reasons[5][1]
    assert reasons[6][0] == "value" and "negative" in reasons[6][1]
    assert reasons[7][0] == "at" and "before the experiment started" in reasons[7][1]
    assert reasons[8][0] == "unit" and "no variant" in reasons[8][1]
    assert reasons[10][0] == "event_id"
    assert reasons[11][0] == "variant" and "is in variant 'B'" in reasons[11][1]
    repeated = _post(client, tenant, made["id"], batch[:4]).json()
    assert repeated["accepted"] == 0 and repeated["duplicates"] == 4
    counts = client.get(f"/v1/experiments/{made['id']}", headers=tenant.headers()).json()["events"]
    assert counts == {"exposure": 2, "outcome": 2}
    all_bad = _post(client, tenant, made["id"], [batch[5]])
    assert all_bad.status_code == 422 and all_bad.json()["errors"][0]["field"] == "event"
    unknown = _post(client, tenant, "no-such-experiment", batch[:1])
    assert unknown.status_code == 404


def _simulate(client, tenant, experiment_id, n=1200, lift=0.25, seed=1):  # type: ignore[no-untyped-def]
    """Exposures then outcomes for n units (B converts and spends more); returns per-unit truth."""
    rng = np.random.default_rng(seed)
    truth = {}
    events = []
    for i in range(n):
        unit = f"c{i}"
        variant = "A" if rng.random() < 0.5 else "B"
        events.append({"event_id": f"x{i}", "unit": unit, "type": "exposure", "variant": variant})
        converted = rng.random() < (0.20 * (1 + lift) if variant == "B" else 0.20)
        spend = float(np.round(rng.gamma(2.0, 20.0), 2)) if converted else 0.0
        if converted:
            events.append({"event_id": f"p{i}", "unit": unit, "event": "purchase"})
            events.append({"event_id": f"r{i}", "unit": unit, "event": "revenue", "value": spend})
        truth[unit] = (variant, float(converted), spend)
    assert _post(client, tenant, experiment_id, events).json()["accepted"] == len(events)
    return truth


def test_results_equal_scipy_on_the_same_units_and_the_verdict_speaks_both_languages(client, tenant):
    made = _create(client, tenant, "results", sequential=False)
    truth = _simulate(client, tenant, made["id"], n=4000, lift=0.3)
    es = client.get(f"/v1/experiments/{made['id']}/results", headers={**tenant.headers(), "accept-language": "es"})
    assert es.status_code == 200, es.text
    body = es.json()
    revenue = next(m for m in body["metrics"] if m["metric"] == "revenue")
    spend = {v: np.array([s for var, _, s in truth.values() if var == v]) for v in ("A", "B")}
    reference = stats.ttest_ind(spend["B"], spend["A"], equal_var=False)
    comparison = revenue["comparisons"][0]
    assert math.isclose(comparison["absolute"]["p_value"], reference.pvalue, rel_tol=1e-9)
    assert math.isclose(comparison["absolute"]["lower"], reference.confidence_interval().low, rel_tol=1e-9)
    assert body["srm"]["mismatch"] is False
    conversion = body["metrics"][0]["comparisons"][0]
    assert conversion["decision"] == "better"
    assert body["verdict"]["status"] == "winner" and body["verdict"]["winner"] == "B"
    assert body["verdict"]["text"].startswith("B sube la conversión un ")
    assert "IC 95 %:" in body["verdict"]["text"]
    en = client.get(f"/v1/experiments/{made['id']}/results", headers={**tenant.headers(), "accept-language": "en"})
    assert en.json()["verdict"]["text"].startswith("B raises conversion by ")
    ratio = next(m for m in body["metrics"] if m["metric"] == "revenue_per_order")
    assert ratio["comparisons"][0]["decision"] in ("inconclusive", "better", "worse")


def test_no_difference_says_there_is_no_evidence_yet(client, tenant):
    made = _create(client, tenant, "aa-test")
    _simulate(client, tenant, made["id"], n=600, lift=0.0, seed=4)
    body = client.get(f"/v1/experiments/{made['id']}/results", headers={**tenant.headers(), "accept-language": "es"})
    verdict = body.json()["verdict"]
    assert verdict["status"] == "inconclusive" and verdict["winner"] is None
    assert verdict["text"].startswith("Aún no hay evidencia de que B cambie la conversión")


def test_a_split_that_does_not_match_the_weights_is_flagged(client, tenant):
    made = _create(client, tenant, "srm")
    events = [{"event_id": f"s{i}", "unit": f"u{i}", "type": "exposure", "variant": "A" if i % 10 < 6 else "B"}
              for i in range(2000)]  # fmt: skip
    assert _post(client, tenant, made["id"], events).json()["accepted"] == 2000
    body = client.get(f"/v1/experiments/{made['id']}/results", headers={**tenant.headers(), "accept-language": "en"})
    result = body.json()
    assert result["srm"]["mismatch"] is True and result["srm"]["counts"] == {"A": 1200, "B": 800}
    assert result["verdict"]["status"] == "srm" and "does not match the weights" in result["verdict"]["text"]


def test_cuped_uses_the_covariate_and_the_timeline_has_a_point_per_day(client, tenant):
    start = (datetime.now(UTC) - timedelta(days=5)).replace(microsecond=0)
    made = _create(client, tenant, "cuped", covariate="pre_revenue", start=start.isoformat())
    rng = np.random.default_rng(3)
    events = []
    for i in range(800):
        day = start + timedelta(days=int(i % 5), hours=1)
        pre = float(rng.gamma(2.0, 30.0))
        events += [
            {"event_id": f"x{i}", "unit": f"c{i}", "type": "exposure", "variant": "AB"[i % 2], "at": day.isoformat()},
            {"event_id": f"k{i}", "unit": f"c{i}", "type": "covariate", "event": "pre_revenue", "value": pre,
             "at": day.isoformat()},
            {"event_id": f"r{i}", "unit": f"c{i}", "event": "revenue",
             "value": round(0.8 * pre + rng.gamma(1.0, 10), 2), "at": day.isoformat()},
        ]  # fmt: skip
    assert _post(client, tenant, made["id"], events).json()["accepted"] == len(events)
    result = client.get(f"/v1/experiments/{made['id']}/results", headers=tenant.headers()).json()
    revenue = next(m for m in result["metrics"] if m["metric"] == "revenue")
    assert revenue["cuped"] is True
    assert revenue["comparisons"][0]["variance_reduction"] > 0.3
    timeline = client.get(f"/v1/experiments/{made['id']}/timeline", params={"metric": "revenue"},
                          headers=tenant.headers()).json()  # fmt: skip
    # the days the events fell on (an hour after ``start`` crosses midnight when the test runs after 23:00 UTC)
    assert [p["day"] for p in timeline["points"]] == sorted({(start + timedelta(days=d, hours=1)).date().isoformat()
                                                             for d in range(5)})  # fmt: skip
    assert all(p["sequential_lower"] <= p["lower"] for p in timeline["points"] if "lower" in p)
    bad_metric = client.get(f"/v1/experiments/{made['id']}/timeline", params={"metric": "nope"},
                            headers=tenant.headers())  # fmt: skip
    assert bad_metric.status_code == 404


def test_stopped_experiments_keep_their_result_and_take_no_new_units(client, tenant):
    made = _create(client, tenant, "to-stop")
    _simulate(client, tenant, made["id"], n=300, seed=9)
    stopped = client.post(f"/v1/experiments/{made['id']}/stop", headers=tenant.headers())
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    assert client.get(f"/v1/experiments/{made['id']}/assignment", params={"unit": "new"},
                      headers=tenant.headers()).status_code == 409  # fmt: skip
    late = _post(client, tenant, made["id"], [{"event_id": "late", "unit": "c1", "event": "purchase"}])
    assert late.status_code == 422
    assert client.post(f"/v1/experiments/{made['id']}/stop", headers=tenant.headers()).status_code == 409


ROUTES = [
    ("GET", "/v1/experiments/{id}", None),
    ("GET", "/v1/experiments/{id}/assignment?unit=u1", None),
    ("POST", "/v1/experiments/{id}/events", {"events": [{"event_id": "zz", "unit": "u1", "event": "purchase"}]}),
    ("GET", "/v1/experiments/{id}/results", None),
    ("GET", "/v1/experiments/{id}/timeline", None),
    ("POST", "/v1/experiments/{id}/weights", {"weights": {"A": 1.0}}),
    ("POST", "/v1/experiments/{id}/stop", None),
    ("POST", "/v1/experiments/{id}/promote", {}),
]


@pytest.mark.parametrize("by", ["id", "name"])
def test_another_tenant_gets_404_on_every_route_and_changes_nothing(client, tenant, other_tenant, by):
    made = _create(client, tenant, f"private-{by}")
    _simulate(client, tenant, made["id"], n=50, seed=2)
    before = client.get(f"/v1/experiments/{made['id']}/results", headers=tenant.headers()).json()
    for method, template, body in ROUTES:
        path = template.replace("{id}", made[by])
        answer = client.request(method, path, json=body, headers=other_tenant.headers())
        assert answer.status_code == 404, f"{method} {template}: {answer.status_code} {answer.text[:200]}"
        hidden = made["name"] if by == "id" else made["id"]  # what the intruder did not send must not come back
        assert hidden not in answer.text
    listed = client.get("/v1/experiments", headers=other_tenant.headers()).json()
    assert listed["total"] == 0
    after = client.get(f"/v1/experiments/{made['id']}/results", headers=tenant.headers()).json()
    assert after["units"] == before["units"] and after["status"] == "running"
