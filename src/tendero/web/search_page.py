"""The dashboard's product search: the header's box lands here; same service call as ``GET /v1/search``."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from tendero.services import search as search_service
from tendero.web.access import Reader
from tendero.web.rendering import PREFIX, WebRoute, render

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
MAX_QUERY_CHARS = 500


@router.get("/search")
def search_page(request: Request, session: Reader, q: Annotated[str, Query(max_length=10_000)] = "") -> Response:
    principal = session.principal
    assert principal is not None
    query = q.strip()
    context: dict[str, Any] = {"search_q": query, "answer": None, "too_long": len(query) > MAX_QUERY_CHARS}
    if query and not context["too_long"]:
        started = time.perf_counter()
        answer = search_service.search(principal.tenant_id, query, limit=20)
        search_service.record_search(principal.tenant_id, "web:search", started, str(answer.index["version"]))
        context["answer"] = answer
    return render(request, "search.html", context)
