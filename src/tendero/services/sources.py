"""Named SQL sources for operators: stored per tenant, or from the settings; URLs shown with the password hidden."""

from __future__ import annotations

from tendero.config import get_settings
from tendero.store import sources
from tendero.store.db import display_url, session_scope
from tendero.store.sources import Source
from tendero.store.sql_sources import all_stored_sources


def add_source(tenant_id: str, name: str, url: str) -> Source:
    """Store a source for one tenant; SourceRefused for a bad name or URL, or tendero's own database."""
    return sources.add_source(tenant_id, name, url)


def remove_source(tenant_id: str, name: str) -> bool:
    return sources.remove_source(tenant_id, name)


def sources_of(tenant_id: str, tenant_shown: str) -> list[dict[str, str]]:
    """The sources one tenant may use, for an operator's list."""
    return [{"name": s.name, "origin": s.origin, "tenants": tenant_shown, "url": s.shown_url()}
            for s in sources.sources_for(tenant_id)]  # fmt: skip


def all_sources() -> list[dict[str, str]]:
    """Every source: the settings' (with whom they are open to) and every tenant's stored ones."""
    found: list[dict[str, str]] = []
    for name, value in get_settings().sql_sources.items():
        url = value["url"] if isinstance(value, dict) else value
        open_to = ", ".join(value.get("tenants") or []) if isinstance(value, dict) else "every tenant"
        found.append({"name": name, "origin": "settings", "tenants": open_to, "url": display_url(url)})
    with session_scope() as session:
        for tenant_name, row in all_stored_sources(session):
            found.append({"name": row.name, "origin": "stored", "tenants": tenant_name, "url": display_url(row.url)})
    return found
