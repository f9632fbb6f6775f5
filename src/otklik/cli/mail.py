"""Inbound mail: ``otklik smtpd`` (a real SMTP listener) and ``otklik imap-poll`` (a mailbox).

Each mail is parsed by ``channels.adapters.email_parse`` and journaled (``messages.pipeline``); the
SMTP ``250`` and the IMAP ``\\Seen`` flag both come only after that commit, so a crash in between
makes the sender retry (idempotent by Message-ID and content) instead of losing the mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import signal
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.actions import do_note_error
from otklik.channels.adapters.email_parse import MailPolicy, MailRejected, parse_mail
from otklik.core.config import Settings, get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import DomainError
from otklik.messages import pipeline

log = logging.getLogger("otklik.mail")
TEMPORARY = "451 4.3.0 temporary failure, please try again later"


@dataclass(frozen=True, slots=True)
class MailOutcome:
    """What became of one mail: the SMTP reply, and whether it is dealt with for good.

    ``final`` is False only for a temporary failure (the database is away): the mail must
    come again — SMTP answers 4xx, IMAP leaves it unseen.
    """

    reply: str
    final: bool
    ticket_id: int | None = None
    message_id: int | None = None
    duplicate: bool = False
    skipped: str | None = None
    refused: bool = False


def mail_policy(settings: Settings) -> MailPolicy:
    return MailPolicy(our_address=settings.mail_from, max_bytes=settings.mail_max_bytes)


def _ascii(text: str) -> str:
    return " ".join(text.encode("ascii", "replace").decode().split())[:400]


def take_mail(
    factory: sessionmaker[Session], raw: bytes, policy: MailPolicy, *, envelope_from: str | None = None
) -> MailOutcome:
    """Parse one mail and store it in its own transaction; returns only after the commit."""
    try:
        parsed = parse_mail(raw, policy, envelope_from=envelope_from)
    except MailRejected as refused:
        log.warning("mail refused: %s", refused)
        return MailOutcome(refused.smtp_reply(), final=True, refused=True)
    if parsed.inbound is None:
        kind = parsed.skipped.value if parsed.skipped else "skipped"
        log.info("mail not stored (%s): %s", kind, parsed.reason)
        return MailOutcome(f"250 2.0.0 OK, not stored: {kind} ({_ascii(parsed.reason)})", final=True, skipped=kind)
    try:
        with factory() as session:  # journaled and committed before the 250; built right after
            (result,) = pipeline.receive_now(session, [parsed.inbound])
    except SQLAlchemyError:
        log.exception("mail not stored: database failure")
        return MailOutcome(TEMPORARY, final=False)
    if isinstance(result, DomainError):
        log.warning("mail refused by intake: %s", result.message("en"))
        status = "5.1.7" if result.code == "invalid_identity" else "5.6.0"  # RFC 3463: bad sender / bad content
        return MailOutcome(f"550 {status} {_ascii(result.message('en'))}", final=True, refused=True)
    return _stored(result)


def _stored(receipt: pipeline.Receipt) -> MailOutcome:
    """The 250 of a journaled mail: what it became when it is built already, else its journal item
    (it is kept: the pipeline builds it, and a failure is on the channel's health)."""
    if receipt.ticket_id is None or receipt.message_id is None:
        log.info("mail journaled as item %s (%s)", receipt.item_id, receipt.state)
        return MailOutcome(f"250 2.0.0 OK, queued as item {receipt.item_id}", final=True)
    ticket, message = receipt.ticket_id, receipt.message_id
    word = "duplicate of" if receipt.duplicate else "stored as"
    log.info("mail %s message %s on ticket %s", word, message, ticket)
    return MailOutcome(
        f"250 2.0.0 OK, {word} message {message} on ticket {ticket}",
        final=True,
        ticket_id=ticket,
        message_id=message,
        duplicate=receipt.duplicate,
    )


class MailHandler:
    """aiosmtpd handler: each DATA is parsed and stored before the reply goes back.

    The database work runs in a worker thread so one slow commit does not stall other sessions.
    """

    def __init__(self, factory: sessionmaker[Session], policy: MailPolicy) -> None:
        self.factory = factory
        self.policy = policy

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from if isinstance(envelope.mail_from, str) else ""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.take, bytes(raw), mail_from)

    def take(self, raw: bytes, mail_from: str) -> str:
        try:
            return take_mail(self.factory, raw, self.policy, envelope_from=mail_from).reply
        except Exception:  # a bug must not drop the mail: the sender keeps it and retries
            log.exception("mail not stored: unexpected failure")
            return TEMPORARY


