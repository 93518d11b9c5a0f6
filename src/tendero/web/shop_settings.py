"""The Settings page's shop card: the tenant's currency and its non-product rule (same service as
``PATCH /v1/settings``), with every item the rule leaves out and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from tendero.services import tenant_settings
from tendero.services.tenant_settings import SettingsUpdate, say
from tendero.web.access import PostAdmin
from tendero.web.rendering import PREFIX, WebRoute, language, redirect

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)


def shop_context(request: Request, tenant_id: str) -> dict[str, Any]:
    """What the settings page needs for the shop card: the settings and the card's words in the page language."""
    lang = language(request)
    return {
        "shop": tenant_settings.settings_answer(tenant_id, lang),
        "mt": lambda key, **values: say(key, lang, **values),
    }


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@router.post("/settings/shop")
def save_shop(
    request: Request,
    session: PostAdmin,
    currency: Annotated[str, Form(max_length=10)] = "",
    exclude_non_products: Annotated[str, Form(max_length=10)] = "",
    mark: Annotated[str, Form(max_length=20_000)] = "",
    unmark: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Save the currency and the rule; a code that is not ISO 4217 is said, and nothing is changed."""
    assert session.principal is not None
    lang = language(request)
    try:
        update = SettingsUpdate(
            currency=currency.strip().upper() or None, exclude_non_products=exclude_non_products == "on",
            mark_non_products=_ids(mark), mark_products=_ids(unmark),
        )  # fmt: skip
        tenant_settings.update_settings(session.principal.tenant_id, update)
    except ValidationError:
        return redirect(request, f"{PREFIX}/settings", ("error", say("currency.unknown", lang, code=currency.strip())))
    except ValueError as error:
        return redirect(request, f"{PREFIX}/settings", ("error", str(error)))
    return redirect(request, f"{PREFIX}/settings", ("success", say("settings.saved", lang)))
