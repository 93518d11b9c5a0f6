"""Dashboard sessions cannot be forged: no predictable signing key, and the role always comes from the store.

The attack of issue #14: a service key holder signs a cookie with the old default key, claims ``admin``, opens
Settings and mints an admin API key. Each step is refused here.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from itsdangerous import URLSafeTimedSerializer
from web_helpers import browser, sign_in

from tendero.config import KNOWN_SECRETS, Settings, check_secret_for, get_settings, reset_settings, session_secret
from tendero.store import tenants
from tendero.store.db import session_scope
from tendero.web.session import COOKIE, SALT

OLD_DEFAULT = "dev-secret-change-me"
SHIPPED = sorted({OLD_DEFAULT, "", *KNOWN_SECRETS})


def _prefix(key: str) -> str:
    return "_".join(key.split("_")[:2])


def _cookies(secret: str, tenant, key: str, role: str = "admin") -> list[str]:
    """Cookies claiming ``role`` for the holder of ``key``: in today's format, and in the old one (which carried
    the role), both signed with ``secret``."""
    signer = URLSafeTimedSerializer(secret, salt=SALT)
    identity = {"tenant_id": tenant.id, "ref": _prefix(key)}
    principal = {"tenant_id": tenant.id, "tenant_name": tenant.name, "role": role, "key_prefix": _prefix(key)}
    return [
        signer.dumps({"v": 2, "csrf": "forged-token", "lang": None, "flash": None, **identity, "role": role}),
        signer.dumps({"csrf": "forged-token", "principal": principal, "lang": None, "flash": None}),
    ]


def _admin_keys(tenant) -> int:
    with session_scope() as session:
        return sum(1 for key in tenants.list_keys(session, tenant.id) if key.role == "admin")


def test_the_signing_key_is_random_private_and_shared_by_every_process(client):
    secret = session_secret()
    assert secret not in SHIPPED and len(secret) >= 32
    assert not os.environ.get("TENDERO_SECRET_KEY")  # the suite runs on the generated key
    path = get_settings().home.resolve() / "secret_key"
    assert path.read_text().strip() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    child = subprocess.run(  # a job subprocess or worker: same TENDERO_HOME, same key
        [sys.executable, "-c", "from tendero.config import session_secret; print(session_secret())"],
        capture_output=True, text=True, check=True, env=os.environ.copy(),
    )  # fmt: skip
    assert child.stdout.strip() == secret


def test_a_new_home_gets_its_own_key_made_once(tmp_path):
    home = tmp_path / "casa"
    first = session_secret(Settings(home=home))
    again = session_secret(Settings(home=home))
    other = session_secret(Settings(home=tmp_path / "otra"))
    assert first == again != other
    assert stat.S_IMODE((home / "secret_key").stat().st_mode) == 0o600
    assert not [p for p in home.iterdir() if p.name != "secret_key"]  # no draft left behind


@pytest.mark.parametrize("secret", SHIPPED)
def test_a_cookie_forged_with_any_secret_the_code_ships_is_refused(client, tenant, secret):
    for cookie in _cookies(secret, tenant, tenant.service):
        web = browser(client)
        web.cookies.set(COOKIE, cookie)
        for path in ("/app/settings", "/app", "/app/models"):
            answer = web.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/app/login"), path


def test_a_role_changed_inside_a_validly_signed_cookie_is_ignored(client, tenant):
    """Even with the real signing key, a cookie's claim of a role counts for nothing: the store's role applies."""
    for cookie in _cookies(session_secret(), tenant, tenant.analyst):
        web = browser(client)
        web.cookies.set(COOKIE, cookie)
        page = web.get("/app/settings")
        if page.status_code == 303:  # the old format is not read at all
            continue
        assert page.status_code == 403 and "cannot do this" in page.text
        assert web.get("/app/models").status_code == 200  # it is the analyst, with the analyst's rights
    web = browser(client)
    sign_in(web, tenant, "analyst")
    with session_scope() as session:  # a role changed in the store applies at the next request
        key = next(k for k in tenants.list_keys(session, tenant.id) if k.prefix == _prefix(tenant.analyst))
        key.role = "service"
    assert web.get("/app/models").status_code == 403
    assert web.get("/app/data").status_code == 200


def test_a_service_key_cannot_forge_its_way_to_an_admin_key(client, tenant):
    """Service key → cookie signed with the old default claiming admin → Settings → mint an admin key: refused."""
    before = _admin_keys(tenant)
    web = browser(client)
    token = sign_in(web, tenant, "service")  # the attacker's own, legitimate, session
    assert web.get("/app/settings").status_code == 403
    for secret in (OLD_DEFAULT, session_secret()):
        for cookie in _cookies(secret, tenant, tenant.service):
            attacker = browser(client)
            attacker.cookies.set(COOKIE, cookie)
            assert attacker.get("/app/settings").status_code in (303, 403)
            minted = attacker.post("/app/settings/keys", data={"csrf": "forged-token", "name": "pwn", "role": "admin"})
            assert minted.status_code in (303, 403) and "new-key-secret" not in minted.text
    minted = web.post("/app/settings/keys", data={"csrf": token, "name": "pwn", "role": "admin"})
    assert minted.status_code == 403
    api = client.post("/v1/keys", json={"name": "pwn", "role": "admin"}, headers=tenant.headers("service"))
    assert api.status_code == 403
    assert _admin_keys(tenant) == before


@pytest.fixture
def known_secret(monkeypatch):
    """The app running with the old default set explicitly, as a careless operator might."""
    monkeypatch.setenv("TENDERO_SECRET_KEY", OLD_DEFAULT)
    reset_settings()
    yield
    monkeypatch.delenv("TENDERO_SECRET_KEY")
    reset_settings()


def test_a_known_secret_is_refused_beyond_loopback_and_in_production(known_secret, tmp_path):
    check_secret_for("127.0.0.1")  # a developer's own machine: allowed
    check_secret_for("localhost")
    for host in ("0.0.0.0", "192.0.2.10", "::", "shop.example"):
        with pytest.raises(ValueError, match="TENDERO_SECRET_KEY"):
            check_secret_for(host)
    with pytest.raises(ValueError, match="TENDERO_SECRET_KEY"):
        Settings(environment="production", secret_key=OLD_DEFAULT, home=tmp_path)
    with pytest.raises(ValueError, match="TENDERO_SECRET_KEY"):
        Settings(environment="production", secret_key="short", home=tmp_path)
    generated = Settings(environment="production", secret_key="", home=tmp_path)  # made in TENDERO_HOME: fine
    check_secret_for("0.0.0.0", generated)


def test_serve_refuses_to_listen_beyond_loopback_with_a_known_secret(known_secret):
    from typer.testing import CliRunner

    from tendero.cli import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9"])
    assert result.exit_code == 1
    assert "TENDERO_SECRET_KEY" in result.output and "not serving" in result.output


def test_with_a_known_secret_a_public_address_trusts_no_cookie(client, tenant, known_secret):
    """An app started some other way (plain uvicorn on 0.0.0.0) still refuses: no cookie counts, no sign-in."""
    web = browser(client)  # the test client's server address is "testserver": not loopback
    for cookie in _cookies(OLD_DEFAULT, tenant, tenant.admin):
        web.cookies.set(COOKIE, cookie)
        assert web.get("/app/settings").status_code == 303
    web.cookies.clear()
    answer = web.post("/app/login", data={"csrf": "any", "tenant": tenant.name, "key": tenant.admin})
    assert answer.status_code == 503 and "TENDERO_SECRET_KEY" in answer.text
    assert web.get("/app/login").status_code == 503
