"""What a question means: one intent and its slots, the same schema for the rules and for a language model.

Slots carry only what the question (or the conversation) says; defaults such as "the last 30 days" are the
answering service's choice, so a benchmark can tell understanding from policy.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Intent = Literal[
    "sales_total",
    "sales_compare",
    "sales_trend",
    "top_products",
    "top_categories",
    "average_ticket",
    "forecast",
    "product_demand",
    "customers_at_risk",
    "customer_insight",
    "likely_buyers",
    "segments",
    "top_customers",
    "recommend_for_customer",
    "similar_products",
    "bought_together",
    "product_search",
    "insights",
    "product_suggestions",
    "model_health",
    "help",
    "unknown",
]
INTENTS: tuple[str, ...] = get_args(Intent)
Measure = Literal["revenue", "units", "orders", "customers", "average_ticket"]
MEASURES: tuple[str, ...] = get_args(Measure)
Direction = Literal["top", "bottom"]
HorizonUnit = Literal["day", "week", "month"]
Language = Literal["es", "en"]

# the slots each intent can use; anything else the words suggested is dropped
ALLOWED_SLOTS: dict[str, frozenset[str]] = {
    "sales_total": frozenset({"measure", "period", "category", "product", "customer"}),
    "sales_compare": frozenset({"measure", "period", "compare_to", "category", "product", "customer"}),
    "sales_trend": frozenset({"measure", "period", "category", "product", "customer"}),
    "top_products": frozenset({"n", "direction", "measure", "period", "category"}),
    "top_categories": frozenset({"n", "direction", "measure", "period"}),
    "average_ticket": frozenset({"period", "compare_to", "category"}),
    "forecast": frozenset({"measure", "period", "horizon", "category"}),
    "product_demand": frozenset({"measure", "product", "horizon", "period"}),
    "customers_at_risk": frozenset({"n", "segment"}),
    "customer_insight": frozenset({"customer"}),
    "likely_buyers": frozenset({"n", "horizon"}),
    "segments": frozenset({"segment", "n"}),
    "top_customers": frozenset({"n", "direction", "measure", "period", "category"}),
    "recommend_for_customer": frozenset({"customer", "n", "category"}),
    "similar_products": frozenset({"product", "n"}),
    "bought_together": frozenset({"product", "n"}),
    "product_search": frozenset({"category", "n"}),
    "insights": frozenset({"period", "compare_to", "category"}),
    "product_suggestions": frozenset({"category", "n", "product"}),  # a product: its price suggestion
    "model_health": frozenset(),
    "help": frozenset(),
    "unknown": frozenset(),
}


class Period(BaseModel):
    """An inclusive range of days."""

    model_config = ConfigDict(extra="forbid")

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period: end is before start")
        return self

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


class Horizon(BaseModel):
    """How far ahead: ``n`` days, weeks or months (a quarter is 3 months, a year 12)."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(ge=1, le=366)
    unit: HorizonUnit


class Slots(BaseModel):
    """Every slot the assistant knows; absent means "the question did not say"."""

    model_config = ConfigDict(extra="forbid")

    measure: Measure | None = None
    period: Period | None = None
    compare_to: Period | None = None
    n: int | None = Field(None, ge=1, le=500)
    direction: Direction | None = None
    category: str | None = Field(None, max_length=200)
    product: str | None = Field(None, max_length=200)
    customer: str | None = Field(None, max_length=200)
    segment: str | None = Field(None, max_length=64)
    horizon: Horizon | None = None

    def as_json(self) -> dict[str, Any]:
        """Only the slots that are set, dates as ISO text (the API's and the golden set's shape)."""
        out: dict[str, Any] = {}
        for name, value in self:
            if value is None:
                continue
            out[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return out


class Understanding(BaseModel):
    """The intent, its slots, the language the question was written in, and how it was understood.

    ``terms`` is the text a product search should look for; ``topic`` narrows product suggestions
    (``bundles``, ``rising``, ``falling``, ``slow_movers``, ``cross_sell``, ``seasonal``, ``price``); neither is a
    slot.
    """

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    slots: Slots = Field(default_factory=Slots)
    language: Language = "es"
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    follow_up: bool = False
    terms: str | None = None
    topic: str | None = None
    source: Literal["rules", "llm"] = "rules"

    def keep_allowed(self) -> Understanding:
        """A copy without the slots this intent cannot use."""
        allowed = ALLOWED_SLOTS[self.intent]
        kept = {k: v for k, v in self.slots if k in allowed and v is not None}
        return self.model_copy(update={"slots": Slots(**kept)})


def parse_understanding(payload: Any, language: str = "es") -> Understanding | None:
    """A language model's ``{"intent", "slots"}`` checked against the schema; None when it does not fit."""
    if not isinstance(payload, dict) or payload.get("intent") not in INTENTS:
        return None
    slots = payload.get("slots") or {}
    if not isinstance(slots, dict):
        return None
    try:
        parsed = Slots.model_validate({k: v for k, v in slots.items() if v is not None})
        understood = Understanding(intent=payload["intent"], slots=parsed,
                                   language="en" if language == "en" else "es", source="llm")  # fmt: skip
    except ValidationError:
        return None
    if set(understood.slots.as_json()) - ALLOWED_SLOTS[understood.intent]:
        return None
    return understood


# the s1 design's assistant types and the intents each covers; a conversation's type is the one its first
# answered question belongs to, unless the caller names one
ASSISTANT_TYPES: dict[str, tuple[str, ...]] = {
    "SALES_ANALYSIS": ("sales_total", "sales_compare", "sales_trend", "top_products", "top_categories",
                       "average_ticket", "forecast", "product_demand", "insights", "model_health"),
    "PRODUCT_SUGGESTION": ("product_suggestions", "similar_products", "bought_together", "product_search"),
    "CUSTOMER_INSIGHT": ("customers_at_risk", "customer_insight", "likely_buyers", "segments", "top_customers",
                         "recommend_for_customer"),
    "GENERAL_QUERY": (),
}  # fmt: skip
AssistantType = Literal["GENERAL_QUERY", "SALES_ANALYSIS", "PRODUCT_SUGGESTION", "CUSTOMER_INSIGHT"]


def type_of_intent(intent: str) -> str:
    """The assistant type an intent belongs to (``help`` and ``unknown`` are general queries)."""
    for name, covered in ASSISTANT_TYPES.items():
        if intent in covered:
            return name
    return "GENERAL_QUERY"
