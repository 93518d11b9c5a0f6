"""The Redis rate limiter shares one budget between API processes (a real Redis server)."""

from __future__ import annotations

import os
import secrets

import pytest

from tendero.api.ratelimit import RedisRateLimiter, make_rate_limiter

REDIS_URL = os.environ.get("TENDERO_TEST_REDIS_URL", "")


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
