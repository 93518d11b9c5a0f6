"""The customers kind fits on order lines, saves native files, reloads, and answers the API's questions."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tendero.customers.kind import CustomersKind, CustomersParams
from tendero.customers.model import CustomerModel
from tendero.kinds import Cancelled, Fitted, Frames, RecordingProgress


@pytest.fixture(scope="module")
def fitted(shoppers) -> CustomerModel:
    kind = CustomersKind()
    params = CustomersParams(churn_window_days=60, clusters=3, n_estimators=80)
    return kind.fit(Frames.of(order_lines=shoppers), params, RecordingProgress())


def test_fit_reports_progress_and_held_out_metrics_and_records_its_choices(shoppers):
    progress = RecordingProgress()
    model = CustomersKind().fit(
        Frames.of(order_lines=shoppers), CustomersParams(churn_window_days=60, n_estimators=50), progress
    )
    assert isinstance(model, Fitted)
    assert progress.events[-1].step == progress.events[-1].total
    assert {"backtest_auc_supervised", "backtest_auc_probabilistic", "churn_auc"} <= set(model.metrics)
    assert model.metrics["churn_auc"] > 0.6
    assert model.choices["churn_model"]["chosen"] == model.churn_source
    assert model.choices["btyd_model"]["chosen"] == model.count_model_name
    assert model.metrics["customers"] == shoppers["customer_id"].nunique()


def test_cancelling_stops_the_fit(shoppers):
    with pytest.raises(Cancelled):
        CustomersKind().fit(Frames.of(order_lines=shoppers), CustomersParams(), RecordingProgress(cancel_after=2))


def test_params_reject_unknown_fields_and_bad_values():
    with pytest.raises(ValueError):
        CustomersParams(churn_days=30)
    with pytest.raises(ValueError):
        CustomersParams(btyd_models=["lifetimes"])


def test_insights_give_scores_probabilities_and_reasons_in_spanish(fitted):
    customer = fitted.scores["clv"].idxmax()
    info = fitted.insights(customer, language="es")
    assert info["segment_name"]
    assert 0 <= info["churn_probability"] <= 1 and 0 <= info["p_alive"] <= 1
    assert info["expected_purchases_90d"] >= info["expected_purchases_30d"] >= 0
    assert info["clv"] > 0
    assert 1 <= len(info["top_reasons"]) <= 3 or fitted.churn is None
    for reason in info["top_reasons"]:
        assert reason["text"] and reason["feature"]
    churn = fitted.churn_prediction(customer, language="es")
    assert churn["risk_level"] in {"bajo", "medio", "alto"}
    with pytest.raises(KeyError):
        fitted.insights("nobody")


def test_at_risk_is_sorted_by_value_at_risk_and_honours_min_value_and_limit(fitted):
    rows = fitted.at_risk(limit=10)
    values = [r["value_at_risk"] for r in rows]
    assert len(rows) == 10 and values == sorted(values, reverse=True)
    threshold = values[4]
    assert all(r["value_at_risk"] >= threshold for r in fitted.at_risk(min_value=threshold, limit=100))
    assert all("top_reasons" in r for r in rows)


def test_likely_buyers_in_a_week_are_recent_frequent_customers(fitted):
    rows = fitted.likely_buyers(days=7, limit=20)
    probabilities = [r["p_purchase"] for r in rows]
    assert probabilities == sorted(probabilities, reverse=True)
    top = {r["customer_id"] for r in rows}
    lost = set(fitted.scores.index[fitted.scores["segment"] == "lost"])
    assert not top & lost


def test_segments_summary_and_members_page(fitted):
    summary = fitted.segments_summary(language="es")
    assert len(summary) == 10 and sum(s["customers"] for s in summary) == len(fitted.scores)
    page, total = fitted.segment_members("champions", limit=5, offset=0)
    assert total == (fitted.scores["segment"] == "champions").sum()
    assert len(page) == min(5, total)
    with pytest.raises(KeyError):
        fitted.segment_members("vip")


def test_save_writes_native_files_and_load_answers_the_same(fitted, tmp_path):
    fitted.save(tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"params.json", "scores.parquet", "segments.parquet"} <= names
    assert not any(n.endswith((".pkl", ".pickle", ".joblib")) for n in names)
    json.loads((tmp_path / "params.json").read_text())
    loaded = CustomerModel.load(tmp_path)
    customer = fitted.scores.index[0]
    assert loaded.insights(customer) == fitted.insights(customer)
    assert loaded.at_risk(limit=5) == fitted.at_risk(limit=5)
    assert loaded.probe()["customer_id"] == fitted.probe()["customer_id"]
    assert loaded.purchase_factor == fitted.purchase_factor
    assert loaded.likely_buyers(days=7, limit=5) == fitted.likely_buyers(days=7, limit=5)


def test_a_model_saved_before_the_purchase_factor_loads_without_correction(fitted, tmp_path):
    fitted.save(tmp_path)
    params = json.loads((tmp_path / "params.json").read_text())
    del params["purchase_factor"]
    (tmp_path / "params.json").write_text(json.dumps(params))
    loaded = CustomerModel.load(tmp_path)
    assert loaded.purchase_factor == 1.0
    assert loaded.count_model.factor == 1.0


def test_a_tiny_shop_still_gets_segments_with_the_probabilistic_churn_score():
    rows = []
    for c in range(12):
        for k in range(1 + c % 3):
            rows.append((f"o{c}{k}", f"c{c}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=20 * k + c), 10.0 + c))
    lines = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "revenue"])
    model = CustomersKind().fit(Frames.of(order_lines=lines), CustomersParams(), RecordingProgress())
    assert model.churn_source == "probabilistic"
    assert len(model.segments_summary()) == 10
    assert model.insights("c11")["top_reasons"]


def test_clusters_summary_describes_every_cluster_with_its_members_and_survives_a_reload(fitted, tmp_path):
    summary = fitted.clusters_summary("es")
    assert [row["cluster"] for row in summary] == [0, 1, 2]
    assert sum(row["customers"] for row in summary) == len(fitted.scores)
    assert sum(row["share"] for row in summary) == pytest.approx(1.0)
    assert sum(row["revenue_share"] for row in summary) == pytest.approx(1.0)
    for row in summary:
        members = fitted.scores[fitted.scores["cluster"] == row["cluster"]]
        assert row["customers"] == len(members) > 0
        assert row["median_frequency"] == pytest.approx(members["frequency"].median())
        assert row["description"].startswith("Clientes que") and row["main_segment_name"]
        assert 0 <= row["mean_churn_probability"] <= 1
    # cluster 0 is the most valuable: it spends more per customer than the last one
    assert summary[0]["median_monetary"] > summary[-1]["median_monetary"]
    assert fitted.clusters_summary("en")[0]["description"].startswith("Customers who")
    fitted.save(tmp_path)
    assert CustomerModel.load(tmp_path).clusters_summary("es") == summary
