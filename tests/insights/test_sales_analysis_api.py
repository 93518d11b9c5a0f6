"""POST /v1/insights/sales on the demo store: every KPI equals plain pandas on the generated rows, the movers
add up to the change, the analysis is stored and reported (Markdown and HTML), runs as a job, stays inside
its tenant, and bad input gets a clear 4xx."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from support import load_demo, make_tenant, wait_for_job


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("analisis")
    load_demo(tenant.id, demo_store)
    return tenant


def _lines(store) -> pd.DataFrame:
    """The generated rows as one frame, straight from the generator (not through tendero's reader)."""
    lines = store.order_items.merge(store.orders, on="order_id")
    lines["revenue"] = lines["quantity"] * lines["unit_price"] - lines["discount"].fillna(0.0)
    lines["ordered_at"] = pd.to_datetime(lines["ordered_at"])
    return lines[~lines["status"].isin(["cancelled", "canceled", "void", "voided", "refunded"])]


def _last_full_month(lines: pd.DataFrame) -> str:
    last = lines["ordered_at"].max()
    month = last.to_period("M")
    if last.normalize() != (month.to_timestamp(how="end")).normalize():
        month -= 1
    return str(month)


def _expected_kpis(lines: pd.DataFrame, start: str, end: str) -> dict[str, float]:
    """The KPI definitions written again, independently, in plain pandas."""
    day = lines["ordered_at"].dt.normalize()
    part = lines[(day >= start) & (day <= end)]
    sold = part[part["quantity"] > 0]
    orders = sold["order_id"].nunique()
    known = lines[(lines["quantity"] > 0) & lines["customer_id"].notna()]
    first = known.assign(day=day).groupby("customer_id")["day"].min()
    buyers = set(sold["customer_id"].dropna())
    new = sum(1 for c in buyers if start <= str(first[c].date()) <= end)
    return {
        "revenue": part["revenue"].sum(),
        "gross_revenue": sold["revenue"].sum(),
        "units": part["quantity"].sum(),
        "orders": orders,
        "customers": len(buyers),
        "average_ticket": sold["revenue"].sum() / orders,
        "new_customers": new,
        "returning_customers": len(buyers) - new,
        "returns_value": -part.loc[part["quantity"] < 0, "revenue"].sum(),
        "return_lines": int((part["quantity"] < 0).sum()),
    }


def test_every_kpi_equals_pandas_on_the_demo_rows(client, shop, demo_store):
    lines = _lines(demo_store)
    month = _last_full_month(lines)
    answer = client.post("/v1/insights/sales", json={"period": month}, headers=shop.headers("analyst"))
    assert answer.status_code == 200, answer.text
    analysis = answer.json()
    period, before = analysis["period"], analysis["compare_to"]
    assert period["shape"] == "month" and not period["partial"]
    now = _expected_kpis(lines, period["start"], period["end"])
    then = _expected_kpis(lines, before["start"], before["end"])
    for name, value in now.items():
        kpi = analysis["kpis"][name]
        assert kpi["current"] == pytest.approx(value, rel=1e-9, abs=1e-6), name
        assert kpi["previous"] == pytest.approx(then[name], rel=1e-9, abs=1e-6), name
    assert analysis["kpis"]["revenue"]["unit"] == "EUR" and analysis["kpis"]["units"]["unit"] == "units"


def test_movers_are_an_exact_decomposition_of_the_change(client, shop, demo_store):
    lines = _lines(demo_store)
    month = _last_full_month(lines)
    analysis = client.post("/v1/insights/sales", json={"period": month, "top": 50},
                           headers=shop.headers()).json()  # fmt: skip
    day = lines["ordered_at"].dt.normalize()

    def by_product(p: dict) -> pd.Series:
        return lines[(day >= p["start"]) & (day <= p["end"])].groupby("product_id")["revenue"].sum()

    delta = by_product(analysis["period"]).sub(by_product(analysis["compare_to"]), fill_value=0.0)
    expected = delta.reindex(delta.abs().sort_values(ascending=False, kind="stable").index)
    got = analysis["movers"]["products"]
    assert [m["id"] for m in got[:10]] == list(expected.index[:10])
    assert [m["change"] for m in got[:10]] == pytest.approx(list(expected.iloc[:10]))
    assert delta.sum() == pytest.approx(analysis["kpis"]["revenue"]["change"])
    categories = analysis["movers"]["categories"]
    assert sum(c["change"] for c in categories) == pytest.approx(analysis["kpis"]["revenue"]["change"])


def test_the_analysis_is_stored_listed_and_reported_in_markdown_and_html(client, shop, demo_store):
    month = _last_full_month(_lines(demo_store))
    made = client.post("/v1/insights/sales", json={"period": month}, headers=shop.headers()).json()
    stored = client.get(f"/v1/insights/{made['id']}", headers=shop.headers())
    assert stored.status_code == 200 and stored.json()["kpis"] == made["kpis"]
    listing = client.get("/v1/insights", headers=shop.headers()).json()
    assert made["id"] in [item["id"] for item in listing["items"]] and listing["total"] >= 1
    markdown = client.get(f"/v1/insights/{made['id']}/report?format=md&lang=es", headers=shop.headers())
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    html = client.get(f"/v1/insights/{made['id']}/report?format=html&lang=es", headers=shop.headers())
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<script" not in html.text and "http" not in html.text.split("<body>")[1]  # self-contained
    for insight in made["insights"]:
        sentence = insight["text"]["es"]
        assert sentence.replace("|", "\\|") in markdown.text
        import html as html_lib

        assert html_lib.escape(sentence) in html.text
    english = client.get(f"/v1/insights/{made['id']}/report?format=md", headers={**shop.headers(),
                         "accept-language": "en"}).text  # fmt: skip
    assert made["insights"][0]["text"]["en"] in english


def test_every_insight_has_a_type_numbers_an_impact_and_both_languages(client, shop, demo_store):
    month = _last_full_month(_lines(demo_store))
    analysis = client.post("/v1/insights/sales", json={"period": month, "currency": "USD"},
                           headers=shop.headers()).json()  # fmt: skip
    impacts = [abs(i["impact"]["amount"]) for i in analysis["insights"] if i["type"] != "partial_period"]
    assert impacts == sorted(impacts, reverse=True)
    for insight in analysis["insights"]:
        assert insight["type"] and isinstance(insight["numbers"], dict) and insight["impact"]["currency"] == "USD"
        assert insight["text"]["es"] and insight["text"]["en"] and insight["text"]["es"] != insight["text"]["en"]
        assert math.isfinite(insight["impact"]["amount"])
        for recommendation in insight["recommendations"]:
            assert recommendation["es"] and recommendation["en"]


def test_a_partial_period_says_so_and_compares_the_same_days(client, shop, demo_store):
    lines = _lines(demo_store)
    last = lines["ordered_at"].max().date()
    month = f"{last:%Y-%m}"
    analysis = client.post("/v1/insights/sales", json={"period": month}, headers=shop.headers()).json()
    if last.day == pd.Timestamp(last).days_in_month:
        pytest.skip("the generated store ends on a month's last day")
    assert analysis["period"]["partial"] and analysis["insights"][0]["type"] == "partial_period"
    assert analysis["period"]["covered"]["end"] == last.isoformat()
    used = analysis["compare_to"]["used"]
    assert used["days"] == analysis["period"]["covered"]["days"]
    expected = _expected_kpis(lines, used["start"], used["end"])["revenue"]
    assert analysis["kpis"]["revenue"]["previous"] == pytest.approx(expected)


def test_async_runs_the_analysis_as_a_job_whose_result_is_the_stored_analysis(client, shop, demo_store):
    month = _last_full_month(_lines(demo_store))
    queued = client.post("/v1/insights/sales?async=true", json={"period": month}, headers=shop.headers())
    assert queued.status_code == 202, queued.text
    job = wait_for_job(client, shop, queued.json()["id"], timeout=120)
    assert job["status"] == "completed" and job["kind"] == "insights", job
    stored = client.get(job["result"]["url"], headers=shop.headers())
    assert stored.status_code == 200 and stored.json()["period"]["start"] == f"{month}-01"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": {"start": "2026-03-10", "end": "2026-03-01"}}, "body.period.end"),
        ({"period": "2026-13"}, "body.period"),
        ({"period": "last tuesday"}, "body.period"),
        ({"period": "2026-01", "compare_to": {"start": "2025-12-01"}}, "body.compare_to"),
        ({"period": "1999-01"}, "body.period"),
        ({"period": "0000"}, "body.period"),
        ({"period": "0001-02"}, "body.period"),
        ({"period": "2011-11", "compare_to": "0001-01-01..0001-01-31"}, "body.compare_to"),
    ],
    ids=[
        "end-before-start",
        "no-such-month",
        "unreadable",
        "half-a-period",
        "no-data",
        "year-0",
        "year-1",
        "compare-to-year-1",
    ],
)
def test_bad_periods_get_a_clear_422_naming_the_field(client, shop, body, field):
    answer = client.post("/v1/insights/sales", json=body, headers=shop.headers())
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("period", "english", "spanish"),
    [
        ("2026-13", "month 13 does not exist", "el mes 13 no existe"),
        ("last tuesday", "cannot read 'last tuesday'", "no se puede leer 'last tuesday'"),
        ("1999-01", "no sales in 1999-01-01..1999-01-31", "no hay ventas en 1999-01-01..1999-01-31"),
        ("0000", "year 0000 does not exist", "el año 0000 no existe"),
        ("0001-02", "too early in the calendar", "demasiado pronto en el calendario"),
    ],
)
def test_a_bad_period_is_refused_in_the_readers_language(client, shop, period, english, spanish):
    """The problem's detail and its field message are the refusal's catalogue text in es and en (Spanish when the
    caller names no language), never the English line on a Spanish answer."""
    said = {}
    for lang in ("en", "es", ""):
        answer = client.post("/v1/insights/sales", json={"period": period},
                             headers={**shop.headers(), "accept-language": lang})  # fmt: skip
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        said[lang] = problem["detail"] + " | " + " | ".join(e["message"] for e in problem["errors"])
    assert english in said["en"] and spanish not in said["en"], said
    assert spanish in said["es"] and english not in said["es"] and said[""] == said["es"], said


