"""The business assistant over HTTP: ask a question, list and read the tenant's conversations.

The s1 design's ``POST /ai/query`` with its four assistant types, answered offline from the shop's own numbers;
every question is audited like a prediction and counted in ``/v1/usage``.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from tendero.api.audit import record_call
from tendero.api.deps import PageDep, ReaderDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.openapi import problems
from tendero.services import Invalid
from tendero.services import assistant as service
from tendero.services.assistant import MAX_QUERY_CHARS, AssistantType, Intent, Language

router = APIRouter(prefix="/v1/assistant", tags=["assistant"])


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=r"\S",
        description=f"the question, in Spanish or English (at most {MAX_QUERY_CHARS} characters, not blank)",
    )
    assistant_type: AssistantType | None = Field(
        None, description="GENERAL_QUERY, SALES_ANALYSIS, PRODUCT_SUGGESTION or CUSTOMER_INSIGHT (s1)"
    )
    conversation_id: str | None = Field(None, max_length=32, description="continue this conversation")


class AnswerOut(BaseModel):
    """One answer: the sentence, every number in it (``data``) and where each came from (``sources``)."""

    model_config = ConfigDict(extra="allow")

    intent: Intent = Field(description="what the question asks for (one of the assistant's intents)")
    slots: dict[str, Any] = Field(description="measure, period, compare_to ({start, end}, inclusive), n, direction, "
                                  "category, product, customer, segment, horizon ({n, unit}) as used")  # fmt: skip
    answer: str = Field(description="the sentence, in the question's language")
    data: dict[str, Any] = Field(description="every number of the sentence, with its currency or unit")
    sources: list[dict[str, Any]] = Field(description="the query, model or service behind the figures")
    status: Literal["answered", "unavailable", "not_found", "need_more", "unknown"]
    conversation_id: str | None = Field(description="continue with it for follow-ups (¿y el anterior?)")
    assistant_type: AssistantType
    language: Language
    understood_by: Literal["rules", "llm"]
    confidence: float
    tokens_used: int = Field(description="language-model tokens (0 when no TENDERO_LLM_URL is set)")
    response_time_ms: float


@router.post(
    "/query",
    response_model=AnswerOut,
    responses=problems(404, s404="No such conversation for this tenant — No existe esa conversación"),
)
def query(body: QueryIn, request: Request, principal: ReaderDep) -> dict[str, Any]:
    """``{intent, slots, answer, data, sources, conversation_id, language, response_time_ms}``: ``data`` holds every
    number of ``answer`` and ``sources`` the query or model behind each."""
    started = time.perf_counter()
    try:
        answer = service.ask(
            principal.tenant_id,
            body.query,
            assistant_type=body.assistant_type,
            conversation_id=body.conversation_id,
            language=language_of(request) if "accept-language" in request.headers else None,
            key_prefix=principal.key_prefix,
        )
    except Invalid as error:
        record_call(request, principal, "predict", started, 422, model="assistant", error=str(error))
        raise ProblemError(422, str(error), error.errors) from error
    record_call(request, principal, "predict", started, 200, model="assistant")
    return answer


@router.get("/conversations")
def list_conversations(
    principal: ReaderDep,
    page: PageDep,
    assistant_type: Annotated[AssistantType | None, Query(description="only conversations of this type")] = None,
) -> dict[str, Any]:
    """The tenant's conversations, most recently active first: ``{items, total, limit, offset}``."""
    return service.conversations(principal.tenant_id, assistant_type, page.limit, page.offset)


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, principal: ReaderDep) -> dict[str, Any]:
    """One conversation with every question, answer, its numbers and sources, in order."""
    return service.conversation(principal.tenant_id, conversation_id)
