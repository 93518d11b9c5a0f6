"""Tenants and their API keys. Keys are stored only as SHA-256 hashes and shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

# the shared errors, kept importable from here for branches written before tendero.errors
from tendero.errors import Conflict as Conflict
from tendero.errors import DeployNotAllowed as DeployNotAllowed
from tendero.errors import LastAdminKey as LastAdminKey
from tendero.errors import NotFound as NotFound
from tendero.store.tables import ApiKey, Tenant, utcnow

ROLES = ("admin", "analyst", "service")
KEY_MARK = "tdr"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant and the role of the key used."""

    tenant_id: str
    tenant_name: str
    role: str
    key_prefix: str


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``secret`` is the only time the full key exists outside the caller's hands."""

    id: str
    name: str
    prefix: str
    role: str
    secret: str
    created_at: datetime


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_tenant(session: Session, name: str) -> tuple[Tenant, IssuedKey]:
    """A new tenant with its first admin key."""
    name = name.strip()
    if not name:
        raise ValueError("tenant name must not be empty")
    if session.scalar(select(Tenant).where(Tenant.name == name)) is not None:
        raise Conflict(f"a tenant named {name!r} already exists")
    tenant = Tenant(name=name)
    session.add(tenant)
    session.flush()
    key = create_key(session, tenant.id, name="first admin key", role="admin")
    return tenant, key


def find_tenant(session: Session, name_or_id: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where((Tenant.name == name_or_id) | (Tenant.id == name_or_id)))
    if tenant is None:
        raise NotFound(f"no tenant named {name_or_id!r}")
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.created_at)))


def create_key(session: Session, tenant_id: str, name: str, role: str) -> IssuedKey:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    for _ in range(5):
        prefix = f"{KEY_MARK}_{secrets.token_hex(4)}"
        secret = f"{prefix}_{secrets.token_urlsafe(32)}"
        key = ApiKey(tenant_id=tenant_id, name=name, prefix=prefix, secret_hash=hash_secret(secret), role=role)
        try:
            with session.begin_nested():
                session.add(key)
        except IntegrityError:  # prefix collision: draw again
            continue
        return IssuedKey(key.id, name, prefix, role, secret, key.created_at)
    raise RuntimeError("could not draw a unique key prefix")


def list_keys(session: Session, tenant_id: str) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at)))


def revoke_key(session: Session, tenant_id: str, key_id_or_prefix: str) -> ApiKey:
    """Revoke a key; never the tenant's last active admin key (``LastAdminKey``): nobody could make keys again.

    The tenant's active admin keys are locked first (PostgreSQL), the key is revoked, and only then are the
    remaining admin keys counted inside the same transaction: two revokes racing for the last two admin keys
    cannot both pass (on SQLite the UPDATE takes the database's write lock before the count)."""
    key = session.scalar(
        select(ApiKey).where(
            ApiKey.tenant_id == tenant_id,
            (ApiKey.id == key_id_or_prefix) | (ApiKey.prefix == key_id_or_prefix),
        )
    )
    if key is None:
        raise NotFound(f"no API key {key_id_or_prefix!r}")
    if key.revoked_at is not None:
        return key
    active_admins = select(ApiKey.id).where(
        ApiKey.tenant_id == tenant_id, ApiKey.role == "admin", ApiKey.revoked_at.is_(None)
    )
    if key.role == "admin":
        session.scalars(active_admins.with_for_update()).all()
    key.revoked_at = utcnow()
    session.flush()
    if key.role == "admin" and not session.scalars(active_admins.limit(1)).first():
        key.revoked_at = None  # undone here too, in case the caller goes on with this transaction
        session.flush()
        raise LastAdminKey(key.prefix)
    return key


def key_principal(session: Session, tenant_id: str, prefix: str) -> Principal | None:
    """The current principal of an API key named by its prefix, or None if it is unknown or revoked (the
    dashboard's sessions re-read it on every request)."""
    row = session.execute(
        select(ApiKey.role, ApiKey.prefix, Tenant.id, Tenant.name)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .where(ApiKey.tenant_id == tenant_id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return Principal(tenant_id=row[2], tenant_name=row[3], role=row.role, key_prefix=row.prefix)


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal a presented key stands for, or None if it is unknown or revoked."""
    row = session.execute(
        select(ApiKey.id, ApiKey.role, ApiKey.prefix, ApiKey.revoked_at, Tenant.id, Tenant.name)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .where(ApiKey.secret_hash == hash_secret(secret))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    session.execute(update(ApiKey).where(ApiKey.id == row[0]).values(last_used_at=utcnow()))
    return Principal(tenant_id=row[4], tenant_name=row[5], role=row.role, key_prefix=row.prefix)
