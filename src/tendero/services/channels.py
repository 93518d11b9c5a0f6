"""Channels as a service: where a tenant's alerts and lists go (a webhook or an email list), which events each
hears by itself, and a test message. Secrets (a webhook's URL and signing secret, extra headers, an SMTP
password) are sealed with the installation's secret on the way in and never come back out."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tendero.config import get_settings
from tendero.notify import sealing, targets, webhook
from tendero.notify.messages import EVENT_KINDS
from tendero.services import Invalid
from tendero.store import automation as rows
from tendero.store.automation_tables import Channel
from tendero.store.db import session_scope
from tendero.store.tables import new_id

EMAIL_PATTERN = r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$"
EMAIL = re.compile(EMAIL_PATTERN)
Address = Annotated[str, Field(min_length=5, max_length=320, pattern=EMAIL_PATTERN, description="an email address")]
EventKind = Literal[
    "churn_risk", "likely_buyers", "sales_analysis", "retrain", "refresh", "drift", "job_failed", "test"
]
DEFAULT_EVENTS: list[EventKind] = ["job_failed", "drift"]


class RetryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempts: int | None = Field(None, ge=1, le=20, description="before the delivery is dead-lettered")
    backoff_seconds: float | None = Field(None, ge=0.01, le=3600, description="first wait; doubles after each")
    timeout_seconds: float | None = Field(None, gt=0, le=120, description="webhooks: answer timeout")


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s/?#]+", description="http(s) URL (sealed)")
    style: Literal["slack", "json"] = Field("json", description="slack: Slack-compatible blocks; json: generic")
    secret: str | None = Field(None, min_length=16, max_length=200, description="HMAC signing secret (write-only)")
    headers: dict[str, str] = Field(default_factory=dict, description="extra headers, e.g. an auth token (sealed)")

    @field_validator("url", mode="before")  # before the pattern: its message says what is wrong in words
    @classmethod
    def _url(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # addresses and local names now; a name is resolved and checked at each send (no DNS in the request)
        return webhook.check_url(value.strip(), allow_private=get_settings().private_targets_allowed, resolve=False)


class SmtpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=253)
    port: int = Field(587, ge=1, le=65535)
    username: str = Field("", max_length=200)
    password: str = Field("", max_length=500, description="write-only")
    sender: str = Field(min_length=3, max_length=300)
    security: Literal["starttls", "tls", "none"] = "starttls"
    ca_file: str = Field("", max_length=500, description="a CA bundle to trust (a private mail server)")

    @field_validator("host")
    @classmethod
    def _reachable(cls, value: str) -> str:
        try:
            targets.check_host(value, allow_private=get_settings().private_targets_allowed, resolve=False)
        except targets.TargetRefused as error:
            raise ValueError(f"mail server refused: {error}") from None
        return value


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: list[Address] = Field(min_length=1, max_length=50)
    smtp: SmtpIn | None = Field(None, description="default: the installation's TENDERO_SMTP_* server")

    @field_validator("to", mode="before")  # before the pattern: its message names the address in words
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        for address in value:
            if isinstance(address, str) and not EMAIL.match(address.strip()):
                raise ValueError(f"not an email address: {address!r}")
        return [address.strip() if isinstance(address, str) else address for address in value]


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.:#@-]*$")
    kind: Literal["webhook", "email"]
    language: Literal["es", "en"] = "es"
    events: list[EventKind] = Field(
        default_factory=lambda: list(DEFAULT_EVENTS),
        description="events this channel hears without a schedule naming it",
    )
    webhook: WebhookIn | None = None
    email: EmailIn | None = None
    retry: RetryIn | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _one_address(self) -> ChannelIn:
        if self.kind == "webhook" and self.webhook is None:
            raise ValueError("a webhook channel needs webhook: {url, style, secret}")
        if self.kind == "email" and self.email is None:
            raise ValueError("an email channel needs email: {to: [...]}")
        if self.kind == "webhook" and self.webhook and self.webhook.style == "json" and not self.webhook.secret:
            raise ValueError("a json webhook needs webhook.secret (16+ characters): receivers check the signature")
        return self


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.:#@-]*$")
    language: Literal["es", "en"] | None = None
    events: list[EventKind] | None = None
    webhook: WebhookIn | None = None
    email: EmailIn | None = None
    retry: RetryIn | None = None
    enabled: bool | None = None


def _seal(values: dict[str, Any]) -> str:
    return sealing.seal(values, get_settings().secret_key)


def _parts(kind: str, hook: WebhookIn | None, email: EmailIn | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what may be shown, what is sealed) of a channel's address."""
    from urllib.parse import urlsplit

    if kind == "webhook":
        assert hook is not None
        described = {"style": hook.style, "host": urlsplit(hook.url).hostname, "headers": sorted(hook.headers)}
        return described, {
            "url": hook.url,
            "secret": hook.secret or "whsec_" + secrets.token_urlsafe(32),
            "headers": hook.headers,
        }
    assert email is not None
    smtp = email.smtp
    if smtp is None and not get_settings().smtp_host:
        raise Invalid(
            "no mail server: give email.smtp, or set TENDERO_SMTP_HOST for the installation",
            [{"field": "body.email.smtp", "message": "no SMTP server configured"}],
        )
    shown: dict[str, Any] = {"to": email.to}
    hidden: dict[str, Any] = {}
    if smtp is not None:
        shown["smtp"] = smtp.model_dump(exclude={"password"})
        hidden["smtp_password"] = smtp.password
    return shown, hidden


