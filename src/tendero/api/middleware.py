"""One ASGI middleware for what every request needs: request id, input checks, rate limits, body limit, the
answer to any unexpected error, metrics and logs.

It answers unexpected errors itself (a 500 problem, logged with the request id) instead of letting them reach
Starlette's ServerErrorMiddleware, which re-raises after answering: uvicorn then closes the keep-alive
connection, and the client's next request on it fails.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tendero.api.errors import (
    PROBLEM_TYPE,
    TITLES,
    Language,
    input_problem_detail,
    language_of,
    message,
    unstorable_text,
)
from tendero.api.ratelimit import RateLimits, client_bucket
from tendero.observability import metrics
from tendero.services.tenants import key_cache

log = logging.getLogger("tendero.access")
EXEMPT_PATHS = ("/health", "/ready", "/metrics")
# the dashboard is for signed-in people, whose pages fetch several files and poll job progress: the
# per-key API budget does not apply to it (its own routes check the session on every request, and its
# sign-in form has limits of its own)
RATE_EXEMPT_PATHS = (*EXEMPT_PATHS, "/app")
UNMATCHED = "unmatched"
# JSON escapes that decode to text no database takes: NUL, and UTF-16 surrogates (checked for pairing below)
SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
MAX_LISTED_FIELDS = 20


class BodyTooLarge(HTTPException):
    """An HTTPException so that FastAPI's body parsing passes it on as a 413, not a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds the limit of {limit} bytes")
        self.limit = limit


class ServiceMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limits: RateLimits,
        max_body_bytes: int,
        max_upload_bytes: int,
        routes: Sequence[BaseRoute] = (),
        metrics_token: str = "",
    ) -> None:
        self.app = app
        self.limits = limits
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.routes = routes
        self.metrics_token = metrics_token
        self._templates: list[tuple[re.Pattern[str], str]] | None = None  # read from the routes on first use

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
        lang = language_of(headers.get("accept-language", ""))
        state = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
                named = any(k.lower() == b"content-language" for k, _ in message["headers"])
                if not named and not path.startswith("/app"):
                    # the language of the answer's human text, so a client that asked for fr sees it got en
                    message["headers"].append((b"content-language", lang.encode()))
            await send(message)

        async def answer(status: int, detail: str, **extra: Any) -> None:
            await _problem(send_with_id, status, detail, request_id, _safe_instance(path), **extra)

        try:
            refusal = self._refusal(scope, headers, lang)
            if refusal is not None:
                await answer(*refusal[:2], errors=refusal[2])
                return
            if path == "/metrics" and self.metrics_token and not _bearer_matches(headers, self.metrics_token):
                await answer(401, message(lang, "metrics_token"), headers={"www-authenticate": "Bearer"})
                return
            is_upload = headers.get("content-type", "").startswith("multipart/")
            limit = self.max_upload_bytes if is_upload else self.max_body_bytes
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:  # at once, before any wait
                await answer(413, message(lang, "body_too_large", size=declared, limit=limit))
                return
            if not _under(path, RATE_EXEMPT_PATHS):
                limited = await self._rate_limit(scope, headers, lang)
                if limited is not None:
                    await answer(429, limited[0], headers={"retry-after": limited[1]})
                    return
            body_receive = _limited(receive, limit)
            if _is_json(headers.get("content-type", "")):
                body = await _read_body(body_receive)
                problem = _unstorable_json(body, lang)
                if problem is not None:
                    await answer(422, problem[0], errors=problem[1])
                    return
                body_receive = _replay(body, receive)
            await self.app(scope, body_receive, send_with_id)
        except BodyTooLarge as error:
            if state["started"]:
                raise
            await answer(413, message(lang, "body_too_large_streamed", limit=error.limit))
        except Exception as error:
            if state["started"]:  # half an answer went out: only closing the connection tells the client
                raise
            kind = unstorable_text(error)
            if kind is not None:
                await answer(422, input_problem_detail(kind, lang))
            else:
                log.exception("unhandled error on %s %s", scope.get("method"), path, extra={"request_id": request_id})
                await answer(500, message(lang, "unexpected", request_id=request_id))
        finally:
            self._observe(scope, path, int(state["status"]), time.perf_counter() - started, request_id)

    def _refusal(
        self, scope: Scope, headers: dict[str, str], lang: Language
    ) -> tuple[int, str, list[dict[str, Any]]] | None:
        """422 for a NUL character in the path or a query parameter (no database stores one, PostgreSQL refuses)."""
        errors = []
        if "\x00" in scope["path"]:
            errors.append({"field": "path", "message": message(lang, "nul_text")})
        raw_query: bytes = scope.get("query_string", b"")
        if b"%00" in raw_query or b"\x00" in raw_query:
            for name, value in parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True):
                if "\x00" in name or "\x00" in value:
                    field = f"query.{name.replace(chr(0), '')[:100]}"
                    errors.append({"field": field, "message": message(lang, "nul_text")})
        if not errors:
            return None
        fields = ", ".join(error["field"] for error in errors[:5])
        return 422, message(lang, "invalid_text_in", fields=fields), errors[:MAX_LISTED_FIELDS]

    async def _rate_limit(self, scope: Scope, headers: dict[str, str], lang: Language) -> tuple[str, str] | None:
        """Per client address before the key is verified, then per verified key: a key's bucket is only ever
        spent by requests that proved they hold it. (detail, Retry-After) when a limit is reached."""
        secret = _bearer(headers)
        principal = None
        if secret is not None:
            _, principal = key_cache.fresh(secret)
        limits = self.limits
        if principal is None:
            client = scope.get("client") or (None, 0)
            wait = limits.limiter.hit(client_bucket(client[0]), limits.per_ip)
            if wait is not None:
                return _limited_detail(lang, limits.per_ip, "ip", wait)
            if secret is not None:
                principal = await anyio.to_thread.run_sync(key_cache.resolve, secret)
        if principal is None:
            return None  # the route answers 401 (or serves what needs no key)
        scope.setdefault("state", {})["principal"] = principal
        metrics.for_tenant(principal.tenant_name)
        wait = limits.limiter.hit(f"key:{principal.key_prefix}", limits.per_key)
        if wait is not None:
            return _limited_detail(lang, limits.per_key, "key", wait)
        return None

    def route_template(self, scope: Scope, status: int) -> str:
        """The route's template (``/v1/customers/{customer_id}/insights``), never the raw path: ids in paths are
        other tenants' data, and every distinct label value is a new series held for ever. Answers given before
        routing (429, 413, 422, 401) are matched against the routes' templates here."""
        template = getattr(scope.get("route"), "path", None)
        if template:
            return str(template)
        if status == 404:
            return UNMATCHED
        if self._templates is None:
            self._templates = route_templates(self.routes)
        path = scope["path"]
        return next((template for pattern, template in self._templates if pattern.match(path)), UNMATCHED)

    def _observe(self, scope: Scope, path: str, status: int, elapsed: float, request_id: str) -> None:
        template = self.route_template(scope, status)
        method = scope.get("method", "GET")
        method = method if method in KNOWN_METHODS else "other"
        metrics.http_requests.labels(method, template, str(status)).inc()
        metrics.http_latency.labels(method, template).observe(elapsed)
        if not _under(path, EXEMPT_PATHS):
            log.info(
                "%s %s %s %.1fms",
                method,
                _safe_instance(path),
                status,
                elapsed * 1000,
                extra={"request_id": request_id, "route": template, "status": status,
                       "latency_ms": round(elapsed * 1000, 2)},
            )  # fmt: skip


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_templates(routes: Sequence[BaseRoute]) -> list[tuple[re.Pattern[str], str]]:
    """(path pattern, template) of every route, in the router's order, included routers flattened."""
    from fastapi.routing import iter_route_contexts

    table = []
    for route in iter_route_contexts(routes):
        pattern = getattr(route, "path_regex", None)
        template = getattr(route, "path_format", None) or getattr(route, "path", None)
        if pattern is not None and template:
            table.append((pattern, str(template)))
    return table


