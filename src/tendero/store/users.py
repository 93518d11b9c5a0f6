"""Dashboard users: passwords hashed with scrypt (salted), never stored or logged in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from tendero.errors import Conflict
from tendero.store.tables import Tenant, User
from tendero.store.tenants import ROLES, Principal

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def create_user(session: Session, tenant_id: str, username: str, password: str, role: str) -> User:
    username = username.strip()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not username:
        raise ValueError("username must not be empty")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    exists = session.scalar(select(User).where(User.tenant_id == tenant_id, User.username == username))
    if exists is not None:
        raise Conflict(f"user {username!r} already exists in this tenant")
    user = User(tenant_id=tenant_id, username=username, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate_user(session: Session, tenant_name: str, username: str, password: str) -> Principal | None:
    """The principal for a tenant/user/password triple, or None (same answer for every kind of miss)."""
    row = session.execute(
        select(User, Tenant.name)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(Tenant.name == tenant_name, User.username == username)
    ).first()
    if row is None:
        check_password(password, hash_password("timing-equaliser"))
        return None
    user, name = row
    if user.disabled_at is not None or not check_password(password, user.password_hash):
        return None
    return Principal(tenant_id=user.tenant_id, tenant_name=name, role=user.role, key_prefix=f"user:{user.username}")


def user_principal(session: Session, tenant_id: str, username: str) -> Principal | None:
    """The current principal of an active user (its role as stored now), or None if disabled or removed."""
    row = session.execute(
        select(User, Tenant.name)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(User.tenant_id == tenant_id, User.username == username)
    ).first()
    if row is None or row[0].disabled_at is not None:
        return None
    user, name = row
    return Principal(tenant_id=user.tenant_id, tenant_name=name, role=user.role, key_prefix=f"user:{user.username}")


def active_user(session: Session, tenant_id: str, username: str) -> User | None:
    """The user if it exists and is not disabled: sessions re-check it on every request."""
    user = session.scalar(select(User).where(User.tenant_id == tenant_id, User.username == username))
    if user is None or user.disabled_at is not None:
        return None
    return user
