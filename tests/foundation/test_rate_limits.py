"""Rate limits: per verified key, per client address before verification, bounded memory, and the dashboard's
sign-in form; each on the in-memory limiter and on a real Redis (TENDERO_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import re
import secrets

import pytest
from fastapi.testclient import TestClient

from support import make_tenant
from tendero.api.ratelimit import MemoryRateLimiter, RateLimiter, RateLimits, RedisRateLimiter, make_rate_limiter
from tendero.store import users
from tendero.store.db import session_scope

REDIS_URL = os.environ.get("TENDERO_TEST_REDIS_URL", "")
BACKENDS = [
    "memory",
    pytest.param(
        "redis",
        marks=[pytest.mark.redis, pytest.mark.skipif(not REDIS_URL, reason="needs TENDERO_TEST_REDIS_URL")],
    ),
]


def _limiter(backend: str, limit: int) -> RateLimiter:
    return make_rate_limiter(limit, REDIS_URL if backend == "redis" else "")


def _address() -> str:
    """A client address of its own per test, so that Redis buckets left by another run in the same minute
    cannot interfere."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def _limits(backend: str, per_key: int = 1000, per_ip: int = 1000, login_account: int = 1000, login_ip: int = 1000):
    return RateLimits(_limiter(backend, per_key), per_key, per_ip, login_account, login_ip)


