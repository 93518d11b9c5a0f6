"""``tendero insights sales|suggestions``: the same service as the API, from a terminal, one-line errors."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from support import load_demo
from tendero.cli import app

runner = CliRunner()


def test_sales_and_suggestions_from_the_terminal(tenant, demo_store):
    load_demo(tenant.id, demo_store)
    month = str(pd.Timestamp(demo_store.orders["ordered_at"].max()).to_period("M") - 1)
    made = runner.invoke(app, ["insights", "sales", "--tenant", tenant.name, "--period", month, "--json"])
    assert made.exit_code == 0, made.output
    analysis = json.loads(made.output)
    assert analysis["id"] and analysis["period"]["start"] == f"{month}-01"
    text = runner.invoke(app, ["insights", "sales", "--tenant", tenant.name, "--period", month, "--lang", "en"])
    assert text.exit_code == 0 and analysis["insights"][0]["text"]["en"][:30] in text.output.replace("\n", " ")
    report = runner.invoke(app, ["insights", "sales", "--tenant", tenant.name, "--period", month, "--format", "md",
                                 "--no-store", "--lang", "es"])  # fmt: skip
    assert report.exit_code == 0 and report.output.startswith("# Análisis de ventas")
    found = runner.invoke(app, ["insights", "suggestions", "--tenant", tenant.name, "--type", "bundles", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["bundles"]["items"]


def test_mistakes_are_one_line_errors(tenant, demo_store):
    load_demo(tenant.id, demo_store)
    backwards = runner.invoke(app, ["insights", "sales", "--tenant", tenant.name, "--period", "2026-03-10..2026-03-01"])
    assert backwards.exit_code == 1 and "ends (2026-03-01) before it starts" in backwards.output
    assert "Traceback" not in backwards.output
    unknown = runner.invoke(app, ["insights", "suggestions", "--tenant", tenant.name, "--type", "magic"])
    assert unknown.exit_code == 1 and "type" in unknown.output and "Traceback" not in unknown.output
    empty = runner.invoke(app, ["insights", "sales", "--tenant", tenant.name, "--period", "1999-01"])
    assert empty.exit_code == 1 and "no sales in 1999-01-01..1999-01-31" in empty.output
