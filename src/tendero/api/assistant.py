"""The business assistant over HTTP: ask a question, list and read the tenant's conversations.

The s1 design's ``POST /ai/query`` with its four assistant types, answered offline from the shop's own numbers;
every question is audited like a prediction and counted in ``/v1/usage``.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from tendero.api.audit import record_call
from tendero.api.deps import PageDep, ReaderDep, language_of
from tendero.api.errors import ProblemError
from tendero.insights.assistant.schema import AssistantType
from tendero.services import Invalid
from tendero.services import assistant as service

router = APIRouter(prefix="/v1/assistant", tags=["assistant"])


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(max_length=100_000, description="the question, in Spanish or English")
    assistant_type: AssistantType | None = Field(
        None, description="GENERAL_QUERY, SALES_ANALYSIS, PRODUCT_SUGGESTION or CUSTOMER_INSIGHT (s1)"
    )
    conversation_id: str | None = Field(None, max_length=32, description="continue this conversation")


@router.post("/query")
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
