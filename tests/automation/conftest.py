"""Fixtures of the automation tests: a signing HTTP receiver and a STARTTLS SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from automation_support import SECRET, Mailbox, Receiver, start_smtp


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(secret=SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def smtp(tmp_path) -> Iterator[tuple[Mailbox, dict]]:
    controller, mailbox, cert, port = start_smtp(tmp_path, "tendero", "s3cret-pass")
    config = {"host": "127.0.0.1", "port": port, "username": "tendero", "password": "s3cret-pass",
              "sender": "alertas@tienda.example", "security": "starttls", "ca_file": str(cert)}  # fmt: skip
    yield mailbox, config
    controller.stop()
