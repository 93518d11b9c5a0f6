"""Deliveries against real receivers on loopback: signed webhooks that fail, hang or are down, email over
STARTTLS in Spanish and English with a CSV; the record of every attempt, the dead-letter list and replay."""

from __future__ import annotations

import pytest
from automation_support import SECRET, Receiver, wait_for

from support import make_tenant
from tendero.bench.server import free_port
from tendero.notify import webhook
from tendero.store import automation as automation_rows
from tendero.store.automation_tables import Channel
from tendero.store.db import session_scope

FAST = {"attempts": 5, "backoff_seconds": 0.2, "timeout_seconds": 0.5}
CHURN_PAYLOAD = {
    "workflow": "churn_risk",
    "model": "customers",
    "version": "1.0.0",
    "as_of": "2026-11-30",
    "window_days": 90.0,
    "min_probability": 0.5,
    "min_value": 10.0,
    "currency": "EUR",
    "customers_at_risk": 2,
    "total_value_at_risk": 1234.5,
    "customers": [
        {
            "customer_id": "C-0001",
            "churn_probability": 0.91,
            "value_at_risk": 1000.25,
            "clv": 4000.0,
            "segment": "at_risk",
            "segment_name": {"es": "En riesgo", "en": "At risk"},
            "last_purchase": "2026-07-01",
            "reason_text": {"es": "Lleva 150 días sin comprar", "en": "150 days without a purchase"},
        },
        {
            "customer_id": "C-0002",
            "churn_probability": 0.62,
            "value_at_risk": 234.25,
            "clv": 800.0,
            "segment": "hibernating",
            "segment_name": {"es": "Hibernando", "en": "Hibernating"},
            "last_purchase": "2026-08-15",
            "reason_text": {"es": "Compra menos que antes", "en": "Buys less than before"},
        },
    ],
}


