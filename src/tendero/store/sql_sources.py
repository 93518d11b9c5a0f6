"""Named SQL sources an operator stored with ``tendero sources add``: one tenant's, by name.

The URL (with its password) is kept here for the server to connect with; nothing that reads these
rows for a person (the CLI's list, the API) ever shows the password.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tendero.store.tables import Base, Tenant, new_id, utcnow


class SqlSource(Base):
    """A database a tenant's analysts may query by name (read-only); added by an operator."""

    __tablename__ = "sql_sources"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_sql_sources_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def stored_sources(session: Session, tenant_id: str) -> list[SqlSource]:
    return list(session.scalars(select(SqlSource).where(SqlSource.tenant_id == tenant_id).order_by(SqlSource.name)))


def stored_source(session: Session, tenant_id: str, name: str) -> SqlSource | None:
    return session.scalar(select(SqlSource).where(SqlSource.tenant_id == tenant_id, SqlSource.name == name))


def store_source(session: Session, tenant_id: str, name: str, url: str) -> SqlSource:
    row = SqlSource(tenant_id=tenant_id, name=name, url=url)
    session.add(row)
    session.flush()
    return row


def delete_source(session: Session, tenant_id: str, name: str) -> bool:
    row = stored_source(session, tenant_id, name)
    if row is None:
        return False
    session.delete(row)
    return True


def all_stored_sources(session: Session) -> list[tuple[str, SqlSource]]:
    """Every stored source with its tenant's name (for operators: ``tendero sources list``)."""
    query = select(Tenant.name, SqlSource).join(Tenant, Tenant.id == SqlSource.tenant_id)
    return [(name, row) for name, row in session.execute(query.order_by(Tenant.name, SqlSource.name))]
