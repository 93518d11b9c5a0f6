"""Sales analysis and product suggestions as a service: the faces, the jobs and the assistant call these.

Every function takes the caller's tenant; frames are read for that tenant only and every stored
analysis is found by (tenant, id), so another tenant's analysis is a ``NotFound`` like a missing one.
Numbers come from the tenant's order lines (pandas) and from its deployed models, which each answer
names in ``sources``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["es", "en"]
SuggestionType = Literal["all", "bundles", "trends", "slow_movers", "cross_sell", "seasonal"]
SUGGESTION_TYPES: tuple[str, ...] = ("bundles", "trends", "slow_movers", "cross_sell", "seasonal")


class PeriodIn(BaseModel):
    """Days ``start`` to ``end``, both included (ISO dates)."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(description="first day, YYYY-MM-DD")
    end: str = Field(description="last day, YYYY-MM-DD (included)")


class SalesAnalysisRequest(BaseModel):
    """``POST /v1/insights/sales``: the period, what to compare it with (default: the previous period of the
    same shape), the language of the stored sentences' headline order, and the currency of the shop."""

    model_config = ConfigDict(extra="forbid")

    period: PeriodIn | str = Field(description='{"start", "end"}, or 2011-11, 2011-Q4, 2011-W45, 2011, A..B')
    compare_to: PeriodIn | str | None = Field(None, description="default: the previous period of the same shape")
    language: Language | None = Field(None, description="es or en; default: the caller's Accept-Language")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code of the shop's prices")
    top: int = Field(10, ge=1, le=50, description="movers and items listed per section")


class SuggestionsRequest(BaseModel):
    """``POST /v1/suggestions/products``: one type of suggestion or all of them, as of a day."""

    model_config = ConfigDict(extra="forbid")

    type: SuggestionType = "all"
    as_of: str | None = Field(None, description="YYYY-MM-DD; default: the last day with sales")
    limit: int = Field(10, ge=1, le=100, description="suggestions per type")
    language: Language | None = None
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


def analyze_sales(
    tenant_id: str, request: SalesAnalysisRequest, language: Language = "es", store: bool = True
) -> dict[str, Any]:
    """Run the analysis on the tenant's order lines and deployed models; stored (with an ``id``) unless
    ``store`` is False. Raises ``Invalid`` for a period that cannot be analysed, ``NotFound`` for a tenant
    without order lines."""
    raise NotImplementedError


def get_analysis(tenant_id: str, analysis_id: str) -> dict[str, Any]:
    """A stored analysis of this tenant (``NotFound`` otherwise)."""
    raise NotImplementedError


def list_analyses(tenant_id: str, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Stored analyses, newest first: their id, periods and headline (no full content)."""
    raise NotImplementedError


def report(tenant_id: str, analysis_id: str, fmt: Literal["md", "html"], language: Language) -> str:
    """The stored analysis as Markdown or as one self-contained, escaped HTML page."""
    raise NotImplementedError


def submit_analysis(tenant_id: str, request: SalesAnalysisRequest, language: Language) -> dict[str, Any]:
    """Queue the analysis as an ``insights`` job; the job's result names the stored analysis."""
    raise NotImplementedError


def suggest_products(tenant_id: str, request: SuggestionsRequest, language: Language = "es") -> dict[str, Any]:
    """Bundles, rising and falling products, slow movers, cross-sell per category and seasonal products."""
    raise NotImplementedError
