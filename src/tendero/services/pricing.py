"""Price suggestions as a service: the tenant's deployed ``pricing`` model answers for one product."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tendero.errors import NotFound, UnknownId
from tendero.registry.service import Served, deployed_models
from tendero.services.items import excluded_items, item_facts, with_item_facts

DEFAULT_MODEL = "pricing"


class PriceRequest(BaseModel):
    """The 3T contract: ``{product_id, cost?, objective?}``; guardrail and model optional."""

    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(min_length=1, max_length=200)
    cost: float | None = Field(None, ge=0, description="unit cost; default: the product's cost when imported")
    objective: Literal["revenue", "margin"] | None = Field(None, description="default: the model's (revenue)")
    max_change: float | None = Field(None, gt=0, le=0.9, description="guardrail, e.g. 0.1 for ±10 %")
    model: str = Field(DEFAULT_MODEL, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def served_model(tenant_id: str, name: str = DEFAULT_MODEL) -> Served:
    """The deployed pricing model, or NotFound saying how to train one."""
    try:
        served = deployed_models.get(tenant_id, name)
    except NotFound as error:
        raise NotFound(
            f"no deployed pricing model {name!r}: train one with POST /v1/models/{name}/train "
            '{"kind": "pricing"} once order lines are imported'
        ) from error
    if served.kind != "pricing":
        raise NotFound(f"model {name!r} is a {served.kind} model, not a pricing model")
    return served


def suggest_price(tenant_id: str, request: PriceRequest, lang: str = "es") -> dict[str, Any]:
    """The suggested price with its interval, or "cannot estimate" and the category's figure."""
    served = served_model(tenant_id, request.model)
    fitted: Any = served.fitted
    try:
        answer = fitted.suggest(request.product_id, request.cost, request.objective, request.max_change, lang)
    except KeyError as error:
        raise UnknownId("item", request.product_id, request.model, served.version, "body.product_id") from error
    facts = item_facts(tenant_id, [request.product_id])[request.product_id]
    non_product = request.product_id in excluded_items(tenant_id)
    return {**answer, "name": facts["name"], "category": answer.get("category") or facts["category"],
            "non_product": non_product, "model": {"name": request.model, "version": served.version}}  # fmt: skip


def elasticities(tenant_id: str, name: str = DEFAULT_MODEL, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Every product's elasticity (estimated first, then by product id), paginated."""
    served = served_model(tenant_id, name)
    table = served.fitted.elasticities()
    excluded = excluded_items(tenant_id)
    if excluded:  # postage, fees...: no price to suggest, and they would crowd the list
        table = table[~table["product_id"].astype(str).isin(excluded)]
    table = table.assign(order=table["source"] != "product").sort_values(["order", "product_id"])
    columns = ["product_id", "category", "source", "elasticity", "se", "own_elasticity", "shrink_weight", "periods"]
    page = table[columns].iloc[offset : offset + limit].astype(object).where(table[columns].notna(), None)
    rows = with_item_facts(tenant_id, page.to_dict("records"), key="product_id")
    return {"items": rows, "total": len(table), "limit": limit, "offset": offset,
            "model": {"name": name, "version": served.version}}  # fmt: skip