def _limited_detail(lang: Language, limit: int, scope_name: str, wait: float) -> tuple[str, str]:
    seconds = max(1, int(wait + 0.999))
    detail = message(lang, "rate_limited", limit=limit, scope=message(lang, f"scope.{scope_name}"), wait=seconds)
    return detail, str(seconds)


def _bearer(headers: dict[str, str]) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _bearer_matches(headers: dict[str, str], token: str) -> bool:
    presented = _bearer(headers) or ""
    return hmac.compare_digest(presented.encode("utf-8", "replace"), token.encode())


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def _safe_instance(path: str) -> str:
    return path.replace("\x00", "")[:500]


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message_ = await receive()
        if message_["type"] != "http.request":
            break
        chunks.append(message_.get("body", b""))
        if not message_.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read once, handed to the app as one message; later calls wait for the client (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _unstorable_json(body: bytes, lang: Language) -> tuple[str, list[dict[str, Any]]] | None:
    """(detail, field errors) when a JSON body holds text no database stores: an unpaired surrogate escape, a NUL
    escape, or bytes that are not UTF-8. Cheap for every other body: one scan for the escapes."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(body) > 1 and (body[0] == 0 or body[1] == 0)):
        return None  # UTF-16/32 JSON: json.loads reads it, and no escape scan applies
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        detail = message(lang, "bad_utf8", offset=error.start)
        return detail, [{"field": "body", "message": detail}]
    if not SUSPECT_ESCAPE.search(body):
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON (or nested past the parser's depth): the route's own parsing says so
    errors = _find_bad_text(document, lang)
    if not errors:
        return None
    fields = ", ".join(error["field"] for error in errors[:5])
    return message(lang, "invalid_text_in", fields=fields), errors[:MAX_LISTED_FIELDS]


def _find_bad_text(document: Any, lang: Language) -> list[dict[str, Any]]:
    """Field errors for every unstorable string (values and keys), up to ``MAX_LISTED_FIELDS``; iterative, so
    however deep the document nests, this walk cannot overflow the stack."""
    errors: list[dict[str, Any]] = []
    pending: list[tuple[Any, tuple[str, ...]]] = [(document, ("body",))]
    while pending and len(errors) < MAX_LISTED_FIELDS:
        value, where = pending.pop()
        if isinstance(value, str):
            problem = _text_problem(value, lang)
            if problem is not None:
                errors.append({"field": ".".join(where), "message": problem})
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                name = key.encode("ascii", "backslashreplace").decode("ascii").replace("\x00", "\\x00")
                problem = _text_problem(key, lang)
                if problem is not None:
                    errors.append({"field": ".".join((*where, name)), "message": problem})
                pending.append((item, (*where, name)))
        elif isinstance(value, list):
            pending.extend((item, (*where, str(index))) for index, item in reversed(list(enumerate(value))))
    return errors


def _text_problem(text: str, lang: Language) -> str | None:
    if "\x00" in text:
        return message(lang, "nul_text")
    try:
        text.encode("utf-8")  # json.loads joins escaped pairs into one character: any surrogate left is unpaired
    except UnicodeEncodeError as error:
        return message(lang, "surrogate_text", char=f"\\u{ord(text[error.start]):04x}")
    return None


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message_ = await receive()
        if message_["type"] == "http.request":
            seen += len(message_.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message_

    return wrapped


async def _problem(
    send: Send,
    status: int,
    detail: str,
    request_id: str,
    path: str,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> None:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + TITLES[status].lower().replace(" ", "-"),
        "title": TITLES[status],
        "status": status,
        "detail": detail,
        "instance": path,
        "request_id": request_id,
    }
    if errors:
        body["errors"] = errors
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
