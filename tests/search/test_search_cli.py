"""`tendero search` and the import hook of `tendero import`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from search_support import CATALOGUE_ROWS
from typer.testing import CliRunner

from tendero.cli import app
from tendero.store import search as search_rows

runner = CliRunner()


def test_cli_import_moves_the_index_and_cli_search_answers(tenant, tmp_path: Path):
    path = tmp_path / "productos.csv"
    pd.DataFrame(CATALOGUE_ROWS).to_csv(path, index=False)
    imported = runner.invoke(app, ["import", str(path), "--entity", "products", "--tenant", tenant.name])
    assert imported.exit_code == 0, imported.output
    assert search_rows.index_version(tenant.id) >= 1  # the hook ran: the index follows this import
    reindexed = runner.invoke(app, ["search", "--tenant", tenant.name, "--reindex"])
    assert reindexed.exit_code == 0 and "10 embedded now" in reindexed.output
    found = runner.invoke(app, ["search", "--tenant", tenant.name, "para lavar los platos", "--limit", "2", "--json"])
    assert found.exit_code == 0, found.output
    answer = json.loads(found.output.strip().splitlines()[-1])
    assert answer["items"][0]["product_id"] == "B04" and answer["items"][0]["matched"] == ["meaning"]
    table = runner.invoke(app, ["search", "--tenant", tenant.name, "champú"])
    assert table.exit_code == 0 and "B08" in table.output


def test_cli_search_errors_are_one_clear_line(tenant):
    assert "give a query" in runner.invoke(app, ["search", "--tenant", tenant.name]).output
    assert "empty" in runner.invoke(app, ["search", "--tenant", tenant.name, "   "]).output
    missing = runner.invoke(app, ["search", "--tenant", "no-such-shop", "cerveza"])
    assert missing.exit_code == 1 and "no-such-shop" in missing.output
