"""``tendero forecast --measure``: units sold or revenue, as the API's ``measure``; the answer says which."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from support import load_demo
from tendero.cli import app

runner = CliRunner()


def test_forecast_measure_revenue_like_the_api(tenant, demo_store, client):
    load_demo(tenant.id, demo_store)
    base = ["forecast", "--tenant", tenant.name, "--level", "total", "--freq", "W", "--horizon", "2", "--json"]
    revenue = runner.invoke(app, [*base, "--measure", "revenue"])
    assert revenue.exit_code == 0, revenue.output
    answer = json.loads(revenue.stdout)
    assert answer["measure"] == "revenue" and len(answer["forecast"]) == 2
    served = client.get("/v1/forecasts?level=total&freq=W", headers=tenant.headers()).json()
    assert served["model"]["version"] == answer["version"]  # the API answers from the version the CLI trained
    units = runner.invoke(app, [*base, "--measure", "quantity"])  # the deployed one forecasts revenue: retrained
    assert units.exit_code == 0, units.output
    quantity = json.loads(units.stdout)
    assert quantity["measure"] == "quantity" and quantity["version"] != answer["version"]
    mean_price = float((demo_store.order_items["unit_price"]).mean())
    assert mean_price > 1.5
    ratio = sum(r["yhat"] for r in answer["forecast"]) / sum(r["yhat"] for r in quantity["forecast"])
    assert ratio > 1.5, ratio  # money, not units
    table = runner.invoke(app, ["forecast", "--tenant", tenant.name, "--level", "total", "--freq", "W", "--horizon",
                                "2", "--measure", "quantity", "--lang", "es"])  # fmt: skip
    flat = " ".join(table.stdout.split())
    assert "unidades vendidas" in flat and "pronóstico (unidades)" in flat