@pytest.fixture
def app_with():
    """``app_with(limits)``: a client on a fresh app with those limits, from a client address of its own."""
    from tendero.app import create_app

    opened: list[TestClient] = []

    def make(limits: RateLimits, address: str | None = None) -> TestClient:
        client = TestClient(
            create_app(run_jobs=False, migrate=False, limits=limits),
            client=(address or _address(), 40000),
            follow_redirects=False,
        )
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _forged(real_key: str) -> str:
    """The victim's prefix with a made-up secret: what anyone who saw the prefix (in a log, a screen) can send."""
    prefix = "_".join(real_key.split("_")[:2])
    return f"{prefix}_{secrets.token_urlsafe(16)}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_verified_key_is_limited_and_answers_429_with_retry_after(app_with, backend):
    shop = make_tenant("limite")
    client = app_with(_limits(backend, per_key=3))
    codes = [client.get("/v1/models", headers=shop.headers()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/v1/models", headers=shop.headers())
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
    assert (
        "3" in refused.json()["detail"]
        and "API key" in client.get("/v1/models", headers={**shop.headers(), "accept-language": "en"}).json()["detail"]
    )
    assert client.get("/v1/models", headers=shop.headers("analyst")).status_code == 200  # its own bucket
    assert client.get("/health").status_code == 200  # probes are never limited


@pytest.mark.parametrize("backend", BACKENDS)
def test_requests_with_a_victims_prefix_never_spend_the_victims_budget(app_with, backend):
    victim = make_tenant("victima")
    client = app_with(_limits(backend, per_key=5))
    for _ in range(30):
        forged = client.get("/v1/models", headers={"Authorization": f"Bearer {_forged(victim.admin)}"})
        assert forged.status_code == 401
    answers = [client.get("/v1/models", headers=victim.headers()).status_code for _ in range(5)]
    assert answers == [200] * 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_keys_share_the_client_address_limit(app_with, backend):
    client = app_with(_limits(backend, per_key=1000, per_ip=5))
    codes = [
        client.get("/v1/models", headers={"Authorization": f"Bearer tdr_{secrets.token_hex(4)}_x"}).status_code
        for _ in range(8)
    ]
    assert codes == [401] * 5 + [429] * 3
    assert client.get("/v1/models").status_code == 429  # no key at all: the same address budget
    other = app_with(_limits(backend, per_ip=5))  # another address
    assert other.get("/v1/models").status_code == 401


def test_a_known_key_is_not_charged_to_its_address(app_with):
    """Recently verified keys skip the address budget: a busy integration is limited by its key only."""
    shop = make_tenant("integracion")
    client = app_with(_limits("memory", per_key=1000, per_ip=3))
    assert all(client.get("/v1/models", headers=shop.headers()).status_code == 200 for _ in range(20))


def test_a_flood_of_distinct_keys_adds_no_buckets(app_with):
    shop = make_tenant("inundada")
    limiter = MemoryRateLimiter(1000)
    client = app_with(RateLimits(limiter, 1000, 100_000, 1000, 1000))
    client.get("/v1/models", headers=shop.headers())
    for _ in range(300):
        client.get("/v1/models", headers={"Authorization": f"Bearer tdr_{secrets.token_hex(4)}_{secrets.token_hex(8)}"})
    assert len(limiter) == 2  # the client's address and the one verified key


def test_the_memory_limiter_keeps_at_most_its_bucket_count():
    limiter = MemoryRateLimiter(5, max_buckets=1000)
    for index in range(50_000):
        limiter.hit(f"ip:{index}")
    assert len(limiter) == 1000
    assert [limiter.hit("ip:49999") for _ in range(5)][-1] is not None  # the newest buckets are kept


def test_memory_limiter_refills_per_minute():
    limiter = MemoryRateLimiter(60)
    assert all(limiter.hit("k") is None for _ in range(60))
    wait = limiter.hit("k")
    assert wait is not None and 0 < wait <= 1.0
    assert limiter.hit("other") is None
    limiter.refund("k")
    assert limiter.hit("k") is None


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set TENDERO_TEST_REDIS_URL")
def test_two_processes_share_one_budget_through_redis():
    first, second = make_rate_limiter(5, REDIS_URL), make_rate_limiter(5, REDIS_URL)
    assert isinstance(first, RedisRateLimiter)
    key = f"key:tdr_{secrets.token_hex(4)}"
    answers = [limiter.hit(key) for limiter in (first, second, first, second, first)]
    assert answers == [None] * 5
    wait = second.hit(key)
    assert wait is not None and 0 < wait <= 60
    assert first.hit(f"{key}-other") is None
    ttl = first.client.ttl(f"tendero:rate:{key}:{int(__import__('time').time() // 60)}")
    assert 0 < ttl <= 61  # every counter expires with its window: Redis memory stays bounded
    first.refund(f"{key}-gone")  # refunding a window that has no counter creates none
    assert not first.client.exists(f"tendero:rate:{key}-gone:{int(__import__('time').time() // 60)}")


def test_redis_unreachable_falls_back_to_limits_in_this_process():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", 2)  # nothing listens on port 1
    assert [limiter.hit("key:x") for _ in range(3)][:2] == [None, None]
    assert limiter.hit("key:x") is not None


# --- the dashboard's sign-in ------------------------------------------------------------------------------


def _login(client: TestClient, data: dict[str, str]):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/app/login").text).group(1)
    return client.post("/app/login", data={"csrf": token, **data})


@pytest.fixture
def shop_with_user():
    shop = make_tenant("acceso")
    with session_scope() as session:
        users.create_user(session, shop.id, "lucia", "una-contraseña-larga", "analyst")
    return shop


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_passwords_are_limited_per_account(app_with, backend, shop_with_user):
    client = app_with(_limits(backend, login_account=3, login_ip=100))
    wrong = {"tenant": shop_with_user.name, "username": "lucia", "password": "no-es-esta-clave"}
    assert [_login(client, wrong).status_code for _ in range(3)] == [401, 401, 401]
    refused = _login(client, {**wrong, "password": "una-contraseña-larga"})  # even the right one, for now
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert 'id="login-problem"' in refused.text and ("Too many" in refused.text or "Demasiados" in refused.text)
    another = {"tenant": shop_with_user.name, "key": shop_with_user.admin}  # other accounts still sign in
    assert _login(client, another).status_code == 303


@pytest.mark.parametrize("backend", BACKENDS)
def test_failed_sign_ins_are_limited_per_address_across_accounts(app_with, backend, shop_with_user):
    client = app_with(_limits(backend, login_account=100, login_ip=4))
    for attempt in range(4):
        answer = _login(client, {"tenant": shop_with_user.name, "username": f"nadie{attempt}", "password": "x" * 12})
        assert answer.status_code == 401
    keyed = _login(client, {"tenant": shop_with_user.name, "key": f"tdr_{secrets.token_hex(4)}_junk"})
    assert keyed.status_code == 429
    elsewhere = app_with(client.app.state.rate_limits)  # same limiter, another address: not affected
    assert _login(elsewhere, {"tenant": shop_with_user.name, "key": shop_with_user.admin}).status_code == 303


def test_successful_sign_ins_spend_nothing(app_with, shop_with_user):
    client = app_with(_limits("memory", login_account=2, login_ip=2))
    for _ in range(6):
        assert _login(client, {"tenant": shop_with_user.name, "key": shop_with_user.admin}).status_code == 303
        client.cookies.clear()
