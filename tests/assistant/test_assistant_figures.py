"""Every number the assistant says about sales equals pandas on the tenant's own rows, and is in the answer's data;
another tenant's rows never count."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.figures import (
    assert_every_number_is_in_data,
    between,
    demo_lines,
    figures,
    golden_questions,
    retail_lines,
    top,
)
from support import load_demo, make_tenant, shared_data
from tendero.services import assistant

TODAY = date(2026, 11, 18)


@pytest.fixture(scope="module")
def shop():
    from tendero.data.demo import generate_store

    store = generate_store(seed=5, customers=300, days=420, end=date(2026, 11, 17))
    tenant = make_tenant("cifras")
    load_demo(tenant.id, store)
    # a second shop with other sales: its rows must never show up in the first one's answers
    other = make_tenant("vecina")
    load_demo(other.id, generate_store(seed=99, customers=80, days=120, end=date(2026, 11, 17)))
    return tenant, demo_lines(store)


def ask(tenant, question: str, today: date = TODAY) -> dict:
    answer = assistant.ask(tenant.id, question, today=today, store=False)
    assert_every_number_is_in_data(answer)
    return answer


def test_totals_counts_and_tickets_equal_pandas(shop):
    tenant, lines = shop
    october = figures(between(lines, "2026-10-01", "2026-10-31"))
    answer = ask(tenant, "¿Cuánto vendimos el mes pasado?")
    assert answer["intent"] == "sales_total" and answer["data"]["revenue"] == pytest.approx(
        october["revenue"], abs=0.005
    )
    assert answer["data"]["orders"] == october["orders"] and answer["data"]["currency"] == "EUR"
    bebidas = figures(between(lines[lines["category"] == "Bebidas"], "2026-11-09", "2026-11-15"))
    assert ask(tenant, "units of Bebidas sold last week")["data"]["units"] == bebidas["units"]
    last30 = figures(between(lines, "2026-10-19", "2026-11-17"))
    assert ask(tenant, "how many customers bought in the last 30 days?")["data"]["value"] == last30["customers"]
    ticket = ask(tenant, "ticket medio del mes pasado")
    assert ticket["data"]["value"] == pytest.approx(october["average_ticket"], abs=0.005)


def test_comparisons_equal_pandas_for_both_periods(shop):
    tenant, lines = shop
    answer = ask(tenant, "ventas de este mes vs el mes pasado")
    now, before = (
        figures(between(lines, "2026-11-01", "2026-11-18")),
        figures(between(lines, "2026-10-01", "2026-10-18")),
    )
    assert answer["data"]["value"] == pytest.approx(now["revenue"], abs=0.005)
    assert answer["data"]["compare_value"] == pytest.approx(before["revenue"], abs=0.005)
    assert answer["data"]["change_pct"] == pytest.approx(
        round((now["revenue"] - before["revenue"]) / before["revenue"] * 100, 1)
    )


def test_rankings_equal_a_pandas_groupby(shop):
    tenant, lines = shop
    answer = ask(tenant, "top 5 productos del mes pasado")
    expected = top(between(lines, "2026-10-01", "2026-10-31"), "product_id", 5)
    assert [(i["product_id"], i["value"]) for i in answer["data"]["items"]] == expected
    answer = ask(tenant, "sales by category this year")
    expected = top(between(lines, "2026-01-01", "2026-11-18"), "category", 20)
    assert [(i["category"], i["value"]) for i in answer["data"]["items"]] == expected
    answer = ask(tenant, "top 10 customers in Q3")
    expected = top(between(lines, "2026-07-01", "2026-09-30"), "customer_id", 10)
    assert [(i["customer_id"], i["value"]) for i in answer["data"]["items"]] == expected


def test_trend_points_equal_pandas_per_week(shop):
    tenant, lines = shop
    answer = ask(tenant, "evolución de las ventas de los últimos 3 meses")
    assert answer["data"]["grain"] == "week"
    chosen = between(lines, "2026-08-01", "2026-10-31")
    weeks = chosen.groupby(chosen["day"] - chosen["day"].dt.weekday * __import__("pandas").Timedelta(days=1))[
        "revenue"
    ].sum()
    got = {p["start"]: p["value"] for p in answer["data"]["series"]}
    for week, value in weeks.items():
        assert got[week.date().isoformat()] == pytest.approx(round(value, 2), abs=0.005)


def test_another_tenants_rows_never_count(shop):
    tenant, lines = shop
    everything = figures(between(lines, "2020-01-01", "2026-11-18"))
    answer = ask(tenant, "sales between 2020-01-01 and 2026-11-18")
    assert answer["data"]["revenue"] == pytest.approx(everything["revenue"], abs=0.005)
    assert answer["data"]["orders"] == everything["orders"]
    empty = make_tenant("vacia")
    nothing = assistant.ask(empty.id, "sales between 2020-01-01 and 2026-11-18", today=TODAY, store=False)
    assert nothing["status"] == "unavailable" and "revenue" not in nothing["data"]


@pytest.mark.slow
def test_online_retail_ii_figures_equal_pandas_on_the_file():
    from tendero.data.imports import import_file
    from tendero.services.items import excluded_items

    path = shared_data("customers/online_retail_II_subset.csv")
    tenant = make_tenant("retail")
    import_file(tenant.id, "order_lines", path, returns="keep")
    lines = retail_lines(path)
    today = date(2011, 12, 10)
    november = figures(between(lines, "2011-11-01", "2011-11-30"))
    answer = ask(tenant, "How much did we sell in november 2011?", today)
    assert answer["data"]["revenue"] == pytest.approx(november["revenue"], abs=0.01)
    assert answer["data"]["orders"] == november["orders"]
    answer = ask(tenant, "unidades vendidas en noviembre de 2011 frente a octubre de 2011", today)
    october = figures(between(lines, "2011-10-01", "2011-10-31"))
    assert (answer["data"]["value"], answer["data"]["compare_value"]) == (november["units"], october["units"])
    answer = ask(tenant, "top 10 products in november 2011", today)
    left_out = excluded_items(tenant.id)  # postage, fees...: the tenant's non-product rule, on by default
    assert "POST" in left_out
    goods = lines[~lines["product_id"].isin(left_out)]
    expected = top(between(goods, "2011-11-01", "2011-11-30"), "product_id", 10)
    assert [(i["product_id"], pytest.approx(i["value"], abs=0.01)) for i in answer["data"]["items"]] == expected
    answer = ask(tenant, "top 5 customers in 2011", today)
    expected = top(between(lines, "2011-01-01", "2011-12-10"), "customer_id", 5)
    assert [(i["customer_id"], pytest.approx(i["value"], abs=0.01)) for i in answer["data"]["items"]] == expected
    answer = ask(tenant, "ticket medio de octubre de 2011", today)
    assert answer["data"]["value"] == pytest.approx(october["average_ticket"], abs=0.005)


def _movers(lines, period: tuple[str, str], before: tuple[str, str], n: int,
            leave_out: frozenset[str] = frozenset()) -> list[tuple[str, float]]:  # fmt: skip
    """The top movers by pandas; ``leave_out``: the tenant's non-products (postage...), not in product lists."""
    now = between(lines, *period).groupby("product_id")["revenue"].sum()
    earlier = between(lines, *before).groupby("product_id")["revenue"].sum()
    change = now.sub(earlier, fill_value=0.0)
    expected = change.drop(list(leave_out), errors="ignore").abs().sort_values(ascending=False).head(n)
    return [(str(i), round(float(change[i]), 2)) for i in expected.index]


