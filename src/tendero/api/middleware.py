"""One ASGI middleware for what every request needs: request id, body limit, rate limit, metrics, logs."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tendero.api.errors import PROBLEM_TYPE, TITLES
from tendero.api.ratelimit import RateLimiter
from tendero.observability import metrics

log = logging.getLogger("tendero.access")
EXEMPT_PATHS = ("/health", "/ready", "/metrics")
# the dashboard is for signed-in people, whose pages fetch several files and poll job progress: the
# per-key API budget does not apply to it (its own routes check the session on every request)
RATE_EXEMPT_PATHS = (*EXEMPT_PATHS, "/app")


class BodyTooLarge(HTTPException):
    """An HTTPException so that FastAPI's body parsing passes it on as a 413, not a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id") or uuid.uuid4().hex
        if len(request_id) > 100 or not request_id.isprintable():
            request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            if not path.startswith(RATE_EXEMPT_PATHS):
                wait = self.limiter.hit(_rate_key(headers, scope))
                if wait is not None:
                    await _problem(
                        send_with_id,
                        429,
                        "rate limit exceeded; retry later",
                        request_id,
                        path,
                        {"retry-after": str(max(1, int(wait + 0.999)))},
                    )
                    return
            is_upload = headers.get("content-type", "").startswith("multipart/")
            limit = self.max_upload_bytes if is_upload else self.max_body_bytes
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await _problem(
                    send_with_id,
                    413,
                    f"request body of {declared} bytes exceeds the limit of {limit}",
                    request_id,
                    path,
                )
                return
            await self.app(scope, _limited(receive, limit), send_with_id)
        except BodyTooLarge as error:
            await _problem(send_with_id, 413, str(error.detail), request_id, path)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or ("unmatched" if status_holder["status"] == 404 else path)
            method = scope.get("method", "GET")
            metrics.http_requests.labels(method, template, str(status_holder["status"])).inc()
            metrics.http_latency.labels(method, template).observe(elapsed)
            if not path.startswith(EXEMPT_PATHS):
                log.info(
                    "%s %s %s %.1fms",
                    method,
                    path,
                    status_holder["status"],
                    elapsed * 1000,
                    extra={
                        "request_id": request_id,
                        "route": template,
                        "status": status_holder["status"],
                        "latency_ms": round(elapsed * 1000, 2),
                    },
                )


def _rate_key(headers: dict[str, str], scope: Scope) -> str:
    auth = headers.get("authorization", "")
    _, _, token = auth.partition(" ")
    parts = token.strip().split("_")
    if len(parts) >= 3 and parts[0] == "tdr":
        return f"key:{parts[0]}_{parts[1]}"
    client = scope.get("client") or ("unknown", 0)
    return f"ip:{client[0]}"


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return wrapped


async def _problem(
    send: Send,
    status: int,
    detail: str,
    request_id: str,
    path: str,
    extra_headers: dict[str, str] | None = None,
) -> None:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + TITLES[status].lower().replace(" ", "-"),
        "title": TITLES[status],
        "status": status,
        "detail": detail,
        "instance": path,
        "request_id": request_id,
    }
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra_headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
