"""Dashboard users: scrypt-hashed passwords, tenant-scoped names, the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tendero.cli import app
from tendero.errors import Conflict
from tendero.store import users
from tendero.store.db import session_scope
from tendero.store.tables import User


def test_passwords_are_hashed_and_checked(tenant):
    with session_scope() as session:
        users.create_user(session, tenant.id, "marta", "una clave larga", "analyst")
        stored = session.scalar(select(User).where(User.tenant_id == tenant.id)).password_hash
        assert "una clave larga" not in stored and stored.startswith("scrypt$")
        found = users.authenticate_user(session, tenant.name, "marta", "una clave larga")
        assert found is not None and found.role == "analyst" and found.tenant_id == tenant.id
        assert users.authenticate_user(session, tenant.name, "marta", "otra clave larga") is None
        assert users.authenticate_user(session, "nadie", "marta", "una clave larga") is None
        with pytest.raises(Conflict):
            users.create_user(session, tenant.id, "marta", "una clave larga", "admin")
        with pytest.raises(ValueError, match="at least"):
            users.create_user(session, tenant.id, "pepe", "corta", "admin")


def test_user_create_command(tenant):
    answer = CliRunner().invoke(app, ["user", "create", "lucia", "--tenant", tenant.name, "--role", "admin",
                                      "--password", "clave-segura-123"])  # fmt: skip
    assert answer.exit_code == 0, answer.output
    with session_scope() as session:
        assert users.authenticate_user(session, tenant.name, "lucia", "clave-segura-123").role == "admin"
