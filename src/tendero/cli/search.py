"""`tendero search --tenant T "query"`: the tenant's products for a text, as the API ranks them."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from tendero.cli import output
from tendero.cli.failures import fail
from tendero.cli.output import Column, say

console = output.Screen()
err = output.Screen(stderr=True)


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
    from tendero.cli.capabilities import tenant_id_of
    from tendero.services import search as search_service
    from tendero.services.search import ModelMissing

    if not tenant:
        fail(say("search.tenant"), 2)
    tenant_id = tenant_id_of(tenant)
    try:
        if reindex or rebuild:
            summary = search_service.sync_index(tenant_id, rebuild=rebuild)
            err.print(say("search.indexed", products=f"{summary['products']:,}",
                          embedded=f"{summary['embedded_now']:,}", removed=f"{summary['removed']:,}",
                          model=summary["model"], seconds=summary["seconds"]), markup=False)  # fmt: skip
        if query is None:
            if not (reindex or rebuild):
                fail(say("search.no_query"), 2)
            return
        if not query.strip():
            fail(say("search.empty"), 2)
        started = time.perf_counter()
        answer = search_service.search(tenant_id, query.strip()[:500], limit=limit, category=category,
                                       min_price=min_price, max_price=max_price)  # fmt: skip
        search_service.record_search(tenant_id, "cli:search", started, str(answer.index["version"]))
    except ModelMissing as error:
        fail(str(error))
    from tendero.services.tenant_settings import currency_of

    currency = currency_of(tenant_id)  # of each item's price
    if as_json:
        payload = {"query": answer.query, "items": [vars(i) for i in answer.items], "currency": currency,
                   "total": answer.total, "index": answer.index, "notice": answer.notice}  # fmt: skip
        sys.stdout.write(json.dumps(payload, default=str) + "\n")
        return
    if answer.notice == "no_terms":
        console.print(say("search.no_terms"), markup=False)
        return
    rows = [{**vars(item), "rank": rank, "matched": ", ".join(item.matched)}
            for rank, item in enumerate(answer.items, start=1)]  # fmt: skip
    columns = [Column("rank", "col.rank", "count"), Column("product_id", "col.product", "id"),
               Column("name", "col.name"), Column("category", "col.category"), Column("price", "col.price", "money"),
               Column("score", "col.score", "count"), Column("matched", "col.matched")]  # fmt: skip
    output.print_table(rows, columns, currency=currency)
    if answer.notice == "index_building":
        console.print(say("search.building"), markup=False)
