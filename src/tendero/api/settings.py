"""The tenant's settings over HTTP: the currency of every money figure and the non-product rule. Every role
reads them (answers depend on them); only admins change them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from tendero.api.deps import AdminDep, ReaderDep, language_of
from tendero.errors import Invalid
from tendero.services import tenant_settings
from tendero.services.tenant_settings import SettingsUpdate

router = APIRouter(prefix="/v1/settings", tags=["settings"])


@router.get("")
def read_settings(request: Request, principal: ReaderDep) -> dict[str, Any]:
    """The currency (and where it came from) and the non-product rule, with every item it leaves out and why."""
    return tenant_settings.settings_answer(principal.tenant_id, language_of(request))


@router.patch("")
def change_settings(body: SettingsUpdate, request: Request, principal: AdminDep) -> dict[str, Any]:
    """Set the currency (ISO 4217), switch the non-product rule, or mark items by hand; fields left out stay."""
    try:
        tenant_settings.update_settings(principal.tenant_id, body)
    except ValueError as error:
        raise Invalid(str(error), [{"field": "body.mark_non_products", "message": str(error)}]) from error
    return tenant_settings.settings_answer(principal.tenant_id, language_of(request))
