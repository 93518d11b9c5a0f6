"""``tendero ask --tenant T "question"``: the business assistant in a terminal (the same service as the API)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from tendero.cli.capabilities import JsonOpt, TenantOpt, console, fail, print_json, tenant_id_of
from tendero.cli.output import say


def ask_command(
    question: Annotated[str, typer.Argument(help="the question, in Spanish or English")],
    tenant: TenantOpt,
    conversation: Annotated[str | None, typer.Option("--conversation", help="continue this conversation")] = None,
    assistant_type: Annotated[str | None, typer.Option("--type", help="SALES_ANALYSIS, CUSTOMER_INSIGHT, ...")] = None,
    today: Annotated[str | None, typer.Option("--today", help="count 'last month' from this date (YYYY-MM-DD)")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Ask the assistant; prints the answer, the figures behind it and their sources."""
    from tendero.errors import NotFound
    from tendero.services import Invalid, assistant

    tenant_id = tenant_id_of(tenant)
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        fail(say("pair", option="--today", value=today, form="YYYY-MM-DD"))
        return
    try:
        answer = assistant.ask(
            tenant_id, question, assistant_type=assistant_type, conversation_id=conversation, today=day
        )
    except Invalid as error:
        fail(str(error))
        return
    except NotFound as error:
        fail(str(error))
        return
    if json_output:
        print_json(answer)
        return
    console.print(answer["answer"], highlight=False)
    sources = "; ".join(s.get("query") or s.get("model") or s.get("service", "") for s in answer["sources"])
    console.print(
        f"[dim]{answer['intent']} · {answer['response_time_ms']:.0f} ms · conversation {answer['conversation_id']}"
        + (f" · {sources}" if sources else "")
        + "[/dim]",
        highlight=False,
    )
