"""Tenants' webhooks and mail servers may not reach this machine or the private network unless the installation
allows it (server-side request forgery): refused when the channel is made, and again, resolved, at each send."""

from __future__ import annotations

import pytest
from automation_support import SECRET
from test_deliveries import _finished, _webhook_channel

from support import make_tenant
from tendero.config import reset_settings
from tendero.notify.targets import TargetRefused, check_host


@pytest.fixture
def private_refused(monkeypatch):
    """The installation as production runs it: tenants' messages go to public addresses only."""
    monkeypatch.setenv("TENDERO_NOTIFY_PRIVATE_TARGETS", "false")
    reset_settings()
    yield
    monkeypatch.delenv("TENDERO_NOTIFY_PRIVATE_TARGETS")
    reset_settings()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/v1/models", "http://localhost:5432/", "http://10.0.0.5/x", "http://[::1]:6379/",
            "http://[::ffff:127.0.0.1]/", "http://192.168.1.1/admin", "http://100.64.0.1/"],
)  # fmt: skip
def test_a_webhook_to_this_machine_or_a_private_network_is_refused_naming_the_setting(client, private_refused, url):
    tenant = make_tenant("ssrf-webhook")
    body = {"name": "x", "kind": "webhook", "webhook": {"url": url, "secret": SECRET}}
    answer = client.post("/v1/channels", json=body, headers=tenant.headers())
    assert answer.status_code == 422, answer.text
    assert "url" in answer.text and "TENDERO_NOTIFY_PRIVATE_TARGETS" in answer.text


def test_a_tenants_own_mail_server_on_loopback_is_refused(client, private_refused):
    tenant = make_tenant("ssrf-smtp")
    smtp = {"host": "127.0.0.1", "port": 25, "sender": "a@tienda.example", "security": "none"}
    body = {"name": "x", "kind": "email", "email": {"to": ["a@b.es"], "smtp": smtp}}
    answer = client.post("/v1/channels", json=body, headers=tenant.headers())
    assert answer.status_code == 422 and "host" in answer.text and "TENDERO_NOTIFY_PRIVATE_TARGETS" in answer.text


def test_a_channel_made_while_allowed_is_refused_at_send_once_the_installation_refuses(
    client, tenant, receiver, monkeypatch
):
    channel = _webhook_channel(client, tenant, receiver.url)  # development: loopback allowed
    monkeypatch.setenv("TENDERO_NOTIFY_PRIVATE_TARGETS", "false")
    reset_settings()
    try:
        sent = client.post(f"/v1/channels/{channel['id']}/test", headers=tenant.headers()).json()
        done = _finished(client, tenant, sent["id"])
    finally:
        monkeypatch.delenv("TENDERO_NOTIFY_PRIVATE_TARGETS")
        reset_settings()
    assert done["status"] == "dead" and done["attempts"] == 1, done
    assert "TENDERO_NOTIFY_PRIVATE_TARGETS" in done["log"][0]["error"]
    assert receiver.requests == []


def test_link_local_is_refused_even_where_private_targets_are_allowed_and_public_addresses_pass():
    with pytest.raises(TargetRefused, match="link-local"):
        check_host("169.254.169.254", allow_private=True, resolve=False)
    with pytest.raises(TargetRefused, match="link-local"):
        check_host("fe80::1", allow_private=True, resolve=False)
    check_host("127.0.0.1", allow_private=True, resolve=False)
    check_host("8.8.8.8", allow_private=False, resolve=False)
    check_host("hooks.example.org", allow_private=False, resolve=False)  # a name: checked resolved, at send