def _check_bindable(host: str, port: int) -> None:
    # aiosmtpd reports a busy port only after its whole ready timeout: find out at once
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)


def start_listener(handler: MailHandler, host: str, port: int) -> Any:
    """A running aiosmtpd controller for ``handler`` (stop it with ``.stop()``); OSError when the port is taken.

    Lines longer than RFC 5321's 1,000 octets are taken, as the IMAP poller takes the same mail: real
    senders write HTML on one line, and aiosmtpd's own answer («500 Line too long») came before our
    handler, so the mail was refused with nothing logged. The whole mail stays within ``max_bytes``.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class LongLines(SMTP):
        line_length_limit = max(handler.policy.max_bytes, 1001)

    class MailController(Controller):
        def factory(self) -> SMTP:
            return LongLines(self.handler, **self.SMTP_kwargs)

    _check_bindable(host, port)
    controller = MailController(
        handler,
        hostname=host,
        port=port,
        data_size_limit=handler.policy.max_bytes,
        enable_SMTPUTF8=True,
        server_hostname="otklik",
        ready_timeout=10.0,
    )
    controller.start()
    return controller


# --- IMAP -------------------------------------------------------------------------------------


class ImapError(Exception):
    """The mailbox could not be read; the message says why in Russian and English."""


@dataclass(frozen=True, slots=True)
class ImapTarget:
    tls: bool
    host: str
    port: int
    user: str
    password: str
    mailbox: str


@dataclass
class PollReport:
    """What one pass over the mailbox did."""

    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    refused: int = 0
    failed: int = 0
    tickets: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"писем: получено {self.fetched}, сохранено {self.stored}, повторов {self.duplicates}, "
            f"пропущено {self.skipped}, отклонено {self.refused}, ошибок {self.failed} / mails: fetched "
            f"{self.fetched}, stored {self.stored}, duplicates {self.duplicates}, skipped {self.skipped}, "
            f"refused {self.refused}, failed {self.failed}"
        )


def imap_target(url: str) -> ImapTarget:
    """``imaps://user:pass@host:993/INBOX`` (``imap://`` without TLS, for a local server)."""
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname or parts.username is None:
        raise ImapError(
            f"OTKLIK_IMAP_URL должен выглядеть как imaps://user:pass@host:993/INBOX / "
            f"OTKLIK_IMAP_URL must look like imaps://user:pass@host:993/INBOX, got {parts.scheme}://{parts.hostname}"
        )
    tls = parts.scheme == "imaps"
    return ImapTarget(
        tls=tls,
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _quoted(mailbox: str) -> str:
    if mailbox.isalnum():
        return mailbox
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(data: list[Any]) -> bytes | None:
    """The message bytes out of a FETCH answer (imaplib gives ``(b'1 (UID .. BODY[] {n}', bytes)``)."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _connect(target: ImapTarget, timeout: float) -> imaplib.IMAP4:
    try:
        if target.tls:
            context = ssl.create_default_context()
            return imaplib.IMAP4_SSL(target.host, target.port, ssl_context=context, timeout=timeout)
        return imaplib.IMAP4(target.host, target.port, timeout=timeout)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(
            f"нет связи с IMAP-сервером {target.host}:{target.port} / cannot reach the IMAP server: {exc}"
        ) from None


def _open(client: imaplib.IMAP4, target: ImapTarget) -> list[bytes]:
    """Log in, select the mailbox, and list the UIDs of unseen mail."""
    try:
        client.login(target.user, target.password)
    except imaplib.IMAP4.error as exc:
        raise ImapError(f"IMAP-сервер не принял логин и пароль / the IMAP server refused the login: {exc}") from None
    status, _ = client.select(_quoted(target.mailbox))
    if status != "OK":
        raise ImapError(f"нет папки {target.mailbox} / no mailbox {target.mailbox}")
    status, found = client.uid("SEARCH", "UNSEEN")
    if status != "OK" or not found or not isinstance(found[0], bytes):
        raise ImapError("IMAP-сервер не ответил на поиск непрочитанных / the IMAP server did not answer SEARCH UNSEEN")
    return found[0].split()


def _take_one(client: imaplib.IMAP4, uid: bytes, factory: sessionmaker[Session], policy: MailPolicy,
              report: PollReport) -> None:  # fmt: skip
    # BODY.PEEK leaves the mail unseen: it is marked \Seen only after the commit below
    status, fetched = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    raw = _literal(fetched) if status == "OK" else None
    if raw is None:
        report.failed += 1
        log.warning("IMAP: message UID %s could not be fetched", uid.decode())
        return
    report.fetched += 1
    try:
        outcome = take_mail(factory, raw, policy)
    except Exception:  # a bug must not lose the mail or stop the pass: it stays unseen
        log.exception("IMAP: UID %s not stored: unexpected failure", uid.decode())
        outcome = MailOutcome(TEMPORARY, final=False)
    if not outcome.final:
        report.failed += 1  # stays unseen: the next pass takes it again
        return
    if outcome.refused:
        report.refused += 1
    elif outcome.skipped:
        report.skipped += 1
    elif outcome.duplicate:
        report.duplicates += 1
    else:
        report.stored += 1
    if outcome.ticket_id is not None:
        report.tickets.append(outcome.ticket_id)
    # a refused mail is flagged for a person to look at, and seen, so it is not fetched forever
    flags = "(\\Seen \\Flagged)" if outcome.refused else "(\\Seen)"
    status, _ = client.uid("STORE", uid.decode(), "+FLAGS", flags)
    if status != "OK":
        log.warning("IMAP: UID %s stored but not marked seen; the next pass sees a duplicate", uid.decode())


def poll_mailbox(factory: sessionmaker[Session], url: str, policy: MailPolicy, *, timeout: float = 30.0) -> PollReport:
    """One pass: every unseen mail is fetched, stored (own transaction), then marked ``\\Seen``."""
    target = imap_target(url)
    client = _connect(target, timeout)
    report = PollReport()
    try:
        for uid in _open(client, target):
            _take_one(client, uid, factory, policy, report)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"связь с IMAP-сервером прервалась / the IMAP session failed: {exc}") from None
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return report


def _note_channel_error(factory: sessionmaker[Session], error: str) -> None:
    try:
        with unit_of_work(factory) as session:
            do_note_error(session, "email", error)
    except SQLAlchemyError:
        log.exception("channel health not recorded")


# --- commands ---------------------------------------------------------------------------------


def _factory(settings: Settings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database_url))


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def smtpd(
    host: Annotated[str, typer.Option(help="адрес / host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="порт / port")] = 2525,
) -> None:
    """Принимать почту по SMTP / an SMTP listener: each accepted mail becomes an inbound message."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = get_settings()
    handler = MailHandler(_factory(settings), mail_policy(settings))
    try:
        controller = start_listener(handler, host, port)
    except (OSError, RuntimeError, TimeoutError) as exc:
        typer.echo(f"Ошибка: не удалось слушать {host}:{port} / Error: cannot listen on {host}:{port}: {exc}", err=True)
        raise typer.Exit(code=2) from None
    stop = _stop_on_signals()
    typer.echo(f"Приём почты на {host}:{port} / accepting mail on {host}:{port}", err=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        controller.stop()
    typer.echo("Приём почты остановлен / mail listener stopped", err=True)


def imap_poll(
    loop: Annotated[bool, typer.Option("--loop", help="повторять / keep polling")] = False,
    interval: Annotated[float | None, typer.Option(min=1.0, help="пауза, с / pause between passes, s")] = None,
) -> None:
    """Забрать непрочитанную почту из IMAP / fetch unseen mail from OTKLIK_IMAP_URL (one pass, or --loop)."""
    settings = get_settings()
    if not settings.imap_url:
        typer.echo("Ошибка: задайте OTKLIK_IMAP_URL / Error: OTKLIK_IMAP_URL is not set", err=True)
        raise typer.Exit(code=2)
    factory = _factory(settings)
    policy = mail_policy(settings)
    stop = _stop_on_signals() if loop else threading.Event()
    while True:
        try:
            report = poll_mailbox(factory, settings.imap_url, policy)
            typer.echo(report.summary())
            failed = report.failed > 0
        except ImapError as exc:
            _note_channel_error(factory, str(exc))
            typer.echo(f"Ошибка / Error: {exc}", err=True)
            if not loop:
                raise typer.Exit(code=2) from None
            failed = True
        if not loop:
            raise typer.Exit(code=1 if failed else 0)
        if stop.wait(interval or settings.imap_poll_seconds):
            return
