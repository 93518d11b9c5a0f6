"""Real receivers for the automation tests: an HTTP server on loopback that checks tendero's signatures and
answers as each test scripts it (200, 500, hang), and an SMTP server (aiosmtpd) that requires STARTTLS
with a certificate made for the test, and keeps every message it accepts."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tendero.notify import webhook

SECRET = "whsec_test_0123456789abcdef"


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    answered: int | None
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """``script``: what to answer to each request in turn (an int status, or "hang"); after it, ``then``."""

    secret: str
    script: list[int | str] = field(default_factory=list)
    then: int | str = 200
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                ok = webhook.verify(receiver.secret, self.headers.get(webhook.TIMESTAMP_HEADER, ""),
                                    self.headers.get(webhook.SIGNATURE_HEADER, ""), raw)  # fmt: skip
                index = len(receiver.requests)
                action = receiver.script[index] if index < len(receiver.script) else receiver.then
                record = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, raw, ok, None,
                                  time.monotonic())  # fmt: skip
                receiver.requests.append(record)
                if action == "hang":
                    receiver.release.wait(60)  # until the test ends: the sender must time out first
                    action = 200
                status = int(action) if ok else 401
                record.answered = status
                try:
                    self.send_response(status)
                    self.send_header("content-type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"nope")
                except OSError:  # the sender gave up (timeout) and closed the connection
                    pass

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (the SMTP server's), written as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_path, key_path


@dataclass
class Mailbox:
    """What the SMTP server accepted: each message parsed, with the envelope and whether it came over TLS."""

    messages: list[tuple[EmailMessage, list[str], bool]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((parsed, list(envelope.rcpt_tos), session.ssl is not None))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def start_smtp(folder: Path, username: str, password: str) -> tuple[Any, Mailbox, Path, int]:
    """An aiosmtpd server on loopback that requires STARTTLS and a login; returns (controller, mailbox,
    CA file for the client, port)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tendero.bench.server import free_port

    cert, key = self_signed_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == username and \
            auth_data.password.decode() == password  # fmt: skip
        if good:
            mailbox.logins.append(username)
        return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535 itself

    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)  # fmt: skip
    controller.start()
    return controller, mailbox, cert, port
