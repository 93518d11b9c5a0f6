"""``tendero customers show ID`` and ``tendero recommend --user ID``: one customer, as the API answers them.

The same services as ``/v1/customers/{id}/insights`` and ``/v1/recommendations``: an unknown customer is said to
be unknown (``show`` fails naming the id; ``recommend`` says the list is the popular items, not theirs).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tendero.cli import output
from tendero.cli.capabilities import JsonOpt, TenantOpt, _customer_model, console, err, fail, print_json, tenant_id_of
from tendero.errors import UnknownId


def customers_show(
    customer_id: Annotated[str, typer.Argument(help="the customer id exactly as your data writes it")],
    tenant: TenantOpt,
    as_json: JsonOpt = False,
) -> None:
    """One customer: segment, R/F/M, churn probability, expected purchases, CLV and the top reasons."""
    from tendero.catalogue.answers import answer_text
    from tendero.services import customers

    lang = output.language()
    _, served = _customer_model(tenant)
    try:
        customers.require_customer(served, customer_id, field="CUSTOMER_ID")
    except UnknownId as error:
        fail(answer_text("unknown.customer", lang, id=error.id, model=error.model, version=error.version or ""))
    answer = {"model": {"name": served.model, "version": served.version},
              **served.fitted.insights(customer_id, lang)}  # fmt: skip
    if as_json:
        print_json(answer)
        return
    for key, value in answer.items():
        if key != "model" and not isinstance(value, dict | list):
            console.print(f"{key}: {value}", highlight=False)


def recommend_command(
    tenant: TenantOpt,
    user: Annotated[str | None, typer.Option("--user", help="the customer id exactly as your data writes it")] = None,
    k: Annotated[int, typer.Option(min=1, max=500, help="how many items")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Recommendations for a customer (the deployed recommender, or the business rules when none is)."""
    from tendero.services import recommendations

    lang = output.language()
    tenant_id = tenant_id_of(tenant)
    recommender, served = recommendations.serving_recommender(tenant_id, recommendations.DEFAULT_MODEL, lang)
    recent = None
    if served["path"] == "model" and user is not None:
        recent = recommendations.interactions_since(tenant_id, user, recommender.trained_until())
    excluded = recommendations.excluded_items(tenant_id)  # the non-product rule, as the API applies it
    answered = recommender.recommend(user, k, None, list(excluded), None, None, lang, recent)
    items = recommendations.item_rows(tenant_id, answered, excluded, k)
    asked = recommendations.who_asked(recommender, user, recent, [], lang)
    answer: dict[str, Any] = {"user_id": user, **asked, "items": items, **served}
    if as_json:
        print_json(answer)
        return
    if asked.get("fallback"):
        err.print(f"[yellow]{asked['fallback']['message']}[/yellow]", highlight=False)
    for rank, item in enumerate(items, start=1):
        name = f"  {item['name']}" if item.get("name") else ""
        console.print(f"{rank:>3}. {item['item_id']}{name}  {item['score']:.3f}  {item['reason']}", highlight=False)
