"""The ``tendero`` command: parses, calls services, prints. Heavy modules are imported inside commands."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer

from tendero.catalogue.cli import CLI
from tendero.cli import output
from tendero.cli.failures import TenderoGroup, configure_logging, fail
from tendero.cli.output import Column, choose_language, say

app = typer.Typer(
    cls=TenderoGroup, help="tendero: self-hosted machine learning for commerce data.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants (businesses).", no_args_is_help=True)
key_app = typer.Typer(help="API keys of a tenant.", no_args_is_help=True)
user_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks on real data; --json prints one JSON object.", no_args_is_help=True)
data_app = typer.Typer(help="Commerce data.", no_args_is_help=True)
models_app = typer.Typer(help="The model registry.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(key_app, name="key")
app.add_typer(bench_app, name="bench")
app.add_typer(user_app, name="user")
app.add_typer(data_app, name="data")
app.add_typer(models_app, name="models")


@app.callback()
def root(
    lang: Annotated[
        str | None, typer.Option("--lang", help="language of the output: es or en (default: the locale, LANG)")
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="print the trace of an internal error (always kept in the log)")
    ] = False,
) -> None:
    """tendero: self-hosted machine learning for commerce data."""
    output.state.debug = debug
    configure_logging(debug)
    choose_language(lang)


def _add_capability_commands() -> None:
    from tendero.cli import capabilities, sources
    from tendero.cli import search as search_cli

    app.add_typer(capabilities.customers_app, name="customers")
    app.add_typer(sources.sources_app, name="sources")
    app.add_typer(capabilities.datasets_app, name="datasets")
    app.add_typer(capabilities.train_app, name="train")
    app.command("forecast")(capabilities.forecast_command)
    from tendero.cli import lookups

    capabilities.customers_app.command("show")(lookups.customers_show)
    app.command("recommend")(lookups.recommend_command)
    from tendero.cli import experiments

    app.add_typer(experiments.app, name="experiments")
    app.command("search")(search_cli.search_command)
    from tendero.cli import schedules

    app.add_typer(schedules.schedules_app, name="schedules")
    app.add_typer(schedules.channels_app, name="channels")
    app.add_typer(schedules.deliveries_app, name="deliveries")
    app.add_typer(schedules.retention_app, name="retention")

    from tendero.cli import insights

    app.add_typer(insights.app, name="insights")
    from tendero.cli import assistant

    app.command("ask")(assistant.ask_command)
    from tendero.cli import tenant_settings

    tenant_app.command("settings")(tenant_settings.settings_command)


_add_capability_commands()

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")]


def _fail(message: str, code: int = 1) -> NoReturn:
    fail(message, code)


def _print_json(value: Any) -> None:
    output.print_json(value)


def _tenant_id(name: str) -> str:
    from tendero.cli.capabilities import tenant_id_of

    return tenant_id_of(name)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done on every start)."""
    from tendero.services.database import upgrade_all

    output.console().print(say("db.newest", url=upgrade_all()))


@tenant_app.command("create")
def tenant_create(name: str) -> None:
    """Create a tenant and print its first admin API key (shown only this once)."""
    from tendero.services import tenants
    from tendero.services.database import upgrade_database

    upgrade_database()
    created, key = tenants.create_tenant(name)
    shown = output.console()
    shown.print(say("tenant.created", name=name, id=created.id))
    shown.print(say("tenant.key_once"))
    typer.echo(key.secret)


@tenant_app.command("list")
def tenant_list() -> None:
    from tendero.services import tenants

    rows = [{"name": t.name, "id": t.id, "created": _when(t.created_at)} for t in tenants.list_tenants()]
    columns = [Column("name", "col.name"), Column("id", "col.id", "id"), Column("created", "col.created", "date")]
    output.print_table(rows, columns)


@key_app.command("create")
def key_create(
    tenant: TenantOpt,
    role: Annotated[str, typer.Option(help="admin, analyst or service")] = "service",
    name: Annotated[str, typer.Option(help="what the key is for")] = "cli",
) -> None:
    """Create an API key and print it (shown only this once)."""
    from tendero.services import tenants

    issued = tenants.create_key(_tenant_id(tenant), name, role)
    output.console().print(say("key.created", role=role, prefix=issued.prefix, tenant=tenant))
    typer.echo(issued.secret)


@key_app.command("list")
def key_list(tenant: TenantOpt) -> None:
    from tendero.services import tenants

    rows = [
        {"prefix": k.prefix, "name": k.name, "role": k.role, "created": _when(k.created_at),
         "used": _when(k.last_used_at), "revoked": _when(k.revoked_at)}
        for k in tenants.list_keys(_tenant_id(tenant))
    ]  # fmt: skip
    columns = [Column("prefix", "col.prefix", "id"), Column("name", "col.name"), Column("role", "col.role"),
               Column("created", "col.created", "date"), Column("used", "col.last_used", "date"),
               Column("revoked", "col.revoked", "date")]  # fmt: skip
    output.print_table(rows, columns)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


