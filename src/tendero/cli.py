"""The ``tendero`` command: parses, calls services, prints. Heavy modules are imported inside commands."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="tendero: self-hosted machine learning for commerce data.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants (businesses).", no_args_is_help=True)
key_app = typer.Typer(help="API keys of a tenant.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks on real data; --json prints one JSON object.", no_args_is_help=True)
data_app = typer.Typer(help="Commerce data.", no_args_is_help=True)
models_app = typer.Typer(help="The model registry.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(key_app, name="key")
app.add_typer(bench_app, name="bench")
app.add_typer(data_app, name="data")
app.add_typer(models_app, name="models")

console = Console()
err = Console(stderr=True)

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")]


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, indent=2) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done on every start)."""
    from tendero.config import get_settings
    from tendero.store.migrate import upgrade_database

    upgrade_database()
    settings = get_settings()
    if settings.job_runner == "procrastinate":
        from tendero.jobs.distributed import install_schema

        install_schema()
    console.print(f"database at the newest schema: {_safe_url(settings.database_url)}")


def _safe_url(url: str) -> str:
    from tendero.store.db import display_url

    return display_url(url)


@tenant_app.command("create")
def tenant_create(name: str) -> None:
    """Create a tenant and print its first admin API key (shown only this once)."""
    from tendero.store import tenants
    from tendero.store.db import session_scope
    from tendero.store.migrate import upgrade_database

    upgrade_database()
    try:
        with session_scope() as session:
            tenant, key = tenants.create_tenant(session, name)
            tenant_id = tenant.id
    except (tenants.Conflict, ValueError) as error:
        _fail(str(error))
    console.print(f"tenant [bold]{name}[/bold] created (id {tenant_id})")
    console.print("admin API key (shown only now, store it safely):")
    typer.echo(key.secret)


@tenant_app.command("list")
def tenant_list() -> None:
    from tendero.store import tenants
    from tendero.store.db import session_scope

    with session_scope() as session:
        rows = [(t.name, t.id, t.created_at) for t in tenants.list_tenants(session)]
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
    from tendero.store import tenants
    from tendero.store.db import session_scope

    try:
        with session_scope() as session:
            found = tenants.find_tenant(session, tenant)
            issued = tenants.create_key(session, found.id, name, role)
    except (tenants.NotFound, ValueError) as error:
        _fail(str(error))
    console.print(f"{role} key [bold]{issued.prefix}[/bold] for {tenant} (shown only now):")
    typer.echo(issued.secret)


@key_app.command("list")
def key_list(tenant: TenantOpt) -> None:
    from tendero.store import tenants
    from tendero.store.db import session_scope

    try:
        with session_scope() as session:
            found = tenants.find_tenant(session, tenant)
            rows = [
                (k.prefix, k.name, k.role, k.created_at, k.last_used_at, k.revoked_at)
                for k in tenants.list_keys(session, found.id)
            ]
    except tenants.NotFound as error:
        _fail(str(error))
    table = Table("prefix", "name", "role", "created", "last used", "revoked")
    for prefix, name, role, created, used, revoked in rows:
        table.add_row(prefix, name, role, _when(created), _when(used), _when(revoked))
    console.print(table)


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


@key_app.command("revoke")
def key_revoke(
    tenant: TenantOpt, prefix: Annotated[str, typer.Argument(help="the key's prefix or id")]
) -> None:
    from tendero.store import tenants
    from tendero.store.db import session_scope

    try:
        with session_scope() as session:
            found = tenants.find_tenant(session, tenant)
            key = tenants.revoke_key(session, found.id, prefix)
            shown = key.prefix
    except tenants.NotFound as error:
        _fail(str(error))
    console.print(f"key {shown} revoked")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default from TENDERO_HOST (127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="default from TENDERO_PORT (8000)")] = None,
    jobs: Annotated[bool, typer.Option(help="run queued jobs in this process (embedded runner)")] = True,
) -> None:
    """Serve the API (and, by default, run jobs in-process)."""
    import uvicorn

    from tendero.app import create_app
    from tendero.config import get_settings

    settings = get_settings()
    uvicorn.run(
        create_app(run_jobs=jobs),
        host=host or settings.host,
        port=port or settings.port,
        access_log=False,
        log_config=None,
    )


@app.command()
def worker(concurrency: Annotated[int, typer.Option(min=1, max=64)] = 1) -> None:
    """Run queued jobs from PostgreSQL through Procrastinate (start as many as you like, anywhere)."""
    from tendero.config import get_settings
    from tendero.observability.logs import configure_logging
    from tendero.store.migrate import upgrade_database

    if get_settings().job_runner != "procrastinate":
        _fail("tendero worker needs TENDERO_JOB_RUNNER=procrastinate and a PostgreSQL TENDERO_DATABASE_URL")
    configure_logging()
    upgrade_database()
    from tendero.jobs.distributed import run_worker

    run_worker(concurrency)


@models_app.command("list")
def models_list(tenant: TenantOpt, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Models of a tenant with their deployed and latest versions."""
    from tendero.api.models import model_out
    from tendero.store import registry as registry_rows
    from tendero.store import tenants
    from tendero.store.db import session_scope

    with session_scope() as session:
        found = tenants.find_tenant(session, tenant)
        rows, _ = registry_rows.list_models(session, found.id, limit=500)
        models = [model_out(session, found.id, row).model_dump(mode="json") for row in rows]
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


@app.command()
def demo(
    port: Annotated[int | None, typer.Option(help="default from TENDERO_PORT (8000)")] = None,
    seed: Annotated[int, typer.Option(help="seed of the generated demo store")] = 7,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="serve after setting up")] = True,
) -> None:
    """The whole product on the embedded default: demo tenant, demo store, every model kind, served."""
    from tendero.demo import prepare_demo

    ready = prepare_demo(seed=seed, log=lambda message: err.print(message))
    if not serve_after:
        typer.echo(ready.api_key)
        return
    import uvicorn

    from tendero.app import create_app
    from tendero.config import get_settings

    settings = get_settings()
    chosen_port = port or settings.port
    url = f"http://{settings.host}:{chosen_port}"
    console.print(f"\n[bold green]tendero demo[/bold green] at {url}  (API docs: {url}/docs)")
    console.print(f"tenant: {ready.tenant}   admin API key: [bold]{ready.api_key}[/bold]")
    console.print(f"models training now: {', '.join(ready.models)} — follow them at {url}/v1/jobs\n")
    uvicorn.run(create_app(), host=settings.host, port=chosen_port, access_log=False, log_config=None)


def _register_benches() -> None:
    from tendero.bench import api as api_bench

    bench_app.command("api")(api_bench.command)


_register_benches()


if __name__ == "__main__":
    app()