def test_the_analysis_is_the_insights_services_and_equals_pandas(shop):
    tenant, lines = shop
    october, september = (figures(between(lines, "2026-10-01", "2026-10-31")),
                          figures(between(lines, "2026-09-01", "2026-09-30")))  # fmt: skip
    for question, lang in (("análisis de ventas de octubre", "es"), ("sales analysis for october", "en")):
        answer = ask(tenant, question)
        assert (answer["intent"], answer["language"], answer["status"]) == ("insights", lang, "answered")
        assert answer["slots"]["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
        kpis = answer["data"]["kpis"]
        assert kpis["revenue"]["current"] == pytest.approx(october["revenue"], abs=0.005)
        assert kpis["revenue"]["previous"] == pytest.approx(september["revenue"], abs=0.005)
        assert (kpis["orders"]["current"], kpis["customers"]["current"]) == (october["orders"], october["customers"])
        movers = [(m["id"], round(m["change"], 2)) for m in answer["data"]["movers"]["products"]]
        assert movers == _movers(lines, ("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30"), len(movers))
        assert answer["sources"][0]["service"] == "insights" and "analyze_sales" in answer["sources"][0]["query"]
        assert answer["data"]["insights"][0]["type"] == "revenue_change"  # the sales headline comes first
        assert answer["data"]["insights"][0]["text"][lang] in answer["answer"]


def test_suggestions_are_the_insights_services_and_bundles_count_real_orders(shop):
    from tendero.services import insights as insights_service

    tenant, lines = shop
    answer = ask(tenant, "suggest some bundles")
    assert (answer["intent"], answer["data"]["type"]) == ("product_suggestions", "bundles")
    direct = insights_service.suggest_products(
        tenant.id, insights_service.SuggestionsRequest(type="bundles", as_of="2026-11-17", limit=3)
    )
    bundles = answer["data"]["suggestions"]["bundles"]
    assert [b["items"] for b in bundles] == [b["items"] for b in direct["bundles"]["items"]] and bundles
    window = between(lines[lines["quantity"] > 0], "2025-11-18", "2026-11-17")
    for bundle in bundles:  # orders holding every product of the bundle, counted by pandas
        held = window[window["product_id"].isin(bundle["items"])].groupby("order_id")["product_id"].nunique()
        assert bundle["orders"] == int((held == len(bundle["items"])).sum())
    together = ask(tenant, "¿qué productos se compran juntos?")  # no product named: the shop's bundles
    assert together["intent"] == "bought_together" and together["data"]["suggestions"]["bundles"]
    falling = ask(tenant, "¿qué productos están cayendo?")
    trends = falling["data"]["suggestions"].get("trends", [])
    assert falling["data"]["type"] == "trends" and all(t["direction"] == "falling" for t in trends)


@pytest.mark.slow
def test_online_retail_ii_analysis_lists_the_top_movers_of_a_pandas_groupby():
    from tendero.data.imports import import_file
    from tendero.services.items import excluded_items

    path = shared_data("customers/online_retail_II_subset.csv")
    tenant = make_tenant("retail-analisis")
    import_file(tenant.id, "order_lines", path, returns="keep")
    lines = retail_lines(path)
    today = date(2011, 12, 10)
    for question in ("análisis de noviembre de 2011 frente a octubre de 2011",
                     "sales analysis of november 2011 vs october 2011"):  # fmt: skip
        answer = ask(tenant, question, today)
        assert answer["intent"] == "insights", answer
        assert answer["data"]["compare_to"]["start"] == "2011-10-01"
        movers = [(m["id"], round(m["change"], 2)) for m in answer["data"]["movers"]["products"]]
        expected = _movers(lines, ("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31"), len(movers),
                           excluded_items(tenant.id))  # fmt: skip
        assert [m[0] for m in movers] == [e[0] for e in expected] and len(movers) == 5
        assert [m[1] for m in movers] == pytest.approx([e[1] for e in expected], abs=0.01)
        november = figures(between(lines, "2011-11-01", "2011-11-30"))
        assert answer["data"]["kpis"]["revenue"]["current"] == pytest.approx(november["revenue"], abs=0.01)
    for row in golden_questions(2):  # every intent on the real file: no error, every number traced to its data
        assert_every_number_is_in_data(assistant.ask(tenant.id, row["query"], today=today, store=False))


def test_suggestions_for_a_category_are_only_that_categorys(shop):
    from tendero.services import insights as insights_service

    tenant, lines = shop
    category_of = lines.drop_duplicates("product_id").set_index("product_id")["category"]
    answer = ask(tenant, "slow movers in Congelados")
    direct = insights_service.suggest_products(
        tenant.id, insights_service.SuggestionsRequest(type="slow_movers", as_of="2026-11-17", limit=100)
    )
    expected = [i["id"] for i in direct["slow_movers"]["items"] if category_of.get(i["id"]) == "Congelados"][:3]
    got = [i["id"] for i in answer["data"]["suggestions"].get("slow_movers", [])]
    assert got == expected and all(category_of[p] == "Congelados" for p in got)
    if not got:
        assert answer["status"] == "not_found" and "Congelados" in answer["answer"]