@key_app.command("revoke")
def key_revoke(tenant: TenantOpt, prefix: Annotated[str, typer.Argument(help="the key's prefix or id")]) -> None:
    from tendero.services import tenants

    shown = tenants.revoke_key(_tenant_id(tenant), prefix)
    output.console().print(say("key.revoked", prefix=shown))


@user_app.command("create")
def user_create(
    username: str,
    tenant: TenantOpt,
    role: Annotated[str, typer.Option(help="admin, analyst or service")] = "analyst",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a dashboard user (the password is asked for, never echoed)."""
    from tendero.services import tenants

    tenants.create_user(_tenant_id(tenant), username, password, role)
    output.console().print(say("user.created", name=username, role=role, tenant=tenant))


SERVE_SWITCH_INTERVAL = 0.0005  # seconds


def _check_exposure(host: str) -> None:
    """Refuse to serve beyond loopback (or in production) with a session key anyone knows."""
    from tendero.config import check_secret_for

    try:
        check_secret_for(host)
    except ValueError as error:
        _fail(say("serve.refused", host=host, reason=error))


def _run_server(run_jobs: bool, host: str, port: int) -> None:
    """uvicorn with the app, tuned for a long-lived server process (``serve`` and ``demo``)."""
    import gc
    import sys

    import uvicorn

    from tendero.app import create_app
    from tendero.config import get_settings
    from tendero.services.workers import freeze_served_models, stop_reads

    class Server(uvicorn.Server):
        """uvicorn waits for requests in flight before it stops: a long file read stops at its next check."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            stop_reads()
            super().handle_exit(sig, frame)

    _check_exposure(host)

    # Background threads (audit writes, model and key re-checks) hold the GIL for up to the switch
    # interval before the event loop gets it back: 5 ms by default, which showed as the p99 of a 2 ms
    # request. A shorter interval hands it back sooner.
    sys.setswitchinterval(SERVE_SWITCH_INTERVAL)
    application = create_app(run_jobs=run_jobs)
    gc.freeze()  # what is loaded by now lives as long as the server: no full collections over it
    freeze_served_models()
    Server(
        uvicorn.Config(
            application, host=host, port=port, access_log=False, log_config=None,
            proxy_headers=True, forwarded_allow_ips=get_settings().forwarded_allow_ips,
        )
    ).run()  # fmt: skip


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default from TENDERO_HOST (127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="default from TENDERO_PORT (8000)")] = None,
    jobs: Annotated[bool, typer.Option(help="run queued jobs in this process (embedded runner)")] = True,
) -> None:
    """Serve the API (and, by default, run jobs in-process)."""
    from tendero.config import get_settings

    settings = get_settings()
    _run_server(jobs, host or settings.host, port or settings.port)


@app.command()
def worker(concurrency: Annotated[int, typer.Option(min=1, max=64)] = 1) -> None:
    """Run queued jobs from PostgreSQL through Procrastinate (start as many as you like, anywhere)."""
    from tendero.config import get_settings
    from tendero.observability.logs import configure_logging
    from tendero.services.workers import run_worker

    if get_settings().job_runner != "procrastinate":
        _fail(say("worker.needs"))
    configure_logging()
    run_worker(concurrency)  # the schema, the queue's tables, the scheduler, then jobs


