"""Email out through the configured SMTP relay, threaded so the customer's client groups it."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from otklik.channels.base import DeliveryResult, OutboundMessage

#: a Message-ID as RFC 5322 shapes it; other external ids (a hash for mail that had none) stay out of headers
_MESSAGE_ID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")


def message_id_for(message: OutboundMessage, domain: str) -> str:
    """Stable per message, so a retried send is recognisably the same mail."""
    return f"<otklik.{message.ticket_id}.{message.message_id}@{domain}>"


def is_our_message_id(value: str, domain: str) -> bool:
    """Whether ``value`` is a Message-ID that ``message_id_for`` made for ``domain`` (our mail coming back)."""
    return re.fullmatch(rf"<otklik\.\d+\.\d+@{re.escape(domain)}>", value.strip(), re.IGNORECASE) is not None


class EmailAdapter:
    """SMTP relay given as ``smtp://[user:pass@]host:port`` (``smtps://`` for implicit TLS)."""

    channel = "email"

    def __init__(self, smtp_url: str, mail_from: str, *, timeout: float = 15.0) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError(f"OTKLIK_SMTP_URL must look like smtp://host:port, got {smtp_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.mail_from = mail_from
        self.domain = mail_from.rsplit("@", 1)[-1] or "otklik.local"
        self.timeout = timeout

    def compose(self, message: OutboundMessage) -> EmailMessage:
        mail = EmailMessage()
        sender = f"{message.agent_name} <{self.mail_from}>" if message.agent_name else self.mail_from
        mail["From"] = sender
        mail["To"] = message.recipient
        subject = message.subject or "Ваше обращение"
        tag = f"[#{message.ticket_id}]"
        if message.ticket_id <= 0:  # a sign-in link or a linking code: a letter of its own, on no ticket
            mail["Subject"] = subject
        else:
            mail["Subject"] = subject if tag in subject else f"Re: {subject} {tag}"
        mail["Message-ID"] = message_id_for(message, self.domain)
        mail["Date"] = formatdate(localtime=False)
        thread = [i for i in message.reply_to_external_ids if _MESSAGE_ID.match(i)]
        if thread:
            mail["In-Reply-To"] = thread[-1]
            mail["References"] = " ".join(thread[-10:])
        mail.set_content(message.text)
        return mail

    def send(self, message: OutboundMessage) -> DeliveryResult:
        mail = self.compose(message)
        client_class = smtplib.SMTP_SSL if self.scheme == "smtps" else smtplib.SMTP
        try:
            with client_class(self.host, self.port, timeout=self.timeout) as client:
                if self.username and self.password:
                    client.login(self.username, self.password)
                refused = client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult(False, error=f"адрес отклонён / recipient refused: {exc.recipients}", permanent=True)
        except (smtplib.SMTPException, OSError) as exc:
            return DeliveryResult(False, error=f"SMTP: {type(exc).__name__}: {exc}")
        if refused:
            return DeliveryResult(False, error=f"адрес отклонён / recipient refused: {refused}", permanent=True)
        return DeliveryResult(True, external_id=mail["Message-ID"])
