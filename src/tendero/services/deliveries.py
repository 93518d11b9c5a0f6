"""Deliveries as a service: the record of every message sent (status, attempts, response codes), the
dead-letter list and its replay, and ``send_due`` — the sender every API process and worker runs.

Sending: a due delivery is claimed with a lease (one sender at a time), rendered in its channel's language
and sent once; the attempt is recorded. A failure that may pass (a timeout, a 5xx, a server that is down)
is retried after an exponential backoff (the channel's, else ``TENDERO_DELIVERY_BACKOFF_SECONDS``:
30 s, 60 s, 120 s, ...); after the last attempt, or on an answer that retrying cannot fix, the delivery is
dead-lettered with everything needed to replay it. A sender that dies mid-send loses its lease and the
delivery is sent again: receivers deduplicate by the ``X-Tendero-Delivery`` header.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from tendero.config import get_settings
from tendero.notify import email as email_sender
from tendero.notify import sealing, targets, webhook
from tendero.notify.messages import render
from tendero.notify.outcome import Outcome, retry_delay
from tendero.store import automation as rows
from tendero.store.automation_tables import Delivery
from tendero.store.db import session_scope
from tendero.store.tables import utcnow

log = logging.getLogger(__name__)
BATCH = 20
SENDERS = 4
LEASE_MARGIN_SECONDS = 30.0


def public(delivery: Delivery, *, with_log: bool = False) -> dict[str, Any]:
    out = {
        "id": delivery.id,
        "event": delivery.event_kind,
        "event_id": delivery.event_id,
        "channel_id": delivery.channel_id,
        "channel": delivery.channel_name,
        "channel_kind": delivery.channel_kind,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "max_attempts": delivery.max_attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "next_attempt_at": delivery.next_attempt_at if delivery.status in ("pending", "retrying") else None,
        "replay_of": delivery.replay_of,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
    }
    if with_log:
        out["log"] = delivery.log or []
    return out


def list_all(
    tenant_id: str,
    *,
    status: str | None = None,
    channel_id: str | None = None,
    event: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    with session_scope() as session:
        found, total = rows.list_deliveries(
            session, tenant_id, status=status, channel_id=channel_id, event_kind=event, limit=limit, offset=offset
        )
        return [public(d) for d in found], total


def get(tenant_id: str, delivery_id: str) -> dict[str, Any]:
    with session_scope() as session:
        delivery = rows.get_delivery(session, tenant_id, delivery_id)
        event = rows.event_of(session, delivery)
        return {**public(delivery, with_log=True), "payload": event.payload}


def replay(tenant_id: str, delivery_id: str) -> dict[str, Any]:
    """Send a delivered or dead-lettered delivery's event to its channel again, as a new delivery."""
    with session_scope() as session:
        return public(rows.replay_delivery(session, tenant_id, delivery_id))


# ---- the sender ---------------------------------------------------------------------------------------------


def send_due(now: datetime, worker: str) -> int:
    """Claim due deliveries and send them, a few at a time; returns how many were attempted."""
    settings = get_settings()
    lease = settings.delivery_timeout_seconds + LEASE_MARGIN_SECONDS
    with session_scope() as session:
        claimed = rows.claim_deliveries(session, now, worker, lease, BATCH)
    if not claimed:
        return 0
    with ThreadPoolExecutor(max_workers=min(SENDERS, len(claimed)), thread_name_prefix="tendero-send") as pool:
        list(pool.map(lambda delivery_id: _attempt(delivery_id, worker, now), claimed))
    return len(claimed)