@models_app.command("list")
def models_list(tenant: TenantOpt, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Models of a tenant with their deployed and latest versions."""
    from tendero.services import models as model_service

    page = model_service.list_models(_tenant_id(tenant), limit=500)
    models = [m.model_dump(mode="json") for m in page.items]
    if as_json:
        _print_json(models)
        return
    rows = [{**m, "flags": ", ".join(m["flags"])} for m in models]
    columns = [Column("name", "col.model"), Column("kind", "col.kind"),
               Column("deployed_version", "col.deployed", "id"), Column("latest_version", "col.latest", "id"),
               Column("versions", "col.versions", "count"),
               Column("flags", "col.flags")]  # fmt: skip
    output.print_table(rows, columns)


@models_app.command("versions")
def models_versions(model: str, tenant: TenantOpt, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A model's versions with their metrics; the deployed one marked."""
    from tendero.services import models as model_service
    from tendero.services.tenant_settings import currency_of

    page = model_service.list_versions(_tenant_id(tenant), model, limit=500)
    versions = [v.model_dump(mode="json") for v in page.items]
    if as_json:
        _print_json(versions)
        return
    currency = currency_of(_tenant_id(tenant))
    rows = [
        {**v, "aliases": ",".join(v["aliases"]), "created": v["created_at"][:19],
         "metrics": "; ".join(_metric_shown(key, value, currency) for key, value in v["metrics"].items()
                              if isinstance(value, (int, float)) and not isinstance(value, bool))}
        for v in versions
    ]  # fmt: skip
    columns = [Column("version", "col.version", "id"), Column("status", "col.status"), Column("aliases", "col.aliases"),
               Column("algorithm", "col.algorithm"), Column("metrics", "col.metrics"),
               Column("created", "col.created", "date")]  # fmt: skip
    output.print_table(rows, columns)


# A metric's unit (the catalogue's ``metric_unit``) as the command shows figures; a plain score has none.
METRIC_FIGURES: dict[str, output.Unit] = {"share": "share", "count": "count", "seconds": "seconds", "days": "days",
                                          "money": "money"}  # fmt: skip


def _metric_shown(key: str, value: float, currency: str) -> str:
    """``Average error (WAPE) 12.3 %``: the metric's name in the run's language and its value in its unit."""
    from tendero.catalogue.metrics import metric_label, metric_unit

    unit = METRIC_FIGURES.get(metric_unit(key), "text")
    return f"{metric_label(key, output.language())} {output.figure(value, unit, currency)}"


@models_app.command("deploy")
def models_deploy(model: str, version: str, tenant: TenantOpt) -> None:
    """Deploy a version (the one deployed version of the model)."""
    from tendero.services import models as model_service

    model_service.deploy(_tenant_id(tenant), model, version)
    output.console().print(say("model.deployed", model=model, version=version))


@models_app.command("rollback")
def models_rollback(model: str, tenant: TenantOpt) -> None:
    """Deploy again the version deployed before the current one."""
    from tendero.services import models as model_service

    version = model_service.rollback(_tenant_id(tenant), model).version
    output.console().print(say("model.rolled_back", model=model, version=version))


@app.command()
def demo(
    port: Annotated[int | None, typer.Option(help="default from TENDERO_PORT (8000)")] = None,
    seed: Annotated[int, typer.Option(help="seed of the generated demo store")] = 7,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="serve after setting up")] = True,
) -> None:
    """The whole product on the embedded default: demo tenant, demo store, every model kind, served."""
    from tendero.config import get_settings
    from tendero.services.demo import prepare_demo

    if serve_after:
        _check_exposure(get_settings().host)
    ready = prepare_demo(seed=seed, log=lambda message: output.errors().print(message))
    if not serve_after:
        typer.echo(ready.api_key)
        return
    settings = get_settings()
    chosen_port = port or settings.port
    url = f"http://{settings.host}:{chosen_port}"
    output.console().print("\n" + say("demo.ready", url=url), markup=False)
    output.console().print(say("demo.sign_in", tenant=ready.tenant), markup=False)
    typer.echo(ready.api_key)
    output.console().print(say("demo.training", models=", ".join(ready.models), url=url) + "\n", markup=False)
    _run_server(True, settings.host, chosen_port)


