"""``tendero sources``: the named SQL sources an operator opens to a tenant (read-only, never tendero's own
database). Passwords are kept for the server to connect with and never printed."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tendero.cli import output
from tendero.cli.capabilities import JsonOpt, fail, print_json, tenant_id_of
from tendero.cli.output import Column, say

console = output.Screen()
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
    from tendero.services.data import SourceRefused
    from tendero.services.sources import add_source

    if url == "-":  # keeps the password out of the shell's history and the process list
        url = sys.stdin.readline().strip()
    tenant_id = tenant_id_of(tenant)
    try:
        source = add_source(tenant_id, name, url)
    except SourceRefused as error:
        fail(str(error))
    console.print(say("source.added", name=source.name, tenant=tenant, url=source.shown_url()), markup=False)


@sources_app.command("list")
def sources_list(
    tenant: Annotated[str | None, typer.Option("--tenant", "-t", help="only the sources this tenant may use")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sources, where they come from and whom they are open to; URLs with the password hidden."""
    from tendero.services import sources

    if tenant is not None:
        found = sources.sources_of(tenant_id_of(tenant), tenant)
    else:
        from tendero.services.database import upgrade_database

        upgrade_database()
        found = sources.all_sources()
    if as_json:
        print_json(found)
        return
    columns = [Column("name", "col.name"), Column("origin", "col.origin"), Column("tenants", "col.open_to"),
               Column("url", "col.url_hidden", "id")]  # fmt: skip
    output.print_table(found, columns)


@sources_app.command("remove")
def sources_remove(
    name: str,
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="the tenant the source was added for")],
) -> None:
    """Remove a stored source (sources from TENDERO_SQL_SOURCES are removed from the settings)."""
    from tendero.services.sources import remove_source

    if not remove_source(tenant_id_of(tenant), name):
        fail(say("source.unknown", name=name, tenant=tenant))
    console.print(say("source.removed", name=name), markup=False)
