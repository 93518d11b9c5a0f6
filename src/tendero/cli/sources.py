"""``tendero sources``: the named SQL sources an operator opens to a tenant (read-only, never tendero's own
database). Passwords are kept for the server to connect with and never printed."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tendero.cli.capabilities import JsonOpt, fail, print_json, tenant_id_of

console = Console()
sources_app = typer.Typer(
    help="Named SQL sources a tenant's analysts may query (read-only; never tendero's own database).",
    no_args_is_help=True,
)


@sources_app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="the name requests use (sql_source=NAME)")],
    url: Annotated[str, typer.Argument(help="a SQLite or PostgreSQL URL; - reads it from standard input")],
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="the tenant whose analysts may query it")],
) -> None:
    """Store a source for one tenant; the URL is checked (dialect, not tendero's own database), never shown."""
    from tendero.store.sources import SourceRefused, add_source

    if url == "-":  # keeps the password out of the shell's history and the process list
        url = sys.stdin.readline().strip()
    tenant_id = tenant_id_of(tenant)
    try:
        source = add_source(tenant_id, name, url)
    except SourceRefused as error:
        fail(str(error))
        raise
    console.print(f"source [bold]{source.name}[/bold] added for {tenant}: {source.shown_url()}")


@sources_app.command("list")
def sources_list(
    tenant: Annotated[str | None, typer.Option("--tenant", "-t", help="only the sources this tenant may use")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sources, where they come from and whom they are open to; URLs with the password hidden."""
    from tendero.config import get_settings
    from tendero.store.db import display_url, session_scope
    from tendero.store.sources import sources_for
    from tendero.store.sql_sources import all_stored_sources

    found: list[dict[str, str]] = []
    if tenant is not None:
        for source in sources_for(tenant_id_of(tenant)):
            found.append({"name": source.name, "origin": source.origin, "tenants": tenant,
                          "url": source.shown_url()})  # fmt: skip
    else:
        for name, value in get_settings().sql_sources.items():
            url = value["url"] if isinstance(value, dict) else value
            open_to = ", ".join(value.get("tenants") or []) if isinstance(value, dict) else "every tenant"
            found.append({"name": name, "origin": "settings", "tenants": open_to, "url": display_url(url)})
        from tendero.store.migrate import upgrade_database

        upgrade_database()
        with session_scope() as session:
            for tenant_name, row in all_stored_sources(session):
                found.append({"name": row.name, "origin": "stored", "tenants": tenant_name,
                              "url": display_url(row.url)})  # fmt: skip
    if as_json:
        print_json(found)
        return
    table = Table("name", "origin", "open to", "url (password hidden)")
    for source in found:
        table.add_row(source["name"], source["origin"], source["tenants"], source["url"])
    console.print(table)


@sources_app.command("remove")
def sources_remove(
    name: str,
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="the tenant the source was added for")],
) -> None:
    """Remove a stored source (sources from TENDERO_SQL_SOURCES are removed from the settings)."""
    from tendero.store.sources import remove_source

    if not remove_source(tenant_id_of(tenant), name):
        fail(f"no stored source named {name!r} for {tenant}")
    console.print(f"source {name} removed")
