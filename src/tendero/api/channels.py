"""Channels over HTTP: webhooks (Slack-compatible or signed generic JSON) and email lists. Secrets go in
and never come out. Thin: every route calls ``tendero.services.channels``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from tendero.api.deps import AdminDep, PageDep, ReaderDep
from tendero.api.errors import ProblemError
from tendero.api.openapi import problems
from tendero.services import Invalid
from tendero.services import channels as service

router = APIRouter(prefix="/v1/channels", tags=["automation"])


def _invalid(error: Invalid) -> ProblemError:
    return ProblemError(422, str(error), error.errors)


NAME_TAKEN = problems(409, s409="The tenant has a channel of that name — El cliente ya tiene un canal con ese nombre")


@router.post("", status_code=status.HTTP_201_CREATED, responses=NAME_TAKEN)
def create(body: service.ChannelIn, principal: AdminDep) -> dict[str, Any]:
    """A channel: ``webhook`` {url, style: slack|json, secret} or ``email`` {to, smtp?}, its ``language``
    (es, en), the ``events`` it hears by itself (default: job_failed, drift) and its ``retry`` policy."""
    try:
        return service.create(principal.tenant_id, body)
    except Invalid as error:
        raise _invalid(error) from error


@router.get("")
def list_channels(principal: ReaderDep, page: PageDep) -> dict[str, Any]:
    items, total = service.list_all(principal.tenant_id, page.limit, page.offset)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/{channel_id}")
def get(channel_id: str, principal: ReaderDep) -> dict[str, Any]:
    return service.get(principal.tenant_id, channel_id)


@router.patch("/{channel_id}", responses=NAME_TAKEN)
def update(channel_id: str, body: service.ChannelUpdate, principal: AdminDep) -> dict[str, Any]:
    """Change any part; a new webhook without ``secret`` keeps the secret set before."""
    try:
        return service.update(principal.tenant_id, channel_id, body)
    except Invalid as error:
        raise _invalid(error) from error


@router.delete("/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(channel_id: str, principal: AdminDep) -> Response:
    service.delete(principal.tenant_id, channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{channel_id}/test", status_code=status.HTTP_202_ACCEPTED)
def test(channel_id: str, principal: AdminDep) -> dict[str, Any]:
    """Send a test message; the delivery (status, attempts, response code) is at ``/v1/deliveries/{id}``."""
    try:
        return service.send_test(principal.tenant_id, channel_id)
    except Invalid as error:
        raise _invalid(error) from error