def _attempt(delivery_id: str, worker: str, now: datetime) -> None:
    try:
        outcome, retry = _send(delivery_id)
    except Exception as error:  # a bug or a bad row must not kill the sender: the attempt is recorded
        log.exception("delivery %s could not be attempted", delivery_id)
        outcome, retry = Outcome(False, None, f"{type(error).__name__}: {error}", 0.0, retryable=True), {}
    with session_scope() as session:
        delivery = rows.load_delivery(session, delivery_id)
        attempt = delivery.attempts + 1
        if outcome.ok:
            status, following = "delivered", None
        elif outcome.retryable and attempt < delivery.max_attempts:
            base = float(retry.get("backoff_seconds") or get_settings().delivery_backoff_seconds)
            waited = outcome.duration_ms / 1000.0  # the next attempt waits the backoff after this one ended
            status, following = "retrying", now + timedelta(seconds=waited + retry_delay(attempt, base))
        else:
            status, following = "dead", None
        record = {"at": utcnow().isoformat(), **outcome.record()}
        if not rows.finish_attempt(session, delivery_id, worker, record, status=status, next_attempt_at=following):
            log.warning("delivery %s: the lease was lost before the attempt was recorded", delivery_id)


def _send(delivery_id: str) -> tuple[Outcome, dict[str, Any]]:
    settings = get_settings()
    with session_scope() as session:
        delivery = rows.load_delivery(session, delivery_id)
        event = rows.event_of(session, delivery)
        channel = rows.load_channel(session, delivery.channel_id)
        if channel is None:
            return Outcome(False, None, "the channel was deleted", 0.0, retryable=False), {}
        if not channel.enabled:
            return Outcome(False, None, "the channel is disabled", 0.0, retryable=False), {}
        kind, payload, language = event.kind, dict(event.payload), channel.language
        config, sealed, channel_kind = dict(channel.config or {}), channel.sealed, channel.kind
        meta = {"id": delivery.id, "event_id": event.id, "created_at": event.created_at.isoformat()}
    retry = dict(config.get("retry") or {})
    try:
        secret = sealing.unseal(sealed, settings.secret_key)
    except sealing.SealBroken as error:
        return Outcome(False, None, str(error), 0.0, retryable=False), retry
    message = render(kind, payload, language)
    if channel_kind == "webhook":
        shown = config.get("webhook") or {}
        raw = webhook.body(message, shown.get("style", "json"), meta, payload)
        timeout = float(retry.get("timeout_seconds") or settings.delivery_timeout_seconds)
        outcome = webhook.post(
            secret["url"],
            raw,
            secret=secret["secret"],
            delivery_id=delivery_id,
            event=kind,
            timeout_seconds=timeout,
            extra_headers=secret.get("headers") or {},
            allow_private=settings.private_targets_allowed,
        )
        return outcome, retry
    shown = config.get("email") or {}
    server = _smtp_server(shown.get("smtp"), secret.get("smtp_password", ""))
    if server is None:
        return Outcome(False, None, "no mail server: set TENDERO_SMTP_HOST or the channel's smtp", 0.0), retry
    # a tenant's own mail server is checked again, resolved, at each send; the installation's is trusted
    if shown.get("smtp"):
        try:
            targets.check_host(server.host, allow_private=settings.private_targets_allowed, resolve=True)
        except targets.TargetRefused as error:
            return Outcome(False, None, f"mail server refused: {error}", 0.0, retryable=False), retry
    built = email_sender.build(message, list(shown.get("to") or []), server.sender, delivery_id=delivery_id)
    return email_sender.send(built, server), retry


def _smtp_server(own: dict[str, Any] | None, password: str) -> email_sender.SmtpServer | None:
    settings = get_settings()
    if own:
        return email_sender.SmtpServer(
            host=own["host"],
            port=int(own.get("port", 587)),
            username=own.get("username", ""),
            password=password,
            sender=own["sender"],
            security=own.get("security", "starttls"),
            ca_file=own.get("ca_file", ""),
            timeout_seconds=settings.delivery_timeout_seconds * 2,
        )
    if not settings.smtp_host:
        return None
    return email_sender.SmtpServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        sender=settings.smtp_from or f"tendero@{settings.smtp_host}",
        security=settings.smtp_security,
        ca_file=settings.smtp_ca_file,
        timeout_seconds=settings.delivery_timeout_seconds * 2,
    )
