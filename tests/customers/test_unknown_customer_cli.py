"""The CLI says an unknown customer is unknown, as the API does: ``customers show`` fails naming the id,
``recommend`` says the list is the popular items and ``--json`` carries ``"known": false``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from support import load_demo, make_tenant
from tendero.cli import app
from tendero.data.demo import generate_store

runner = CliRunner()


def test_unknown_customers_are_said_to_be_unknown_on_the_command_line():
    shop = make_tenant("cli-ids")
    load_demo(shop.id, generate_store(seed=7, customers=120, days=300))
    known = runner.invoke(app, ["recommend", "--tenant", shop.name, "--user", "C00003", "--k", "3", "--json"])
    assert known.exit_code == 0, known.output
    assert json.loads(known.stdout)["known"] is True and json.loads(known.stdout)["path"] == "rules"
    unknown = runner.invoke(app, ["recommend", "--tenant", shop.name, "--user", "12536.0", "--k", "3", "--json",
                                  "--lang", "en"])  # fmt: skip
    answer = json.loads(unknown.stdout)
    assert answer["known"] is False and answer["fallback"]["code"] == "unknown_customer"
    assert answer["items"] and all(item["reason"].startswith("popular") for item in answer["items"])
    said = runner.invoke(app, ["recommend", "--tenant", shop.name, "--user", "nadie", "--k", "3", "--lang", "es"])
    assert said.exit_code == 0 and "no conoce al cliente 'nadie'" in said.stderr
    shown = runner.invoke(app, ["customers", "show", "C00003", "--tenant", shop.name, "--json"])
    assert shown.exit_code == 0, shown.output
    assert {"segment", "churn_probability", "clv"} <= set(json.loads(shown.stdout))
    missing = runner.invoke(app, ["customers", "show", "C99999", "--tenant", shop.name, "--lang", "en"])
    assert missing.exit_code == 1 and "customer 'C99999' is not in model customers" in missing.stderr
