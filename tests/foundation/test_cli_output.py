"""What the ``tendero`` command prints: whole ids and figures when piped, tables that fit a terminal or become one
block per row, units on figures, one language per run, datasets by name, the CLI's own words in import reports."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from support import load_demo
from tendero.cli import app, output
from tendero.cli.output import Column

runner = CliRunner()
ID = "567ca9910c074dfaba6f1126f981036d"
ROWS = [{"id": ID, "name": "ventas de noviembre por tienda", "rows": 1234567, "share": 0.123456, "spend": 1234.5,
         "currency": "EUR", "days": 12.25}]  # fmt: skip
COLUMNS = [Column("id", "col.id", "id"), Column("name", "col.name"), Column("rows", "col.rows", "count"),
           Column("share", "col.revenue_share", "share"), Column("spend", "col.monetary", "money"),
           Column("days", "col.recency", "days")]  # fmt: skip


@pytest.fixture(autouse=True)
def english_run(monkeypatch):
    """Each test starts as a fresh run would (English, no --debug): the run's state is per process, and an earlier
    command in this process may have chosen Spanish."""
    monkeypatch.setattr(output, "state", output.RunState())


def _printed(width: int) -> str:
    buffer = io.StringIO()
    screen = Console(file=buffer, width=width, force_terminal=True, no_color=True, color_system=None)
    output.print_table(ROWS, COLUMNS, "t", screen=screen)
    return buffer.getvalue()


def test_a_terminal_table_keeps_ids_and_figures_whole_at_any_width():
    for width in (200, 90, 40):
        shown = _printed(width)
        assert all(len(line) <= width for line in shown.splitlines()), shown
        for whole in (ID, "1,234,567", "12.3 %", "1,234.50 EUR", "12.2 days"):
            assert whole in shown, (width, whole, shown)
    assert "┃" in _printed(200) and "┃" not in _printed(40)  # too narrow: one block per row instead of cutting


def test_units_are_in_headers_and_figures():
    output.state.language = "en"
    assert output.header(Column("share", "col.revenue_share", "share"), None) == "revenue share (%)"
    assert output.header(Column("spend", "col.monetary", "money"), "EUR") == "mean spend (EUR)"
    assert output.figure(0.5, "share") == "50.0 %" and output.figure(3.0, "seconds") == "3.00 s"
    assert output.figure(None, "money") == "-" and output.figure(float("nan"), "share") == "-"


def test_piped_tables_print_every_character(tenant, tmp_path):
    """CliRunner's output is not a terminal: a long id and a long name come out whole, on one line."""
    data = tmp_path / "precios.csv"
    data.write_text("tienda,metros,precio\n" + "".join(f"t{i},{50 + i},{1000.5 + 37 * i}\n" for i in range(40)))
    name = "precios de las tiendas del centro de la ciudad en noviembre"
    made = runner.invoke(app, ["datasets", "upload", str(data), "--tenant", tenant.name, "--name", name,
                               "--task", "regression", "--target", "precio", "--json"])  # fmt: skip
    assert made.exit_code == 0, made.output
    dataset_id = json.loads(made.output)["id"]
    listed = runner.invoke(app, ["datasets", "list", "--tenant", tenant.name], env={"COLUMNS": "40"})
    line = next(line for line in listed.output.splitlines() if dataset_id in line)
    assert name in line and "…" not in listed.output
    shown = runner.invoke(app, ["datasets", "show", name, "--tenant", tenant.name, "--lang", "es"])
    assert shown.exit_code == 0 and dataset_id in shown.output and "filas" in shown.output
    assert "vacíos (%)" in shown.output  # the missing share, with its unit


def test_datasets_are_found_by_name_or_id_and_a_shared_name_asks_for_the_id(tenant, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(20)))
    ids = []
    for _ in range(2):
        made = runner.invoke(app, ["datasets", "upload", str(data), "--tenant", tenant.name, "--name", "gemelo",
                                   "--task", "regression", "--target", "b", "--json"])  # fmt: skip
        ids.append(json.loads(made.output)["id"])
    by_id = runner.invoke(app, ["datasets", "show", ids[1], "--tenant", tenant.name, "--json"])
    assert json.loads(by_id.output)["id"] == ids[1]
    shared = runner.invoke(app, ["datasets", "show", "gemelo", "--tenant", tenant.name])
    assert shared.exit_code == 1 and ids[0] in shared.output and ids[1] in shared.output
    trained = runner.invoke(app, ["train", "tabular", "--tenant", tenant.name, "--dataset", "gemelo"])
    assert trained.exit_code == 1 and "2 datasets are named 'gemelo'" in " ".join(trained.output.split())


def test_the_cli_import_report_names_the_returns_flag_in_the_chosen_language(tenant, tmp_path):
    lines = tmp_path / "devoluciones.csv"
    lines.write_text("order_id,ordered_at,product_id,quantity,unit_price,customer_id\n"
                     "1,2026-01-05,A,2,2.5,c1\n2,2026-01-06,A,-1,2.5,c1\n")  # fmt: skip
    english = runner.invoke(app, ["import", str(lines), "--entity", "order_lines", "--tenant", tenant.name,
                                  "--dry-run", "--lang", "en"])  # fmt: skip
    assert english.exit_code == 0, english.output
    assert "import again with --returns keep" in " ".join(english.output.split())
    assert "returns=keep" not in english.output  # the API's field, not this command's flag
    spanish = runner.invoke(app, ["--lang", "es", "import", str(lines), "--entity", "order_lines", "--tenant",
                                  tenant.name, "--dry-run", "--json"])  # fmt: skip
    report = json.loads(spanish.output)
    assert report["rejections"][0]["reason"].startswith("cantidad negativa")
    assert "--returns keep" in report["rejections"][0]["reason"] and report["language"] == "es"


