"""Webhooks: the body (Slack-compatible or generic JSON), its HMAC-SHA256 signature, and one POST.

Signature: ``X-Tendero-Signature: v1=<hex>`` where ``<hex>`` is HMAC-SHA256 of ``"<timestamp>." + raw body``
under the channel's signing secret, and ``X-Tendero-Timestamp`` is that timestamp (Unix seconds). A
receiver recomputes it over the bytes it received and rejects timestamps older than a few minutes, so a
captured request cannot be replayed later (Stripe's and Slack's scheme). ``X-Tendero-Delivery`` names
the delivery: an attempt that timed out may have arrived, so receivers deduplicate by it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from tendero import __version__
from tendero.notify.messages import Message, generic_payload, slack_payload
from tendero.notify.outcome import Outcome
from tendero.notify.targets import TargetRefused, check_host

SIGNATURE_HEADER = "X-Tendero-Signature"
TIMESTAMP_HEADER = "X-Tendero-Timestamp"
DELIVERY_HEADER = "X-Tendero-Delivery"
EVENT_HEADER = "X-Tendero-Event"
RETRYABLE_4XX = {408, 409, 425, 429}
STYLES = ("slack", "json")


class BadWebhookUrl(ValueError):
    """A URL tendero will not post to."""


def check_url(url: str, *, allow_private: bool, resolve: bool) -> str:
    """http(s) with a host that the installation lets tenants reach (see ``targets``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadWebhookUrl(f"webhook URL must be http:// or https:// with a host; got {url[:80]!r}")
    try:
        check_host(parts.hostname, allow_private=allow_private, resolve=resolve)
    except TargetRefused as error:
        raise BadWebhookUrl(f"webhook URL refused: {error}") from None
    return url


def body(message: Message, style: str, meta: dict[str, Any], data: dict[str, Any]) -> bytes:
    """The raw bytes that are signed and sent."""
    payload = slack_payload(message) if style == "slack" else generic_payload(message, meta, data)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def sign(secret: str, timestamp: int, raw: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(
    secret: str,
    timestamp: str,
    signature: str,
    raw: bytes,
    *,
    now: float | None = None,
    tolerance_seconds: float = 300.0,
) -> bool:
    """What a receiver does: the signature matches the body and the timestamp is recent."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - stamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, stamp, raw), signature or "")


def post(
    url: str,
    raw: bytes,
    *,
    secret: str,
    delivery_id: str,
    event: str,
    timeout_seconds: float,
    extra_headers: dict[str, str] | None = None,
    timestamp: int | None = None,
    allow_private: bool = False,
) -> Outcome:
    """POST once (no redirects followed). 2xx is delivered; 5xx, 408/409/425/429, timeouts and refused
    connections may be retried; any other answer will not get better by retrying."""
    stamp = int(timestamp if timestamp is not None else time.time())
    headers = {
        **(extra_headers or {}),
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"tendero/{__version__}",
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: sign(secret, stamp, raw),
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event,
    }
    started = time.perf_counter()
    try:
        check_url(url, allow_private=allow_private, resolve=True)
        with httpx.Client(timeout=httpx.Timeout(timeout_seconds), follow_redirects=False) as client:
            response = client.post(url, content=raw, headers=headers)
    except BadWebhookUrl as error:
        return Outcome(False, None, str(error), _ms(started), retryable=False)
    except httpx.TimeoutException:
        return Outcome(False, None, f"no answer within {timeout_seconds:g} s (timeout)", _ms(started))
    except httpx.HTTPError as error:
        return Outcome(False, None, f"could not reach the receiver: {type(error).__name__}: {error}", _ms(started))
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, code, None, _ms(started))
    snippet = response.text[:300].strip()
    retryable = code >= 500 or code in RETRYABLE_4XX
    return Outcome(
        False,
        code,
        f"the receiver answered {code}" + (f": {snippet}" if snippet else ""),
        _ms(started),
        retryable=retryable,
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
