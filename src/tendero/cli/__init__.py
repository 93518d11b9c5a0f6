"""The ``tendero`` command: parses, calls services, prints. Heavy modules are imported inside commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from tendero.errors import Conflict, NotFound

app = typer.Typer(help="tendero: self-hosted machine learning for commerce data.", no_args_is_help=True)
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


def _add_capability_commands() -> None:
    from tendero.cli import capabilities, sources
    from tendero.cli import search as search_cli

    app.add_typer(capabilities.customers_app, name="customers")
    app.add_typer(sources.sources_app, name="sources")
    app.add_typer(capabilities.datasets_app, name="datasets")
    app.add_typer(capabilities.train_app, name="train")
    app.command("forecast")(capabilities.forecast_command)
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


_add_capability_commands()

console = Console()
err = Console(stderr=True)

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")]


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, indent=2) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done on every start)."""
    from tendero.services.database import upgrade_all

    console.print(f"database at the newest schema: {upgrade_all()}")


@tenant_app.command("create")
def tenant_create(name: str) -> None:
    """Create a tenant and print its first admin API key (shown only this once)."""
    from tendero.services import tenants
    from tendero.services.database import upgrade_database

    upgrade_database()
    try:
        tenant_id = (created := tenants.create_tenant(name))[0].id
        key = created[1]
    except (Conflict, ValueError) as error:
        _fail(str(error))
    console.print(f"tenant [bold]{name}[/bold] created (id {tenant_id})")
    console.print("admin API key (shown only now, store it safely):")
    typer.echo(key.secret)


@tenant_app.command("list")
def tenant_list() -> None:
    from tendero.services import tenants

    rows = [(t.name, t.id, t.created_at) for t in tenants.list_tenants()]
    table = Table("name", "id", "created")
    for name, tenant_id, created in rows:
        table.add_row(name, tenant_id, created.isoformat(timespec="seconds"))
    console.print(table)


@key_app.command("create")
def key_create(
    tenant: TenantOpt,
    role: Annotated[str, typer.Option(help="admin, analyst or service")] = "service",
    name: Annotated[str, typer.Option(help="what the key is for")] = "cli",
) -> None:
    """Create an API key and print it (shown only this once)."""
    from tendero.services import tenants

    try:
        issued = tenants.create_key(tenants.find_tenant(tenant).id, name, role)
    except (NotFound, ValueError) as error:
        _fail(str(error))
    console.print(f"{role} key [bold]{issued.prefix}[/bold] for {tenant} (shown only now):")
    typer.echo(issued.secret)


@key_app.command("list")
def key_list(tenant: TenantOpt) -> None:
    from tendero.services import tenants

    try:
        rows = [
            (k.prefix, k.name, k.role, k.created_at, k.last_used_at, k.revoked_at)
            for k in tenants.list_keys(tenants.find_tenant(tenant).id)
        ]
    except NotFound as error:
        _fail(str(error))
    table = Table("prefix", "name", "role", "created", "last used", "revoked")
    for prefix, name, role, created, used, revoked in rows:
        table.add_row(prefix, name, role, _when(created), _when(used), _when(revoked))
    console.print(table)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


@key_app.command("revoke")
def key_revoke(tenant: TenantOpt, prefix: Annotated[str, typer.Argument(help="the key's prefix or id")]) -> None:
    from tendero.services import tenants

    try:
        shown = tenants.revoke_key(tenants.find_tenant(tenant).id, prefix)
    except NotFound as error:
        _fail(str(error))
    console.print(f"key {shown} revoked")