@app.command("import")
def import_data(
    source: Annotated[str, typer.Argument(help="a CSV/JSON lines/Parquet/Excel file, or the word sql")],
    entity: Annotated[str, typer.Option(help="customers, products, orders, order_items, interactions, order_lines")],
    tenant: TenantOpt,
    map_: Annotated[list[str] | None, typer.Option("--map", help="your_column=field (repeatable)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="field=value for every row (repeatable)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and count, write nothing")] = False,
    returns: Annotated[str, typer.Option(help="negative quantities: reject, or keep as returns")] = "reject",
    source_name: Annotated[
        str | None, typer.Option("--source", help="with sql: a named source (tendero sources add)")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="with sql: a SQLite or PostgreSQL URL of your database (read-only)")
    ] = None,
    query: Annotated[str | None, typer.Option(help="with sql: the query returning the entity's rows")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Import commerce data; prints the validation report (every rejected row with its reason)."""
    from tendero.services import data as data_service
    from tendero.services.data import ENTITY_NAMES as ENTITIES
    from tendero.services.data import import_file_report, import_sql_report
    from tendero.services.database import upgrade_database

    _choice("--entity", entity, ENTITIES)
    _choice("--returns", returns, ("reject", "keep"))
    returns_rule: Literal["reject", "keep"] = "keep" if returns == "keep" else "reject"
    mapping = _pairs("--map", map_, "your_column=field")
    constants = _pairs("--set", set_, "field=value", strip_value=False)
    if source == "sql" and (not query or bool(url) == bool(source_name)):
        _fail(say("sql.needs"), 2)
    upgrade_database()
    tenant_id = _tenant_id(tenant)  # first: an unknown tenant is told how to make it, whatever else is amiss
    path = Path(source)
    if source != "sql" and not path.is_file():
        _fail(say("file.missing", path=source))
    try:
        if source == "sql":
            report = import_sql_report(tenant_id, entity, url, query or "", source=source_name, mapping=mapping,
                                       dry_run=dry_run, returns=returns_rule, constants=constants)  # fmt: skip
        else:
            report = import_file_report(
                tenant_id, entity, path, mapping=mapping, dry_run=dry_run, returns=returns_rule, constants=constants
            )
    except ValueError as error:  # the file cannot be read as a table (FileRejected), or a mapping is wrong
        _fail(f"{source}: {_reason(error)}")
    shown = data_service.import_out(tenant_id, report.id, limit=len(report.rejections), language=output.language())
    rejections = [_cli_rejection(line) for line in shown.rejections]
    if as_json:
        _print_json({**report.__dict__, "rejections": rejections, "language": output.language()})
        return
    screen = output.console()
    shown_status = say(f"status.{report.status}") if f"status.{report.status}" in CLI else report.status
    status = say("import.title", entity=report.entity, source=source, status=shown_status)
    screen.print(status + (say("import.dry_run") if dry_run else ""), markup=False)
    screen.print("  " + ", ".join(f"{say('count.' + k) if 'count.' + k in CLI else k} {v:,}"
                                  for k, v in report.counts.items()), markup=False)  # fmt: skip
    for name, tally in report.details["tables"].items():
        screen.print(f"  {name}: " + ", ".join(f"{say('count.' + k) if 'count.' + k in CLI else k} {v:,}"
                                               for k, v in tally.items()), markup=False)  # fmt: skip
    if rejections:
        columns = [Column("row", "col.row", "count"), Column("column", "col.column"), Column("value", "col.value"),
                   Column("reason", "col.reason")]  # fmt: skip
        output.print_table(rejections, columns, say("import.rejected_title", count=len(rejections)))
    screen.print("  " + say("import.report", id=report.id), markup=False)


def _cli_rejection(line: dict[str, Any]) -> dict[str, Any]:
    """A rejected row as the CLI says it: a reason that names a request field names the command's flag instead."""
    code = line.get("code")
    if code and f"import.{code}" in CLI:
        return {**line, "reason": say(f"import.{code}")}
    return line


def _reason(error: BaseException) -> str:
    rendered = getattr(error, "rendered", None)
    return str(rendered(output.language())) if callable(rendered) else str(error)


def _choice(option: str, value: str, choices: Collection[str]) -> None:
    """A value that must be one of ``choices``: refused with the list (and the nearest one) otherwise."""
    if value in choices:
        return
    import difflib

    near = difflib.get_close_matches(value, choices, n=1)
    message = say("choice", option=option, value=value, choices=", ".join(choices))
    _fail(message + (say("choice.near", near=near[0]) if near else ""), 2)


def _pairs(option: str, pairs: list[str] | None, form: str, strip_value: bool = True) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(say("pair", option=option, value=pair, form=form), 2)
        out[key.strip()] = value.strip() if strip_value else value
    return out


@data_app.command("generate")
def data_generate(
    out: Annotated[Path, typer.Option(help="folder for the CSV files")],
    seed: Annotated[int, typer.Option()] = 7,
    customers: Annotated[int, typer.Option(min=10, max=1_000_000)] = 1500,
    days: Annotated[int, typer.Option(min=30, max=3650)] = 730,
) -> None:
    """Write the generated demo store as CSV files (customers, products, orders, order_items, interactions)."""
    from tendero.services.demo import write_store_csv

    for path, rows in write_store_csv(out, seed=seed, customers=customers, days=days):
        output.console().print(say("file.written", path=path, rows=f"{rows:,}"), markup=False)


@data_app.command("profile")
def data_profile(tenant: TenantOpt) -> None:
    """Counts, date range, activity, missing values and warnings for a tenant's data."""
    from tendero.services import data

    _print_json(data.data_profile(_tenant_id(tenant)))


def _register_benches() -> None:
    from tendero.bench import api as api_bench
    from tendero.bench import assistant as assistant_bench
    from tendero.bench import customers, dashboard, data_import, eta, forecast, recommend, tabular
    from tendero.bench import experiments as experiments_bench
    from tendero.bench import pricing as pricing_bench
    from tendero.bench import search as search_bench

    bench_app.command("api")(api_bench.command)
    bench_app.command("eta")(eta.command)
    bench_app.command("import")(data_import.command)
    bench_app.command("customers")(customers.command)
    bench_app.command("forecast")(forecast.command)
    bench_app.command("recommend")(recommend.command)
    bench_app.command("tabular")(tabular.command)
    bench_app.command("dashboard")(dashboard.command)
    bench_app.command("experiments")(experiments_bench.command)
    bench_app.command("pricing")(pricing_bench.command)
    bench_app.command("search")(search_bench.command)
    bench_app.command("assistant")(assistant_bench.command)


_register_benches()