def test_async_with_a_bad_period_fails_at_once_not_in_the_job(client, shop):
    answer = client.post("/v1/insights/sales?async=true", json={"period": {"start": "2026-02-02", "end": "2026-02-01"}},
                         headers=shop.headers())  # fmt: skip
    assert answer.status_code == 422


def test_other_tenants_get_404_and_never_see_the_analysis(client, shop, demo_store):
    month = _last_full_month(_lines(demo_store))
    made = client.post("/v1/insights/sales", json={"period": month}, headers=shop.headers()).json()
    other = make_tenant("ajena")
    for path in (f"/v1/insights/{made['id']}", f"/v1/insights/{made['id']}/report?format=md",
                 f"/v1/insights/{made['id']}/report?format=html"):  # fmt: skip
        answer = client.get(path, headers=other.headers())
        assert answer.status_code == 404 and "kpis" not in answer.text and "Sales" not in answer.text
    assert client.get("/v1/insights", headers=other.headers()).json()["total"] == 0
    empty = client.post("/v1/insights/sales", json={"period": month}, headers=other.headers())
    assert empty.status_code == 404 and "no tiene líneas de pedido" in empty.json()["detail"]  # es unless asked
    english = client.post("/v1/insights/sales", json={"period": month},
                          headers={**other.headers(), "accept-language": "en"})  # fmt: skip
    assert english.status_code == 404 and "no order lines" in english.json()["detail"]


def test_the_service_role_cannot_run_analyses(client, shop):
    answer = client.post(
        "/v1/insights/sales", json={"period": f"{date.today():%Y-%m}"}, headers=shop.headers("service")
    )
    assert answer.status_code == 403
