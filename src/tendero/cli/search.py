"""`tendero search --tenant T "query"`: the tenant's products for a text, as the API ranks them."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tendero.errors import NotFound

console = Console()
err = Console(stderr=True)


def search_command(
    query: Annotated[str | None, typer.Argument(help="what to search for")] = None,
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")] = "",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    category: Annotated[str | None, typer.Option(help="only this category")] = None,
    min_price: Annotated[float | None, typer.Option(min=0)] = None,
    max_price: Annotated[float | None, typer.Option(min=0)] = None,
    reindex: Annotated[bool, typer.Option("--reindex", help="embed new and changed products now")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="re-embed every product now")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search a tenant's products (words and meaning); --reindex/--rebuild bring its index up to date."""
    from tendero.services import search as search_service
    from tendero.services import tenants
    from tendero.services.database import upgrade_database
    from tendero.services.search import ModelMissing

    if not tenant:
        err.print("[red]error:[/red] give --tenant")
        raise typer.Exit(1)
    upgrade_database()
    try:
        tenant_id = tenants.find_tenant(tenant).id
    except NotFound as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    try:
        if reindex or rebuild:
            summary = search_service.sync_index(tenant_id, rebuild=rebuild)
            err.print(f"index: {summary['products']:,} products, {summary['embedded_now']:,} embedded now, "
                      f"{summary['removed']:,} removed ({summary['model']}, {summary['seconds']} s)")  # fmt: skip
        if query is None:
            if not (reindex or rebuild):
                err.print("[red]error:[/red] give a query, or --reindex / --rebuild")
                raise typer.Exit(1)
            return
        if not query.strip():
            err.print("[red]error:[/red] the query is empty: give the words to search for")
            raise typer.Exit(1)
        started = time.perf_counter()
        answer = search_service.search(tenant_id, query.strip()[:500], limit=limit, category=category,
                                       min_price=min_price, max_price=max_price)  # fmt: skip
        search_service.record_search(tenant_id, "cli:search", started, str(answer.index["version"]))
    except ModelMissing as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    if as_json:
        payload = {"query": answer.query, "items": [vars(i) for i in answer.items], "total": answer.total,
                   "index": answer.index, "notice": answer.notice}  # fmt: skip
        sys.stdout.write(json.dumps(payload, default=str) + "\n")
        return
    if answer.notice == "no_terms":
        console.print("the query has no words to search for (only stop words or symbols)")
        return
    table = Table("#", "product", "name", "category", "price", "score", "matched")
    for rank, item in enumerate(answer.items, start=1):
        price = f"{item.price:.2f}" if item.price is not None else "-"
        table.add_row(str(rank), item.product_id, item.name, item.category or "", price, f"{item.score:.3f}",
                      ", ".join(item.matched))  # fmt: skip
    console.print(table)
    if answer.notice == "index_building":
        console.print("the semantic index is being built: only words were searched")
