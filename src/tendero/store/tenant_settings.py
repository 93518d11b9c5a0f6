"""A tenant's own settings: the currency of its money figures and its non-product rule (one row per tenant,
absent until something is set, so a tenant made before the table existed reads the defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tendero.store.tables import Base, utcnow

DEFAULT_CURRENCY = "EUR"


class TenantSettingsRow(Base):
    """The currency (and where it came from: ``admin``, ``data`` or ``default``) and the non-product rule:
    whether flagged items are left out of product answers, and the admin's own marks per item id."""

    __tablename__ = "tenant_settings"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), default=DEFAULT_CURRENCY)
    currency_source: Mapped[str] = mapped_column(String(10), default="default")
    exclude_non_products: Mapped[bool] = mapped_column(Boolean, default=True)
    non_product_marks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class TenantSettings:
    """What the services read: plain values, detached from the session."""

    currency: str = DEFAULT_CURRENCY
    currency_source: str = "default"
    exclude_non_products: bool = True
    non_product_marks: dict[str, bool] = field(default_factory=dict)


def read_settings(session: Session, tenant_id: str) -> TenantSettings:
    row = session.get(TenantSettingsRow, tenant_id)
    if row is None:
        return TenantSettings()
    marks = {str(k): bool(v) for k, v in (row.non_product_marks or {}).items()}
    return TenantSettings(row.currency, row.currency_source, bool(row.exclude_non_products), marks)


def write_settings(session: Session, tenant_id: str, **changes: Any) -> TenantSettings:
    """Set the given fields (``currency``, ``currency_source``, ``exclude_non_products``, ``non_product_marks``)."""
    row = session.scalar(select(TenantSettingsRow).where(TenantSettingsRow.tenant_id == tenant_id).with_for_update())
    if row is None:
        row = TenantSettingsRow(tenant_id=tenant_id, currency=DEFAULT_CURRENCY, currency_source="default",
                                exclude_non_products=True, non_product_marks={})  # fmt: skip
        session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    return read_settings(session, tenant_id)
