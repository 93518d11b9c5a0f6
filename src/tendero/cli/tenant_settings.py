"""``tendero tenant settings``: show or change a tenant's currency and non-product rule."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from tendero.errors import NotFound

console = Console()
err = Console(stderr=True)


def settings_command(
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="tenant name or id")],
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code of every money figure (EUR, USD, MXN...)")] = None,
    exclude_non_products: Annotated[
        bool | None,
        typer.Option(
            "--exclude-non-products/--include-non-products",
            help="leave postage, fees, discounts... out of recommendations, product lists and pricing",
        ),
    ] = None,
    mark_non_product: Annotated[list[str] | None, typer.Option(help="an item id to treat as a non-product")] = None,
    mark_product: Annotated[list[str] | None, typer.Option(help="an item id to treat as a product")] = None,
    clear_mark: Annotated[list[str] | None, typer.Option(help="an item id to leave to the flags again")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    lang: Annotated[str, typer.Option("--lang", help="es or en")] = "es",
) -> None:
    """Show the tenant's currency and non-product rule (with every item it leaves out and why), or change them."""
    from tendero.services import tenant_settings, tenants

    if lang not in ("es", "en"):
        err.print(f"[red]error:[/red] --lang {lang!r} is not available: es or en")
        raise typer.Exit(2)
    try:
        tenant_id = tenants.find_tenant(tenant).id
        update = tenant_settings.SettingsUpdate(
            currency=currency.strip().upper() if currency else None, exclude_non_products=exclude_non_products,
            mark_non_products=mark_non_product or [], mark_products=mark_product or [], clear_marks=clear_mark or [],
        )  # fmt: skip
        if update.model_fields_set - {"mark_non_products", "mark_products", "clear_marks"} or (
            update.mark_non_products or update.mark_products or update.clear_marks
        ):
            tenant_settings.update_settings(tenant_id, update)
        answer = tenant_settings.settings_answer(tenant_id, lang)
    except NotFound as error:
        err.print(f"[red]error:[/red] {error}: create it with `tendero tenant create {tenant}`")
        raise typer.Exit(1) from error
    except ValidationError as error:
        message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        err.print(f"[red]error:[/red] --currency: {message}")
        raise typer.Exit(2) from error
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    if as_json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
        return
    say = tenant_settings.say
    console.print(
        f"{say('settings.currency', lang)}: [bold]{answer['currency']}[/bold] ({answer['currency_source_text']})"
    )
    console.print(f"{say('settings.exclude_non_products', lang)}: {'✓' if answer['exclude_non_products'] else '✗'}")
    table = Table(
        say("settings.item", lang), "", "", say("settings.reason", lang), title=say("settings.non_products", lang)
    )
    for row in answer["non_products"]:
        table.add_row(row["item_id"], row["name"] or "", row["rule"], row["reason"])
    console.print(table)