def _webhook_channel(
    client,
    tenant,
    url: str,
    *,
    style: str = "json",
    retry: dict | None = None,
    name: str = "hook",
    events: list[str] | None = None,
) -> dict:
    body = {
        "name": name,
        "kind": "webhook",
        "language": "es",
        "webhook": {"url": url, "style": style, "secret": SECRET},
        "retry": retry or FAST,
        "events": events or [],
    }
    answer = client.post("/v1/channels", json=body, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    return answer.json()


def _delivery(client, tenant, delivery_id: str) -> dict:
    return client.get(f"/v1/deliveries/{delivery_id}", headers=tenant.headers()).json()


def _finished(client, tenant, delivery_id: str, timeout: float = 40.0) -> dict:
    return wait_for(
        lambda: (d := _delivery(client, tenant, delivery_id))["status"] in ("delivered", "dead") and d,
        timeout,
        f"delivery {delivery_id} to finish",
    )


def test_a_receiver_that_fails_three_times_gets_the_message_once_on_the_fourth_attempt(client, tenant, receiver):
    receiver.script = [500, 500, 500]
    channel = _webhook_channel(client, tenant, receiver.url)
    sent = client.post(f"/v1/channels/{channel['id']}/test", headers=tenant.headers())
    assert sent.status_code == 202, sent.text
    done = _finished(client, tenant, sent.json()["id"])
    assert done["status"] == "delivered" and done["attempts"] == 4 and done["last_status_code"] == 200
    assert [a["status_code"] for a in done["log"]] == [500, 500, 500, 200]
    assert len(receiver.requests) == 4 and all(r.signature_ok for r in receiver.requests)
    assert [r.answered for r in receiver.requests].count(200) == 1
    assert {r.headers["x-tendero-delivery"] for r in receiver.requests} == {done["id"]}
    gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    assert all(gap >= wait for gap, wait in zip(gaps, [0.2, 0.4, 0.8], strict=True)), gaps  # exponential backoff
    body = receiver.requests[-1].json()
    assert body["event"] == "test" and body["language"] == "es" and "funciona" in body["text"]


def test_a_receiver_that_hangs_times_out_and_the_next_attempt_delivers(client, tenant, receiver):
    receiver.script = ["hang"]
    channel = _webhook_channel(client, tenant, receiver.url)
    sent = client.post(f"/v1/channels/{channel['id']}/test", headers=tenant.headers()).json()
    done = _finished(client, tenant, sent["id"])
    assert done["status"] == "delivered" and done["attempts"] == 2, done
    first, second = done["log"]
    assert first["status_code"] is None and "timeout" in first["error"] and first["duration_ms"] >= 450
    assert second["status_code"] == 200
    assert len(receiver.requests) == 2


def test_a_receiver_that_is_down_is_dead_lettered_and_replayed_when_it_is_back(client, tenant):
    port = free_port()  # nothing listens here yet
    retry = {"attempts": 3, "backoff_seconds": 0.1, "timeout_seconds": 0.5}
    _webhook_channel(client, tenant, f"http://127.0.0.1:{port}/hook", retry=retry, events=["churn_risk"])
    with session_scope() as session:
        _, deliveries = automation_rows.record_event(session, tenant.id, "churn_risk", "down-test", CHURN_PAYLOAD)
        delivery_id = deliveries[0].id
    done = _finished(client, tenant, delivery_id)
    assert done["status"] == "dead" and done["attempts"] == 3
    assert all(a["status_code"] is None and "could not reach" in a["error"] for a in done["log"])
    dead = client.get("/v1/deliveries?status=dead", headers=tenant.headers()).json()
    assert [d["id"] for d in dead["items"]] == [delivery_id]
    assert done["payload"] == CHURN_PAYLOAD  # nothing lost: the whole event is kept with the dead letter
    back = Receiver(secret=SECRET, port=port).start()
    try:
        replay = client.post(f"/v1/deliveries/{delivery_id}/replay", headers=tenant.headers())
        assert replay.status_code == 202, replay.text
        again = _finished(client, tenant, replay.json()["id"])
        assert again["status"] == "delivered" and again["attempts"] == 1 and again["replay_of"] == delivery_id
        body = back.requests[0].json()
        assert back.requests[0].signature_ok
        assert body["data"]["customers"] == CHURN_PAYLOAD["customers"] and body["event"] == "churn_risk"
        assert body["data"]["total_value_at_risk"] == 1234.5
    finally:
        back.stop()
    original = _delivery(client, tenant, delivery_id)
    assert original["status"] == "dead" and original["attempts"] == 3  # the dead letter keeps its record


def test_slack_style_is_what_slack_incoming_webhooks_take(client, tenant, receiver):
    channel = _webhook_channel(client, tenant, receiver.url, style="slack", events=["churn_risk"])
    with session_scope() as session:
        _, deliveries = automation_rows.record_event(session, tenant.id, "churn_risk", "slack-test", CHURN_PAYLOAD)
    assert [d.channel_id for d in deliveries] == [channel["id"]]
    done = _finished(client, tenant, deliveries[0].id)
    assert done["status"] == "delivered"
    body = receiver.requests[0].json()
    assert body["text"].startswith("Clientes en riesgo de abandono: 2 (1.234,50 EUR en riesgo)")
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds[0] == "header" and "section" in kinds and kinds[-1] == "context"
    table = next(b["text"]["text"] for b in body["blocks"] if "text" in b and "```" in b["text"]["text"])
    assert "C-0001 | 91 % | 1.000,25 EUR" in table and "Lleva 150 días sin comprar" in table


def test_signatures_fail_on_a_changed_body_another_secret_or_an_old_timestamp():
    raw = b'{"event":"test"}'
    signature = webhook.sign(SECRET, 1_800_000_000, raw)
    assert webhook.verify(SECRET, "1800000000", signature, raw, now=1_800_000_010)
    assert not webhook.verify(SECRET, "1800000000", signature, raw + b" ", now=1_800_000_010)
    assert not webhook.verify("another-secret-xx", "1800000000", signature, raw, now=1_800_000_010)
    assert not webhook.verify(SECRET, "1800000000", signature, raw, now=1_800_000_000 + 3600)


def test_an_email_goes_over_starttls_in_each_channels_language_with_html_text_and_the_csv(client, tenant, smtp):
    mailbox, server = smtp
    for language, address in (("es", "tienda@example.es"), ("en", "shop@example.com")):
        body = {
            "name": f"mail-{language}",
            "kind": "email",
            "language": language,
            "events": ["churn_risk"],
            "email": {"to": [address], "smtp": server},
            "retry": {"attempts": 2, "backoff_seconds": 0.1},
        }
        assert client.post("/v1/channels", json=body, headers=tenant.headers()).status_code == 201
    with session_scope() as session:
        _, deliveries = automation_rows.record_event(session, tenant.id, "churn_risk", "mail-test", CHURN_PAYLOAD)
    for delivery in deliveries:
        done = _finished(client, tenant, delivery.id)
        assert done["status"] == "delivered" and done["attempts"] == 1, done
    assert len(mailbox.messages) == 2 and mailbox.logins == ["tendero", "tendero"]
    by_recipient = {rcpt[0]: (message, tls) for message, rcpt, tls in mailbox.messages}
    spanish, tls_es = by_recipient["tienda@example.es"]
    english, tls_en = by_recipient["shop@example.com"]
    assert tls_es and tls_en  # STARTTLS before anything was sent
    assert spanish["Subject"] == "Clientes en riesgo de abandono: 2 (1.234,50 EUR en riesgo)"
    assert english["Subject"] == "Customers at risk of churning: 2 (1,234.50 EUR at risk)"
    assert spanish["Content-Language"] == "es" and spanish["From"] == "alertas@tienda.example"
    for message, words, delimiter, decimal in (
        (spanish, "Lleva 150 días sin comprar", ";", "0,91"),
        (english, "150 days without a purchase", ",", "0.91"),
    ):
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert words in text and words in html and "<table" in html
        attachments = list(message.iter_attachments())
        assert len(attachments) == 1 and attachments[0].get_content_type() == "text/csv"
        csv_text = (
            attachments[0].get_content()
            if isinstance(attachments[0].get_content(), str)
            else attachments[0].get_content().decode("utf-8-sig")
        )
        lines = csv_text.lstrip("\ufeff").strip().splitlines()
        assert len(lines) == 3 and lines[1].split(delimiter)[0] == "C-0001"
        assert decimal in lines[1].split(delimiter)


def test_a_mail_server_that_refuses_the_login_is_dead_lettered_at_once(client, tenant, smtp):
    _, server = smtp
    body = {
        "name": "bad-login",
        "kind": "email",
        "events": ["test"],
        "retry": {"attempts": 4, "backoff_seconds": 0.1},
        "email": {"to": ["a@example.es"], "smtp": {**server, "password": "wrong"}},
    }
    channel = client.post("/v1/channels", json=body, headers=tenant.headers()).json()
    sent = client.post(f"/v1/channels/{channel['id']}/test", headers=tenant.headers()).json()
    done = _finished(client, tenant, sent["id"])
    assert done["status"] == "dead" and done["attempts"] == 1 and done["last_status_code"] == 535


def test_channel_secrets_are_sealed_and_never_returned(client, tenant, receiver):
    secret_url = receiver.url + "?token=SECRET-TOKEN-123"
    channel = _webhook_channel(client, tenant, secret_url)
    shown = [
        client.get(f"/v1/channels/{channel['id']}", headers=tenant.headers()).text,
        client.get("/v1/channels", headers=tenant.headers()).text,
        str(channel),
    ]
    for text in shown:
        assert "SECRET-TOKEN-123" not in text and SECRET not in text and "/hook" not in text
    with session_scope() as session:
        row = session.get(Channel, channel["id"])
        assert "SECRET-TOKEN-123" not in row.sealed and SECRET not in row.sealed and row.sealed
        assert "SECRET-TOKEN-123" not in str(row.config)
    # a change that does not name the secret keeps it: the receiver still verifies the signature
    patched = client.patch(
        f"/v1/channels/{channel['id']}",
        headers=tenant.headers(),
        json={"language": "en", "webhook": {"url": secret_url, "style": "json"}},
    )
    assert patched.status_code == 200, patched.text
    sent = client.post(f"/v1/channels/{channel['id']}/test", headers=tenant.headers()).json()
    assert _finished(client, tenant, sent["id"])["status"] == "delivered"
    assert receiver.requests[-1].signature_ok and receiver.requests[-1].path == "/hook?token=SECRET-TOKEN-123"
    assert receiver.requests[-1].json()["language"] == "en"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "x", "kind": "webhook", "webhook": {"url": "ftp://example.com/x", "secret": SECRET}}, "url"),
        (
            {"name": "x", "kind": "webhook", "webhook": {"url": "http://169.254.169.254/latest", "secret": SECRET}},
            "url",
        ),
        ({"name": "x", "kind": "webhook", "webhook": {"url": "https://example.com/x"}}, "secret"),
        ({"name": "x", "kind": "email", "email": {"to": ["not-an-address"]}}, "to"),
        ({"name": "x", "kind": "email", "email": {"to": ["a@b.es"]}}, "smtp"),
    ],
)
def test_bad_channels_are_refused_saying_which_field(client, body, field):
    tenant = make_tenant("channels")
    answer = client.post("/v1/channels", json=body, headers=tenant.headers())
    assert answer.status_code == 422, answer.text
    assert field in answer.text