def test_one_language_per_output(tenant, demo_store):
    load_demo(tenant.id, demo_store)
    segments = runner.invoke(app, ["customers", "segments", "--tenant", tenant.name, "--lang", "es"])
    assert segments.exit_code == 0, segments.output
    flat = " ".join(segments.stdout.split())  # the job's own progress words on stderr are the job layer's
    assert "segmento" in flat and "parte de los ingresos (%)" in flat and "recencia media (días)" in flat
    assert "revenue share" not in flat and "customers" not in flat and "%" in flat
    spanish = runner.invoke(app, ["import", "no-such.csv", "--entity", "order_lines", "--tenant", tenant.name,
                                  "--lang", "es"])  # fmt: skip
    assert spanish.output.startswith("error: no existe el fichero")
    unavailable = runner.invoke(app, ["--lang", "fr", "tenant", "list"])
    assert unavailable.exit_code == 2 and "'fr'" in unavailable.output and "es, en" in unavailable.output


def test_help_texts_come_from_the_catalogue_in_the_chosen_language():
    spanish = runner.invoke(app, ["import", "--help", "--lang", "es"], env={"COLUMNS": "200"})
    flat = " ".join(spanish.output.split())
    assert "Importa datos de comercio" in flat and "valida y cuenta, sin escribir nada" in flat
    assert "nombre o id del negocio (tenant)" in flat  # an option every command shares
    english = runner.invoke(app, ["--lang", "en", "--help"], env={"COLUMNS": "200"})
    assert "self-hosted machine learning" in english.output and "aprendizaje" not in english.output
    listed = runner.invoke(app, ["--help"], env={"COLUMNS": "200", "LC_ALL": None, "LC_MESSAGES": None,
                                                 "LANG": "es_ES.UTF-8"})  # fmt: skip
    assert "Importa datos de comercio" in " ".join(listed.output.split())  # the locale's language by default


def test_every_help_entry_of_the_catalogue_names_a_command_or_option():
    import typer

    from tendero.catalogue.cli import CLI_HELP

    known: set[str] = set()

    def walk(command: object, path: str) -> None:
        known.add(path)
        for param in getattr(command, "params", []):
            name = param.opts[0] if param.param_type_name == "option" else str(param.name).upper()
            known.update({f"{path} {name}", f"* {name}"})
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    assert sorted(set(CLI_HELP) - known) == []


def test_model_versions_show_each_metric_with_its_unit_in_the_runs_language(tenant):
    from tendero.store import registry as registry_rows
    from tendero.store.db import session_scope
    from tendero.store.registry import NewVersion

    metrics = {"backtest_wape": 0.1234, "series": 12, "train_seconds": 3.5, "backtest_mase": 0.8123,
               "backtest_mae_spend": 41.5, "note": "texto"}  # fmt: skip
    with session_scope() as session:
        model = registry_rows.get_or_create_model(session, tenant.id, "ventas", "forecast")
        new = NewVersion("auto", {}, metrics, {}, {}, "/tmp/ventas", 1, "0" * 64, None, "ventas-1")
        registry_rows.register_version(session, tenant.id, model, new)
    spanish = runner.invoke(app, ["models", "versions", "ventas", "--tenant", tenant.name, "--lang", "es"])
    assert spanish.exit_code == 0, spanish.output
    flat = " ".join(spanish.output.split())
    assert "Error medio (WAPE) 12.3 %" in flat and "Series 12" in flat and "3.50 s" in flat
    assert "Error frente a la previsión ingenua (MASE) 0.8123" in flat  # a plain score: no unit
    assert "Gasto: error medio 41.50 EUR" in flat  # money in the tenant's currency
    assert "backtest_wape" not in flat and "texto" not in flat
    english = runner.invoke(app, ["models", "versions", "ventas", "--tenant", tenant.name, "--lang", "en"])
    assert "Average error (WAPE) 12.3 %" in " ".join(english.output.split())


def test_a_followed_trainings_progress_is_drawn_in_the_runs_language(tenant, tmp_path):
    data = tmp_path / "rutas.csv"
    data.write_text("km,paradas,coste\n" + "".join(f"{i},{i % 4},{i * 1.5 + i % 4}\n" for i in range(40)))
    made = runner.invoke(app, ["datasets", "upload", str(data), "--tenant", tenant.name, "--name", "rutas",
                               "--task", "regression", "--target", "coste"])  # fmt: skip
    assert made.exit_code == 0, made.output
    trained = runner.invoke(app, ["train", "tabular", "--tenant", tenant.name, "--dataset", "rutas",
                                  "--algorithm", "linear_regression", "--follow", "--lang", "es"])  # fmt: skip
    flat = " ".join(trained.output.split())
    assert trained.exit_code == 0, flat
    assert "importancia de las variables 2/2" in flat and "versión 1.0.0" in flat  # the job's last step, in Spanish
    assert "importance" not in flat and "queued" not in flat