def public(channel: Channel) -> dict[str, Any]:
    config = dict(channel.config or {})
    return {
        "id": channel.id,
        "name": channel.name,
        "kind": channel.kind,
        "language": channel.language,
        "events": channel.events,
        "enabled": channel.enabled,
        "webhook": config.get("webhook"),
        "email": config.get("email"),
        "retry": config.get("retry", {}),
        "signature": {
            "header": webhook.SIGNATURE_HEADER,
            "timestamp_header": webhook.TIMESTAMP_HEADER,
            "scheme": "v1=HMAC-SHA256(secret, timestamp + '.' + body)",
        }
        if channel.kind == "webhook"
        else None,
        "created_at": channel.created_at,
        "updated_at": channel.updated_at,
    }


def create(tenant_id: str, body: ChannelIn) -> dict[str, Any]:
    shown, hidden = _parts(body.kind, body.webhook, body.email)
    config = {body.kind: shown, "retry": body.retry.model_dump(exclude_none=True) if body.retry else {}}
    with session_scope() as session:
        channel = rows.create_channel(
            session,
            tenant_id,
            name=body.name,
            kind=body.kind,
            language=body.language,
            events=list(dict.fromkeys(body.events)),
            config=config,
            sealed=_seal(hidden),
            enabled=body.enabled,
        )
        return public(channel)


def list_all(tenant_id: str, limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    with session_scope() as session:
        channels, total = rows.list_channels(session, tenant_id, limit=limit, offset=offset)
        return [public(c) for c in channels], total


def get(tenant_id: str, channel_id: str) -> dict[str, Any]:
    with session_scope() as session:
        return public(rows.get_channel(session, tenant_id, channel_id))


def update(tenant_id: str, channel_id: str, body: ChannelUpdate) -> dict[str, Any]:
    # a field sent as null is left as it is, like one not sent (every field of a channel has a value)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True, exclude={"webhook", "email", "retry"}).items()
               if v is not None}  # fmt: skip
    with session_scope() as session:
        channel = rows.get_channel(session, tenant_id, channel_id)
        config = dict(channel.config or {})
        if body.webhook is not None or body.email is not None:
            if (channel.kind == "webhook") != (body.webhook is not None):
                raise Invalid(
                    f"channel {channel.name!r} is a {channel.kind} channel",
                    [
                        {
                            "field": f"body.{'email' if channel.kind == 'webhook' else 'webhook'}",
                            "message": "does not match the channel's kind",
                        }
                    ],
                )
            hook = body.webhook
            if hook is not None and hook.secret is None:  # keep the secret set before
                current = sealing.unseal(channel.sealed, get_settings().secret_key)
                hook = hook.model_copy(update={"secret": current.get("secret")})
            shown, hidden = _parts(channel.kind, hook, body.email)
            config[channel.kind] = shown
            changes["sealed"] = _seal(hidden)
        if body.retry is not None:
            config["retry"] = body.retry.model_dump(exclude_none=True)
        changes["config"] = config
        if "events" in changes:
            changes["events"] = list(dict.fromkeys(changes["events"] or []))
        rows.update_channel(session, channel, **changes)
        return public(channel)


def delete(tenant_id: str, channel_id: str) -> None:
    with session_scope() as session:
        rows.delete_channel(session, tenant_id, channel_id)


def send_test(tenant_id: str, channel_id: str) -> dict[str, Any]:
    """A test message to this channel only: the delivery to follow at ``GET /v1/deliveries/{id}``."""
    from tendero.services.deliveries import public as delivery_public

    with session_scope() as session:
        channel = rows.get_channel(session, tenant_id, channel_id)
        _, deliveries = rows.record_event(
            session,
            tenant_id,
            "test",
            f"test:{channel.id}:{new_id()}",
            {"channel": channel.name},
            channel_ids=[channel.id],
            default_attempts=get_settings().delivery_attempts,
        )
        mine = [d for d in deliveries if d.channel_id == channel.id]
        if not mine:
            raise Invalid(f"channel {channel.name!r} is disabled: enable it to test it")
        return delivery_public(mine[0])


def event_kinds() -> list[str]:
    return list(EVENT_KINDS)
