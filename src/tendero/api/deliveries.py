"""Deliveries over HTTP: every message sent, with status, attempts and response codes; the dead-letter list
(``?status=dead``) and replay. Thin: every route calls ``tendero.services.deliveries``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from tendero.api.deps import AdminDep, PageDep, ReaderDep
from tendero.api.openapi import problems
from tendero.services import deliveries as service

router = APIRouter(prefix="/v1/deliveries", tags=["automation"])
Status = Annotated[str | None, Query(pattern="^(pending|sending|retrying|delivered|dead)$")]


@router.get("")
def list_deliveries(
    principal: ReaderDep, page: PageDep, status: Status = None, channel_id: str | None = None,
    event: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Newest first; ``status=dead`` is the dead-letter list."""
    items, total = service.list_all(principal.tenant_id, status=status, channel_id=channel_id, event=event,
                                    limit=page.limit, offset=page.offset)  # fmt: skip
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/{delivery_id}")
def get(delivery_id: str, principal: ReaderDep) -> dict[str, Any]:
    """The delivery, each attempt (time, response code, error, duration) and the event it carries."""
    return service.get(principal.tenant_id, delivery_id)


@router.post("/{delivery_id}/replay", status_code=status.HTTP_202_ACCEPTED, responses=problems(
    409, s409="The delivery is still being sent, or its channel was deleted — La entrega aún se está enviando, o "
    "su canal se eliminó"))  # fmt: skip
def replay(delivery_id: str, principal: AdminDep) -> dict[str, Any]:
    """Send a dead-lettered (or delivered) delivery's event to its channel again, as a new delivery."""
    return service.replay(principal.tenant_id, delivery_id)
