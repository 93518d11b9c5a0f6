"""Rate limits: in memory by default, shared through Redis when ``TENDERO_REDIS_URL`` is set.

A limiter counts hits per bucket name; the caller chooses the names, so only what was verified (a key that
authenticated, the client's address) ever gets a bucket of its own: an unverified key prefix never does, or a
stranger could spend someone else's budget. Memory stays bounded: the in-memory limiter keeps at most
``max_buckets`` buckets (least recently used dropped first, which can only give a caller a fresh budget, never
take one away), and Redis buckets expire with their window.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

WINDOW_SECONDS = 60.0
# give back one hit of the current window, only if that window's counter still exists (a DECR on a missing key
# would create one without an expiry)
_REFUND = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"
MAX_BUCKETS = 100_000
log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    limit: int

    def hit(self, key: str, limit: int | None = None) -> float | None:
        """Count one request against ``key`` (``limit`` a minute, default ``self.limit``); None if allowed, else
        the seconds to wait before retrying."""
        ...

    def refund(self, key: str, limit: int | None = None) -> None:
        """Give back one request counted by ``hit`` (e.g. a sign-in that succeeded)."""
        ...


class MemoryRateLimiter:
    """A token bucket per key: ``limit`` requests a minute, refilled smoothly; at most ``max_buckets`` kept."""

    def __init__(self, limit: int, max_buckets: int = MAX_BUCKETS) -> None:
        self.limit = limit
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: str, capacity: float, now: float) -> float:
        tokens, last = self._buckets.get(key, (capacity, now))
        return min(capacity, tokens + (now - last) * capacity / WINDOW_SECONDS)

    def hit(self, key: str, limit: int | None = None) -> float | None:
        capacity = float(limit or self.limit)
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(key, capacity, now)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
        return None if allowed else (1.0 - tokens) * WINDOW_SECONDS / capacity

    def refund(self, key: str, limit: int | None = None) -> None:
        capacity = float(limit or self.limit)
        now = time.monotonic()
        with self._lock:
            if key in self._buckets:
                self._buckets[key] = (min(capacity, self._tokens(key, capacity, now) + 1.0), now)


class RedisRateLimiter:
    """A fixed one-minute window per key in Redis, shared by every API process; each window's counter expires
    with it. If Redis cannot be reached the process limits on its own (in memory) and says so in the log, rather
    than failing every request."""

    def __init__(self, url: str, limit: int) -> None:
        import redis

        self.limit = limit
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.fallback = MemoryRateLimiter(limit)
        self._warned_at = -math.inf

    def _name(self, key: str, window: int) -> str:
        return f"tendero:rate:{key}:{window}"

    def _unreachable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > WINDOW_SECONDS:
            self._warned_at = now
            log.warning("rate limits kept in this process only: Redis did not answer (%s)", type(error).__name__)

    def hit(self, key: str, limit: int | None = None) -> float | None:
        import redis

        now = time.time()
        window = math.floor(now / WINDOW_SECONDS)
        try:
            pipe = self.client.pipeline()
            pipe.incr(self._name(key, window))
            pipe.expire(self._name(key, window), int(WINDOW_SECONDS) + 1)
            count, _ = pipe.execute()
        except (redis.RedisError, OSError) as error:
            self._unreachable(error)
            return self.fallback.hit(key, limit)
        if int(count) <= (limit or self.limit):
            return None
        return (window + 1) * WINDOW_SECONDS - now

    def refund(self, key: str, limit: int | None = None) -> None:
        import redis

        window = math.floor(time.time() / WINDOW_SECONDS)
        try:
            self.client.eval(_REFUND, 1, self._name(key, window))
        except (redis.RedisError, OSError) as error:
            self._unreachable(error)
            self.fallback.refund(key, limit)


def make_rate_limiter(limit: int, redis_url: str = "") -> RateLimiter:
    if redis_url:
        return RedisRateLimiter(redis_url, limit)
    return MemoryRateLimiter(limit)


def client_bucket(host: str | None) -> str:
    """The bucket name of a client address: IPv4 as is, IPv6 by its /64 (one subscriber's whole network, which
    it can cycle through freely), anything else (a test client, a Unix socket) by its name."""
    if not host:
        return "ip:unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"ip:{host[:100]}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


@dataclass(frozen=True)
class RateLimits:
    """The limits one app enforces, all on one limiter (memory or Redis), each in its own bucket namespace."""

    limiter: RateLimiter
    per_key: int
    per_ip: int
    login_per_account: int
    login_per_ip: int

    def hit_login(self, client: str | None, account: str) -> float | None:
        """Count a sign-in attempt for the client's address and for the account it names (the tenant with the
        user name, or with the key's prefix as typed); the longer wait if either is spent. Both are counted
        before the password or key is checked; ``refund_login`` gives them back when it was right."""
        waits = [
            self.limiter.hit("login-" + client_bucket(client), self.login_per_ip),
            self.limiter.hit(f"login-account:{account[:300]}", self.login_per_account),
        ]
        spent = [wait for wait in waits if wait is not None]
        return max(spent) if spent else None

    def refund_login(self, client: str | None, account: str) -> None:
        self.limiter.refund("login-" + client_bucket(client), self.login_per_ip)
        self.limiter.refund(f"login-account:{account[:300]}", self.login_per_account)
