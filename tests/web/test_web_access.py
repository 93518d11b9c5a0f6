"""Dashboard access: sign-in with a key or a password, the signed cookie, CSRF on every form, sign-out."""

from __future__ import annotations

from datetime import UTC, datetime

from web_helpers import browser, csrf_of, sign_in

from tendero.store import tenants, users
from tendero.store.db import session_scope


def test_pages_send_the_anonymous_to_sign_in_keeping_the_target(client):
    web = browser(client)
    for path in ("/app", "/app/data", "/app/models", "/app/jobs", "/app/settings", "/app/jobs/progress.json"):
        answer = web.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/app/login?next=")
    assert web.get("/").headers["location"] == "/app"


def test_signing_in_with_a_key_sets_a_signed_httponly_lax_cookie(client, tenant):
    web = browser(client)
    token = csrf_of(web.get("/app/login").text)
    answer = web.post(
        "/app/login", data={"csrf": token, "tenant": tenant.name, "key": tenant.admin, "next": "/app/models"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/app/models"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert tenant.admin not in answer.headers["set-cookie"]  # the key itself never travels in the cookie
    page = web.get("/app/models")
    assert page.status_code == 200 and tenant.name in page.text


def test_the_cookie_is_secure_over_https(client, tenant):
    web = browser(client, base_url="https://testserver")
    token = csrf_of(web.get("/app/login").text)
    answer = web.post("/app/login", data={"csrf": token, "tenant": tenant.name, "key": tenant.admin})
    assert "secure" in answer.headers["set-cookie"].lower()


def test_a_wrong_key_or_a_key_of_another_shop_is_refused_alike(client, tenant, other_tenant):
    web = browser(client)
    token = csrf_of(web.get("/app/login").text)
    for key in ("tdr_nothing_here", other_tenant.admin):
        answer = web.post("/app/login", data={"csrf": token, "tenant": tenant.name, "key": key})
        assert answer.status_code == 401 and "do not match" in answer.text
    assert web.get("/app").status_code == 303


def test_signing_in_with_user_and_password(client, tenant):
    with session_scope() as session:
        users.create_user(session, tenant.id, "marta", "contraseña-larga", "analyst")
    web = browser(client)
    token = csrf_of(web.get("/app/login").text)
    bad = web.post(
        "/app/login", data={"csrf": token, "tenant": tenant.name, "username": "marta", "password": "nope-nope-nope"}
    )
    assert bad.status_code == 401
    good = web.post(
        "/app/login", data={"csrf": token, "tenant": tenant.name, "username": "marta", "password": "contraseña-larga"}
    )
    assert good.status_code == 303
    page = web.get("/app/models")
    assert page.status_code == 200 and "analyst" in page.text
    with session_scope() as session:  # disabling the user ends the session at its next request
        users.active_user(session, tenant.id, "marta").disabled_at = datetime.now(UTC)
    assert web.get("/app/models").status_code == 303


def test_a_forged_cookie_is_ignored(client, tenant):
    web = browser(client)
    sign_in(web, tenant)
    value = web.cookies["tendero_session"]
    web.cookies.clear()
    web.cookies.set("tendero_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert web.get("/app").status_code == 303


def test_revoking_the_key_ends_its_dashboard_session(client, tenant):
    web = browser(client)
    sign_in(web, tenant, "analyst")
    assert web.get("/app/models").status_code == 200
    with session_scope() as session:
        prefix = next(k.prefix for k in tenants.list_keys(session, tenant.id) if k.role == "analyst")
        tenants.revoke_key(session, tenant.id, prefix)
    assert web.get("/app/models").status_code == 303


def test_forms_without_the_session_csrf_token_are_refused_and_change_nothing(client, tenant):
    web = browser(client)
    sign_in(web, tenant)
    other = browser(client)
    foreign_token = sign_in(other, tenant)  # a valid token, but of another session
    for token in ("", foreign_token):
        answer = web.post("/app/settings/keys", data={"csrf": token, "name": "sneaky", "role": "admin"})
        assert answer.status_code == 403 and "form expired" in answer.text
    with session_scope() as session:
        assert "sneaky" not in {k.name for k in tenants.list_keys(session, tenant.id)}
    login = browser(client).post("/app/login", data={"tenant": tenant.name, "key": tenant.admin})
    assert login.status_code == 403  # even the sign-in form needs its token


def test_the_csrf_token_changes_at_sign_in(client, tenant):
    web = browser(client)
    before = csrf_of(web.get("/app/login").text)
    after = sign_in(web, tenant)
    assert before != after
    assert web.post("/app/logout", data={"csrf": before}).status_code == 403


def test_sign_out_ends_the_session(client, tenant):
    web = browser(client)
    token = sign_in(web, tenant)
    answer = web.post("/app/logout", data={"csrf": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/app/login"
    assert web.get("/app").status_code == 303
    assert "signed out" in web.get("/app/login").text


def test_next_never_leaves_the_dashboard(client, tenant):
    web = browser(client)
    token = csrf_of(web.get("/app/login").text)
    for target in ("https://evil.example/", "//evil.example/app", "/v1/keys"):
        answer = web.post(
            "/app/login", data={"csrf": token, "tenant": tenant.name, "key": tenant.admin, "next": target}
        )
        assert answer.headers["location"] == "/app"
        web.cookies.clear()
        token = csrf_of(web.get("/app/login").text)


def test_pages_carry_security_headers_and_stay_out_of_the_api_schema(client, tenant):
    web = browser(client)
    sign_in(web, tenant)
    page = web.get("/app")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert not [path for path in client.get("/openapi.json").json()["paths"] if path.startswith("/app")]
