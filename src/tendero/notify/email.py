"""Email: one message in the channel's language with a text and an HTML part, a CSV attachment when the
message carries a list, sent over SMTP with STARTTLS (the standard library's ``smtplib``)."""

from __future__ import annotations

import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from tendero.notify.messages import Message, csv_bytes, html_body, text_body
from tendero.notify.outcome import Outcome


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send. ``security``: ``starttls`` (required: the session is upgraded to TLS before
    any credential or content is sent), ``tls`` (TLS from the first byte, port 465) or ``none`` (a local
    relay only). ``ca_file``: a CA bundle to trust instead of the system's (a private mail server)."""

    host: str
    port: int = 587
    username: str = ""
    password: str = ""
    sender: str = "tendero@localhost"
    security: str = "starttls"
    timeout_seconds: float = 20.0
    ca_file: str = ""

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)


def build(message: Message, to: list[str], sender: str, *, delivery_id: str = "") -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = ", ".join(to)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "tendero")
    if delivery_id:
        email["X-Tendero-Delivery"] = delivery_id
    email.set_content(text_body(message), subtype="plain", charset="utf-8")
    email.add_alternative(html_body(message), subtype="html", charset="utf-8")
    if message.rows and message.attachment:
        email.add_attachment(csv_bytes(message), maintype="text", subtype="csv", filename=message.attachment)
    email["Content-Language"] = message.lang  # after the parts: setting content clears Content-* headers
    return email


def send(email: EmailMessage, server: SmtpServer) -> Outcome:
    """One attempt. A 4xx reply or a lost connection may be retried; a 5xx reply (a refused recipient,
    bad credentials) will not get better by retrying."""
    started = time.perf_counter()
    try:
        if server.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout_seconds, context=server.tls_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout_seconds)
        with client:
            client.ehlo()
            if server.security == "starttls":
                if not client.has_extn("starttls"):
                    return Outcome(
                        False,
                        None,
                        f"{server.host}:{server.port} does not offer STARTTLS",
                        _ms(started),
                        retryable=False,
                    )
                client.starttls(context=server.tls_context())
                client.ehlo()
            if server.username:
                client.login(server.username, server.password)
            refused = client.send_message(email)
    except smtplib.SMTPResponseException as error:
        text = (
            error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        )
        return Outcome(
            False,
            error.smtp_code,
            f"the mail server answered {error.smtp_code}: {text}",
            _ms(started),
            retryable=error.smtp_code < 500,
        )
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome(
            False, None, f"every recipient was refused: {sorted(error.recipients)}", _ms(started), retryable=False
        )
    except ssl.SSLError as error:
        return Outcome(False, None, f"TLS with the mail server failed: {error}", _ms(started), retryable=False)
    except (OSError, smtplib.SMTPException) as error:
        return Outcome(False, None, f"could not talk to the mail server: {type(error).__name__}: {error}", _ms(started))
    if refused:
        return Outcome(True, 250, f"refused recipients: {sorted(refused)}", _ms(started))
    return Outcome(True, 250, None, _ms(started))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
