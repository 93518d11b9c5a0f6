"""Per-key rate limits: in memory by default, shared through Redis when ``TENDERO_REDIS_URL`` is set."""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

WINDOW_SECONDS = 60.0


class RateLimiter(Protocol):
    def hit(self, key: str) -> float | None:
        """Count one request; None if allowed, else the seconds to wait before retrying."""
        ...


class MemoryRateLimiter:
    """A token bucket per key: ``limit`` requests a minute, refilled smoothly."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rate = limit / WINDOW_SECONDS
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


class RedisRateLimiter:
    """A fixed one-minute window per key in Redis, shared by every API process."""

    def __init__(self, url: str, limit: int) -> None:
        import redis

        self.limit = limit
        self.client = redis.Redis.from_url(url, socket_timeout=0.5)

    def hit(self, key: str) -> float | None:
        window = math.floor(time.time() / WINDOW_SECONDS)
        name = f"tendero:rate:{key}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, int(WINDOW_SECONDS) + 1)
        count, _ = pipe.execute()
        if int(count) <= self.limit:
            return None
        return (window + 1) * WINDOW_SECONDS - time.time()


def make_rate_limiter(limit: int, redis_url: str = "") -> RateLimiter:
    if redis_url:
        return RedisRateLimiter(redis_url, limit)
    return MemoryRateLimiter(limit)
