"""The dashboard's assistant: ask a question, read the conversation with the figures and sources behind each
answer, and reopen past conversations (filtered by s1 type). Same service call as ``POST /v1/assistant/query``."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from tendero.services import Invalid
from tendero.services import assistant as service
from tendero.web.access import PostTrainer, Reader
from tendero.web.rendering import PREFIX, WebRoute, language, redirect, render

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
TYPES = service.ASSISTANT_TYPE_NAMES


@router.get("/assistant")
def assistant_page(
    request: Request,
    session: Reader,
    c: Annotated[str | None, Query(max_length=32)] = None,
    kind: Annotated[str | None, Query(alias="type", max_length=32)] = None,
) -> Response:
    """The question box, the open conversation (``?c=``) and the tenant's conversations (``?type=`` filters)."""
    principal = session.principal
    assert principal is not None
    chosen = kind if kind in TYPES else None
    conversation = service.conversation(principal.tenant_id, c) if c else None  # another tenant's: 404
    listing = service.conversations(principal.tenant_id, chosen, limit=30)
    messages = [
        {**m, "data_json": json.dumps(m["data"], ensure_ascii=False, indent=1, default=str)}
        for m in (conversation["messages"] if conversation else [])
    ]
    context: dict[str, Any] = {
        "conversation": conversation,
        "messages": messages,
        "listing": listing,
        "types": TYPES,
        "chosen_type": chosen,
        "examples": service.examples(language(request)),
        "max_chars": service.MAX_QUERY_CHARS,
    }
    return render(request, "assistant.html", context)


@router.post("/assistant")
def ask(
    request: Request,
    session: PostTrainer,
    query: Annotated[str, Form(max_length=100_000)] = "",
    conversation_id: Annotated[str, Form(max_length=32)] = "",
    assistant_type: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Ask (as ``POST /v1/assistant/query``), then show the conversation with the new answer last."""
    principal = session.principal
    assert principal is not None
    lang = language(request)
    back = f"{PREFIX}/assistant" + (f"?c={conversation_id}" if conversation_id else "")
    try:
        answer = service.ask(
            principal.tenant_id,
            query,
            assistant_type=assistant_type if assistant_type in TYPES else None,
            conversation_id=conversation_id or None,
            language=lang,
            key_prefix=principal.key_prefix,
        )
    except Invalid:
        return redirect(request, back, ("error", service.refusal(query, lang)))
    return redirect(request, f"{PREFIX}/assistant?c={answer['conversation_id']}#last")
