"""API keys of the caller's tenant: list, create (shown once), revoke. Admin only."""

from __future__ import annotations

from fastapi import APIRouter, status

from tendero.api.deps import AdminDep, PageDep, SessionDep
from tendero.services import tenants
from tendero.services.schemas import KeyCreate, KeyCreated, KeyOut, PageOf

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.get("")
def list_keys(principal: AdminDep, session: SessionDep, page: PageDep) -> PageOf[KeyOut]:
    keys = tenants.list_keys(principal.tenant_id, session)
    items = keys[page.offset : page.offset + page.limit]
    return PageOf[KeyOut](items=items, total=len(keys), limit=page.limit, offset=page.offset)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, principal: AdminDep, session: SessionDep) -> KeyCreated:
    return tenants.issue_key(principal.tenant_id, body.name, body.role, session)


@router.post("/{key_id}/revoke")
def revoke_key(key_id: str, principal: AdminDep, session: SessionDep) -> KeyOut:
    return tenants.revoke(principal.tenant_id, key_id, session)
