"""API keys of the caller's tenant: list, create (shown once), revoke. Admin only."""

from __future__ import annotations

from fastapi import APIRouter, status

from tendero.api.deps import AdminDep, PageDep, SessionDep
from tendero.services.schemas import KeyCreate, KeyCreated, KeyOut, PageOf
from tendero.services.tenants import key_cache
from tendero.store import tenants

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.get("")
def list_keys(principal: AdminDep, session: SessionDep, page: PageDep) -> PageOf[KeyOut]:
    rows = tenants.list_keys(session, principal.tenant_id)
    items = [KeyOut.model_validate(row) for row in rows[page.offset : page.offset + page.limit]]
    return PageOf[KeyOut](items=items, total=len(rows), limit=page.limit, offset=page.offset)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, principal: AdminDep, session: SessionDep) -> KeyCreated:
    issued = tenants.create_key(session, principal.tenant_id, body.name, body.role)
    return KeyCreated(
        id=issued.id, name=issued.name, prefix=issued.prefix, role=issued.role, created_at=issued.created_at,
        last_used_at=None, revoked_at=None, key=issued.secret,
    )  # fmt: skip


@router.post("/{key_id}/revoke")
def revoke_key(key_id: str, principal: AdminDep, session: SessionDep) -> KeyOut:
    row = tenants.revoke_key(session, principal.tenant_id, key_id)
    key_cache.forget_prefix(row.prefix)
    return KeyOut.model_validate(row)
