"""``tendero insights sales|suggestions``: the sales analysis and product suggestions of one tenant.

The same service calls as ``/v1/insights/sales`` and ``/v1/suggestions/products``; readable text for
people (``--format md`` prints the whole report), ``--json`` for machines.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tendero.cli import output
from tendero.cli.capabilities import JsonOpt, TenantOpt, console, fail, print_json, tenant_id_of
from tendero.cli.output import say

app = typer.Typer(help="Sales analysis and product suggestions.", no_args_is_help=True)


@app.command("sales")
def sales(
    tenant: TenantOpt,
    period: Annotated[str, typer.Option(help="2011-11, 2011-Q4, 2011-W45, 2011 or 2011-11-01..2011-11-15")],
    compare_to: Annotated[str | None, typer.Option(help="default: the previous period of the same shape")] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 code of the shop's prices (default: its setting)")
    ] = None,
    report_format: Annotated[str | None, typer.Option("--format", help="md or html: print the whole report")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="do not keep the analysis")] = False,
    json_output: JsonOpt = False,
) -> None:
    """Analyse a period: KPIs, movers, anomalies, concentration, customers, outlook; ranked insights."""
    from tendero.services import insights as service
    from tendero.services.insights import render_html, render_markdown

    lang = output.language()
    if report_format not in (None, "md", "html"):
        fail(say("choice", option="--format", value=report_format, choices="md, html"), 2)
    tenant_id = tenant_id_of(tenant)
    request = service.SalesAnalysisRequest(
        period=period, compare_to=compare_to, currency=currency.upper() if currency else None
    )
    analysis = service.analyze_sales(tenant_id, request, lang, store=not no_store)
    if json_output:
        print_json(analysis)
    elif report_format == "md":
        typer.echo(render_markdown(analysis, lang))
    elif report_format == "html":
        typer.echo(render_html(analysis, lang))
    else:
        console.print(f"[bold]{analysis['period']['label'][lang]}[/bold]  ({analysis['id'] or '—'})")
        for number, insight in enumerate(analysis["insights"], start=1):
            console.print(f"{number}. {insight['text'][lang]}", highlight=False)
            for recommendation in insight["recommendations"]:
                console.print(f"   → {recommendation[lang]}", highlight=False)


@app.command("suggestions")
def suggestions(
    tenant: TenantOpt,
    suggestion_type: Annotated[
        str, typer.Option("--type", help="all, bundles, trends, slow_movers, cross_sell, seasonal")
    ] = "all",
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: the last day with sales")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code (default: the shop's setting)")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Product suggestions: bundles, rising and falling products, slow movers, cross-sell, seasonal."""
    from tendero.services import insights as service

    lang = output.language()
    tenant_id = tenant_id_of(tenant)
    chosen = currency.upper() if currency else None
    request = service.SuggestionsRequest.model_validate(
        {"type": suggestion_type, "as_of": as_of, "limit": limit, "currency": chosen}
    )
    answer = service.suggest_products(tenant_id, request, lang)
    if json_output:
        print_json(answer)
        return
    for kind in service.SUGGESTION_TYPES:
        if kind not in answer:
            continue
        section = answer[kind]
        items = section.get("items", []) + section.get("rising", []) + section.get("falling", [])
        console.print(f"[bold]{kind}[/bold] ({len(items)})")
        for item in items:
            console.print(f"- {item['text'][lang]}", highlight=False)
            console.print(f"  → {item['recommendations'][0][lang]}", highlight=False)