@user_app.command("create")
def user_create(
    username: str,
    tenant: TenantOpt,
    role: Annotated[str, typer.Option(help="admin, analyst or service")] = "analyst",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a dashboard user (the password is asked for, never echoed)."""
    from tendero.services import tenants

    try:
        tenants.create_user(tenants.find_tenant(tenant).id, username, password, role)
    except (NotFound, Conflict, ValueError) as error:
        _fail(str(error))
    console.print(f"user [bold]{username}[/bold] ({role}) created in {tenant}")


SERVE_SWITCH_INTERVAL = 0.0005  # seconds


def _check_exposure(host: str) -> None:
    """Refuse to serve beyond loopback (or in production) with a session key anyone knows."""
    from tendero.config import check_secret_for

    try:
        check_secret_for(host)
    except ValueError as error:
        _fail(f"not serving on {host}: {error}")


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
        _fail("tendero worker needs TENDERO_JOB_RUNNER=procrastinate and a PostgreSQL TENDERO_DATABASE_URL")
    configure_logging()
    run_worker(concurrency)  # the schema, the queue's tables, the scheduler, then jobs


@models_app.command("list")
def models_list(tenant: TenantOpt, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Models of a tenant with their deployed and latest versions."""
    from tendero.services import models as model_service
    from tendero.services import tenants

    try:
        page = model_service.list_models(tenants.find_tenant(tenant).id, limit=500)
    except NotFound as error:
        _fail(str(error))
    models = [m.model_dump(mode="json") for m in page.items]
    if as_json:
        _print_json(models)
        return
    table = Table("model", "kind", "deployed", "latest", "versions", "flags")
    for m in models:
        table.add_row(
            m["name"],
            m["kind"],
            m["deployed_version"] or "-",
            m["latest_version"] or "-",
            str(m["versions"]),
            ", ".join(m["flags"]) or "",
        )
    console.print(table)


@models_app.command("versions")
def models_versions(model: str, tenant: TenantOpt, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A model's versions with their metrics; the deployed one marked."""
    from tendero.services import models as model_service
    from tendero.services import tenants

    try:
        page = model_service.list_versions(tenants.find_tenant(tenant).id, model, limit=500)
        versions = [v.model_dump(mode="json") for v in page.items]
    except NotFound as error:
        _fail(str(error))
    if as_json:
        _print_json(versions)
        return
    table = Table("version", "status", "aliases", "algorithm", "metrics", "created")
    for v in versions:
        shown = ", ".join(
            f"{k}={val:.4g}" for k, val in list(v["metrics"].items())[:4] if isinstance(val, (int, float))
        )
        table.add_row(v["version"], v["status"], ",".join(v["aliases"]), v["algorithm"], shown, v["created_at"][:19])
    console.print(table)


@models_app.command("deploy")
def models_deploy(model: str, version: str, tenant: TenantOpt) -> None:
    """Deploy a version (the one deployed version of the model)."""
    from tendero.services import models as model_service
    from tendero.services import tenants

    try:
        model_service.deploy(tenants.find_tenant(tenant).id, model, version)
    except (NotFound, Conflict) as error:
        _fail(str(error))
    console.print(f"{model} {version} deployed")


@models_app.command("rollback")
def models_rollback(model: str, tenant: TenantOpt) -> None:
    """Deploy again the version deployed before the current one."""
    from tendero.services import models as model_service
    from tendero.services import tenants

    try:
        version = model_service.rollback(tenants.find_tenant(tenant).id, model).version
    except (NotFound, Conflict) as error:
        _fail(str(error))
    console.print(f"{model} rolled back to {version}")


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
    ready = prepare_demo(seed=seed, log=lambda message: err.print(message))
    if not serve_after:
        typer.echo(ready.api_key)
        return
    settings = get_settings()
    chosen_port = port or settings.port
    url = f"http://{settings.host}:{chosen_port}"
    console.print(f"\n[bold green]tendero demo[/bold green]: dashboard at {url}/app  (API docs: {url}/docs)")
    console.print(f"sign in with tenant [bold]{ready.tenant}[/bold] and the admin API key:")
    typer.echo(ready.api_key)
    console.print(f"models training now: {', '.join(ready.models)} — follow them at {url}/v1/jobs\n")
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
    from tendero.services import tenants
    from tendero.services.data import ENTITY_NAMES as ENTITIES
    from tendero.services.data import FileRejected, import_file_report, import_sql_report
    from tendero.services.database import upgrade_database

    if entity not in ENTITIES:
        _fail(f"unknown entity {entity!r}; use one of {', '.join(ENTITIES)}")
    if returns not in ("reject", "keep"):
        _fail("--returns must be reject or keep")
    returns_rule: Literal["reject", "keep"] = "keep" if returns == "keep" else "reject"
    mapping, constants = {}, {}
    for pair in map_ or []:
        column, sep, field = pair.partition("=")
        if not sep:
            _fail(f"--map {pair!r} must be your_column=field")
        mapping[column.strip()] = field.strip()
    for pair in set_ or []:
        field, sep, value = pair.partition("=")
        if not sep:
            _fail(f"--set {pair!r} must be field=value")
        constants[field.strip()] = value
    upgrade_database()
    try:
        tenant_id = tenants.find_tenant(tenant).id
    except NotFound as error:
        _fail(str(error))
    try:
        if source == "sql":
            if not query or bool(url) == bool(source_name):
                _fail("tendero import sql needs --query and one of --source NAME or --url URL")
            report = import_sql_report(tenant_id, entity, url, query, source=source_name, mapping=mapping,
                                       dry_run=dry_run, returns=returns_rule, constants=constants)  # fmt: skip
        else:
            path = Path(source)
            if not path.is_file():
                _fail(f"no file {source}")
            report = import_file_report(
                tenant_id, entity, path, mapping=mapping, dry_run=dry_run, returns=returns_rule, constants=constants
            )
    except FileRejected as error:
        _fail(f"{source}: {error}")
    if as_json:
        _print_json(report.__dict__)
        return
    counts = report.counts
    console.print(f"[bold]{report.entity}[/bold] from {source}: {report.status}{' (dry run)' if dry_run else ''}")
    console.print("  " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()))
    for table, tally in report.details["tables"].items():
        console.print(f"  {table}: " + ", ".join(f"{k} {v:,}" for k, v in tally.items()))
    if report.rejections:
        table = Table("row", "column", "value", "reason", title=f"rejected rows (first {len(report.rejections)})")
        for line in report.rejections:
            table.add_row(str(line["row"]), line["column"] or "", line["value"] or "", line["reason"])
        console.print(table)
    console.print(f"  report id {report.id}: GET /v1/data/imports/{report.id}")


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
        console.print(f"{path}: {rows:,} rows")


@data_app.command("profile")
def data_profile(tenant: TenantOpt) -> None:
    """Counts, date range, activity, missing values and warnings for a tenant's data."""
    from tendero.services import data, tenants

    try:
        tenant_id = tenants.find_tenant(tenant).id
    except NotFound as error:
        _fail(str(error))
    _print_json(data.data_profile(tenant_id))


def _register_benches() -> None:
    from tendero.bench import api as api_bench
    from tendero.bench import assistant as assistant_bench
    from tendero.bench import customers, dashboard, data_import, forecast, recommend, tabular
    from tendero.bench import experiments as experiments_bench
    from tendero.bench import pricing as pricing_bench
    from tendero.bench import search as search_bench

    bench_app.command("api")(api_bench.command)
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
