"""Tenants, their API keys and dashboard users, for every face; the tenant look-up every CLI command starts with;
and resolved keys cached for a few seconds (the API's auth and the dashboard's sign-in share the cache)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tendero.services.schemas import KeyCreated, KeyOut
from tendero.store import tenants, users
from tendero.store.db import session_scope, using_session
from tendero.store.tenants import IssuedKey
from tendero.store.tenants import Principal as Principal

KEY_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class TenantRef:
    """A tenant as the faces name it: its id, its name, when it was made."""

    id: str
    name: str
    created_at: datetime


def find_tenant(name_or_id: str) -> TenantRef:
    """The tenant called (or with the id) ``name_or_id``; NotFound naming it otherwise."""
    with session_scope() as session:
        found = tenants.find_tenant(session, name_or_id)
        return TenantRef(found.id, found.name, found.created_at)


def list_tenants() -> list[TenantRef]:
    with session_scope() as session:
        return [TenantRef(t.id, t.name, t.created_at) for t in tenants.list_tenants(session)]


def create_tenant(name: str) -> tuple[TenantRef, IssuedKey]:
    """A new tenant with its first admin key (Conflict when the name is taken, ValueError when empty)."""
    with session_scope() as session:
        tenant, key = tenants.create_tenant(session, name)
        return TenantRef(tenant.id, tenant.name, tenant.created_at), key


def create_key(tenant_id: str, name: str, role: str, session: Session | None = None) -> IssuedKey:
    with using_session(session) as db:
        return tenants.create_key(db, tenant_id, name, role)


def issue_key(tenant_id: str, name: str, role: str, session: Session | None = None) -> KeyCreated:
    """A new key as the API shows it: the full secret, this once."""
    issued = create_key(tenant_id, name, role, session)
    return KeyCreated(
        id=issued.id, name=issued.name, prefix=issued.prefix, role=issued.role, created_at=issued.created_at,
        last_used_at=None, revoked_at=None, key=issued.secret,
    )  # fmt: skip


def list_keys(tenant_id: str, session: Session | None = None) -> list[KeyOut]:
    with using_session(session) as db:
        return [KeyOut.model_validate(key) for key in tenants.list_keys(db, tenant_id)]


def revoke(tenant_id: str, key_id_or_prefix: str, session: Session | None = None) -> KeyOut:
    """Revoke a key (never the tenant's last active admin key: LastAdminKey). Keys this process cached are
    forgotten at once; other processes drop theirs within ``KEY_CACHE_SECONDS``."""
    with using_session(session) as db:
        row = KeyOut.model_validate(tenants.revoke_key(db, tenant_id, key_id_or_prefix))
    key_cache.forget_prefix(row.prefix)
    return row


def revoke_key(tenant_id: str, key_id_or_prefix: str) -> str:
    """``revoke``, for a face that names the key by its prefix afterwards."""
    return revoke(tenant_id, key_id_or_prefix).prefix


def create_user(tenant_id: str, username: str, password: str, role: str) -> None:
    with session_scope() as session:
        users.create_user(session, tenant_id, username, password, role)


def authenticate_user(tenant_name: str, username: str, password: str) -> Principal | None:
    with session_scope() as session:
        return users.authenticate_user(session, tenant_name, username, password)


def principal_of(tenant_id: str, ref: str) -> Principal | None:
    """The current principal of a signed-in identity (``user:NAME`` or a key prefix); None once its key is revoked
    or its user disabled or removed."""
    with session_scope() as session:
        if ref.startswith("user:"):
            return users.user_principal(session, tenant_id, ref.removeprefix("user:"))
        return tenants.key_principal(session, tenant_id, ref)


class KeyCache:
    """Resolved keys kept for a few seconds, so a hot prediction path does not query per request.

    A revoke made in this process is immediate; one made elsewhere takes at most ``KEY_CACHE_SECONDS``.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def fresh(self, secret: str) -> tuple[bool, Principal | None]:
        """(found, principal) from memory only: found is False when the database must be asked."""
        entry = self._entries.get(secret)
        if entry is not None and time.monotonic() - entry[0] < KEY_CACHE_SECONDS:
            return True, entry[1]
        return False, None

    def resolve(self, secret: str) -> Principal | None:
        now = time.monotonic()
        entry = self._entries.get(secret)
        if entry is not None and now - entry[0] < KEY_CACHE_SECONDS:
            return entry[1]
        with session_scope() as session:
            principal = tenants.authenticate(session, secret)
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[secret] = (now, principal)
        return principal

    def forget_prefix(self, prefix: str) -> None:
        with self._lock:
            for secret in [s for s in self._entries if s.startswith(prefix + "_")]:
                del self._entries[secret]


key_cache = KeyCache()
