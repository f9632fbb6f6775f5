"""Inbound mail, pure: the raw bytes of one RFC 5322 message → one channel-neutral ``InboundMessage``.

Three outcomes, each explicit: a customer message (``ParsedMail.inbound``); a mail that is
no customer's words — an auto-reply, a bounce or our own echo — skipped with the reason
(``ParsedMail.skipped``, never stored, never answered); or ``MailRejected`` with the SMTP code
for a mail we cannot take (too big, no sender). Every other mail is stored, a placeholder
when nothing in it is readable; the whole MIME always travels along as the source.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum

from otklik.channels.adapters.email import is_our_message_id
from otklik.channels.adapters.email_repair import repair_header_block
from otklik.channels.adapters.email_text import (
    codec_for,
    decode_bytes,
    decode_header_value,
    html_charset,
    html_to_text,
    is_forward_subject,
    strip_quotes,
    unescape_raw,
)
from otklik.channels.base import MAX_ATTACHMENT_BYTES, InboundAttachment, InboundMessage
from otklik.channels.files import ALLOWED_TYPES, check_file, safe_filename
from otklik.core.taxonomy import Channel, IdentityKind

#: the largest mail taken at all (the SMTP listener announces it as SIZE)
MAX_MAIL_BYTES = 25 * 1024 * 1024
#: longer bodies are cut (with a note) below the intake limit of 100 000 characters
MAX_TEXT_CHARS = 90_000
MAX_ATTACHMENTS = 20
MAX_SUBJECT = 250
MAX_DEPTH = 12
SOURCE_TYPE = "message/rfc822"
NO_TEXT = "[письмо без текста / email without text]"
SHORTENED = "[…текст сокращён, полностью — в исходном письме / …text shortened, the full text is in the original mail]"


class Skip(StrEnum):
    """Why a mail is not a customer's message."""

    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    ECHO = "echo"


class MailRejected(Exception):
    """A mail we cannot take: the SMTP reply code, an enhanced status and the reason in both languages."""

    def __init__(self, code: int, status: str, en: str, ru: str) -> None:
        super().__init__(f"{ru} / {en}")
        self.code = code
        self.status = status
        self.en = en
        self.ru = ru

    def smtp_reply(self) -> str:
        """SMTP reply text is US-ASCII (RFC 5321 §2.4), so the wire gets the English reason."""
        return f"{self.code} {self.status} {self.en}"


@dataclass(frozen=True, slots=True)
class MailPolicy:
    """Limits and who «we» are (our own mail coming back is an echo, not a customer)."""

    our_address: str = "support@otklik.local"
    max_bytes: int = MAX_MAIL_BYTES
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES
    max_attachments: int = MAX_ATTACHMENTS

    @property
    def our_domain(self) -> str:
        return self.our_address.rsplit("@", 1)[-1].lower()


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """A customer's message, or the reason this mail is none (``skipped``)."""

    inbound: InboundMessage | None
    skipped: Skip | None = None
    reason: str = ""


_ID_TOKEN = re.compile(r"<([^<>\s]+)>")
_HINT_TAG = re.compile(r"\[#(\d{1,12})\]")
_HINT_BARE = re.compile(r"(?<![\w#&/])#(\d{1,12})\b")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto[- ]?reply|automatic reply|out of (the )?office|автоответ|автоматический ответ)", re.IGNORECASE
)
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply")
_BODY_TYPES = frozenset({"text/plain", "text/html"})


class _Headers:
    """Raw header values by lower-case name, every occurrence kept in order; never raises."""

    def __init__(self, message: Message, hints: tuple[str, ...] = ()) -> None:
        #: the charsets the mail declares: raw 8-bit header bytes are read in one of them when they fit
        self.hints = hints
        self.every: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self.every.setdefault(name.lower(), []).append(str(value))

    def raw(self, name: str) -> str:
        """The first value of ``name`` ("" when absent)."""
        return self.every.get(name, [""])[0]

    def all(self, name: str) -> list[str]:
        return self.every.get(name, [])

    def text(self, name: str) -> str:
        return decode_header_value(self.raw(name), self.hints)


def _id_tokens(raw: str) -> list[str]:
    tokens = [f"<{token}>" for token in _ID_TOKEN.findall(raw)]
    bare = raw.strip()
    if not tokens and bare and "@" in bare and not any(ch.isspace() for ch in bare):
        tokens = [f"<{bare.strip('<>')}>"]
    return [stored_id(token) for token in tokens]


def stored_id(token: str) -> str:
    """A Message-ID as it is kept (external ids are at most 200 characters): long ones hashed."""
    if len(token) <= 200:
        return token
    return f"<sha256.{hashlib.sha256(token.encode('utf-8', 'replace')).hexdigest()[:40]}@long-id.otklik.invalid>"


def synthetic_id(raw: bytes) -> str:
    """The id of a mail without a Message-ID: stable for the same bytes, shaped like a Message-ID."""
    return f"<nomsgid.{hashlib.sha256(raw).hexdigest()[:40]}@otklik.invalid>"


def _addresses(raw: str, hints: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    if not raw:
        return []
    try:
        pairs = getaddresses([unescape_raw(raw, hints)])
    except (ValueError, IndexError, TypeError):
        return []
    return [(decode_header_value(name, hints), address.strip()) for name, address in pairs if "@" in address]


def _sender(headers: _Headers, envelope_from: str | None) -> tuple[str | None, str | None]:
    """The first address of From (of any From header: a broken mail may have a first one with no
    address and the real one after it), else Sender, else Reply-To, else the envelope."""
    for header in ("from", "sender", "reply-to"):
        found = [pair for raw in headers.all(header) for pair in _addresses(raw, headers.hints)]
        if found:
            name, address = found[0]
            shown = name.strip().strip('"').strip()
            return address, (shown[:200] if shown and shown.lower() != address.lower() else None)
    if envelope_from and "@" in envelope_from:
        return envelope_from.strip("<> "), None
    return None, None


def _skip_reason(message: Message, headers: _Headers, sender: str | None, message_id: str | None,
                 policy: MailPolicy, envelope_from: str | None, subject: str) -> tuple[Skip, str] | None:  # fmt: skip
    ours = message_id is not None and is_our_message_id(message_id, policy.our_domain)
    if ours or (sender and sender.lower() == policy.our_address.lower()):
        return Skip.ECHO, "our own mail came back"
    report = message.get_content_type() == "multipart/report"
    report_type = str(message.get_param("report-type") or "").lower() if report else ""
    local = (sender or "").split("@", 1)[0].lower()
    if local == "mailer-daemon" or report_type == "delivery-status" or headers.raw("x-failed-recipients"):
        return Skip.BOUNCE, "delivery status notification"
    auto = headers.raw("auto-submitted").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return Skip.AUTO_REPLY, f"Auto-Submitted: {auto}"
    precedence = headers.raw("precedence").strip().lower()
    if precedence in {"bulk", "junk", "auto_reply"}:
        return Skip.AUTO_REPLY, f"Precedence: {precedence}"
    if any(headers.raw(name) for name in _AUTO_HEADERS) or _AUTO_SUBJECT.match(subject):
        return Skip.AUTO_REPLY, "auto-reply"
    if report_type == "disposition-notification":
        return Skip.AUTO_REPLY, "read receipt"
    if (envelope_from is not None and not envelope_from.strip("<> ")) or headers.raw("return-path").strip() == "<>":
        return Skip.BOUNCE, "null return path: a notification"
    return None


def _sent_at(raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        moment = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if 1990 <= moment.year <= 2200 else None


def _ticket_hint(subject: str) -> int | None:
    found = _HINT_TAG.search(subject) or _HINT_BARE.search(subject)
    number = int(found.group(1)) if found else 0
    return number if 0 < number < 2**53 else None


def _filename(part: Message, hints: tuple[str, ...] = (), *, reread: bool = True) -> str:
    try:
        raw = part.get_filename() or part.get_param("name") or ""
        if reread and isinstance(raw, str) and "\ufffd" in raw:  # raw 8-bit bytes, which compat32 hands back replaced
            raw = _filename(_headers_read(part, hints), reread=False) or raw
    except (LookupError, ValueError, TypeError):
        return ""
    return decode_header_value(raw if isinstance(raw, str) else "", hints)


def _headers_read(part: Message, hints: tuple[str, ...]) -> Message:
    """The part's Content-Type and Content-Disposition with their raw 8-bit bytes read (in a charset
    the mail declares, when they fit one), for the email package to take their parameters apart."""
    read = type(part)()  # a blank part of the same kind
    for name, value in part.raw_items():
        if name.lower() in {"content-type", "content-disposition"}:
            read[name] = unescape_raw(str(value), hints)
    return read


def _is_attachment(part: Message) -> bool:
    content_type = part.get_content_type()
    if content_type.startswith("multipart/"):
        return False
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(_filename(part)) or content_type not in _BODY_TYPES


def _decode_part(part: Message, hints: tuple[str, ...]) -> str:
    """A text part in its declared charset; an HTML part that declares none, in the one its own
    ``<meta>`` names; else in one the mail declares elsewhere, else guessed."""
    try:
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset()
    except (LookupError, ValueError, TypeError, AssertionError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    if charset is None and part.get_content_type() == "text/html":
        charset = html_charset(payload)
    return decode_bytes(payload, charset, hints)


def declared_charsets(message: Message) -> tuple[str, ...]:
    """Every charset the mail's parts and HTML bodies declare, in order, ASCII and UTF-8 left out (bytes
    are tried as UTF-8 first anyway): where its raw 8-bit headers and unlabelled parts are read first."""
    found: list[str] = []
    for part in message.walk():
        try:
            labels = [part.get_content_charset()]
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                labels.append(html_charset(payload) if isinstance(payload, bytes) else None)
        except (LookupError, ValueError, TypeError, AssertionError):
            continue
        for label in labels:
            codec = codec_for(label)
            if codec is not None and codec not in {"ascii", "utf-8"} and label not in found:
                found.append(str(label))
    return tuple(found)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def _body_text(part: Message, hints: tuple[str, ...] = (), depth: int = 0) -> str:
    """The readable body: text/plain preferred in an alternative, HTML sanitised otherwise."""
    if depth > MAX_DEPTH or _is_attachment(part):
        return ""
    content_type = part.get_content_type()
    if content_type == "multipart/alternative":
        texts = [(child.get_content_type(), _body_text(child, hints, depth + 1)) for child in _children(part)]
        plain = next((text for kind, text in texts if kind == "text/plain" and text.strip()), "")
        return plain or next((text for _kind, text in reversed(texts) if text.strip()), "")
    if content_type.startswith("multipart/"):
        payload = part.get_payload()
        if isinstance(payload, str):  # the declared boundary never appears: the body is all there is
            return decode_bytes(payload.encode("utf-8", "surrogateescape"), None, hints)
        pieces = (_body_text(child, hints, depth + 1) for child in _children(part))
        return "\n\n".join(piece for piece in pieces if piece.strip())
    if content_type == "text/html":
        return html_to_text(_decode_part(part, hints))
    return _decode_part(part, hints)


def _attachment_parts(part: Message, depth: int = 0) -> Iterator[Message]:
    if depth > MAX_DEPTH:
        return
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        if _is_attachment(part):
            yield part
        return
    for child in _children(part):
        yield from _attachment_parts(child, depth + 1)


def _part_bytes(part: Message) -> bytes | None:
    if part.get_content_type() == "message/rfc822":
        inner = _children(part)
        try:
            return inner[0].as_bytes(policy=compat32) if inner else None
        except (ValueError, TypeError, LookupError, UnicodeError):
            return None
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        return None
    return data if isinstance(data, bytes) else None


def _files(message: Message, policy: MailPolicy, hints: tuple[str, ...]) -> tuple[list[InboundAttachment], list[str]]:
    kept: list[InboundAttachment] = []
    notes: list[str] = []
    for number, part in enumerate(_attachment_parts(message), start=1):
        content_type = part.get_content_type()
        default_ext = ALLOWED_TYPES.get(content_type, (".bin",))[0]
        kind = content_type.split("/", 1)[0] if content_type != "message/rfc822" else "message"
        name = safe_filename(_filename(part, hints), f"{kind}-{number}{default_ext}")
        if len(kept) >= policy.max_attachments:
            notes.append(f"вложение не принято / attachment not accepted: {name} — больше {policy.max_attachments} "
                         f"вложений / over {policy.max_attachments} attachments")  # fmt: skip
            continue
        data = _part_bytes(part)
        if data is None:
            notes.append(f"вложение не прочитано / attachment unreadable: {name}")
            continue
        verdict = check_file(name, content_type, data, max_bytes=policy.max_attachment_bytes)
        if verdict.attachment is not None:
            kept.append(verdict.attachment)
        elif verdict.refusal is not None:
            notes.append(verdict.refusal)
    return kept, notes


def _compose(body: str, subject: str, files: list[InboundAttachment], notes: list[str]) -> tuple[str, bool]:
    """The stored text: the customer's words, else a description; refusals always said."""
    text = strip_quotes(body, forwarded=is_forward_subject(subject)) if body.strip() else ""
    if len(text) > MAX_TEXT_CHARS:
        text = f"{text[:MAX_TEXT_CHARS].rstrip()}\n\n{SHORTENED}"
    placeholder = not text
    parts = [text] if text else []
    if placeholder:
        if files:
            parts.append("[вложения / attachments: " + ", ".join(f.filename for f in files) + "]")
        elif not notes:
            parts.append(NO_TEXT)
    parts.extend(f"[{note}]" for note in notes)
    return "\n\n".join(parts), placeholder


def parse_mail(raw: bytes, policy: MailPolicy | None = None, *, envelope_from: str | None = None) -> ParsedMail:
    """One mail as received (SMTP DATA or an IMAP fetch). ``envelope_from`` is SMTP's MAIL FROM
    (``""`` for the null sender), None when unknown (IMAP). Raises ``MailRejected``.
    """
    rules = policy or MailPolicy()
    if len(raw) > rules.max_bytes:
        raise MailRejected(552, "5.3.4", f"message too big: {len(raw)} bytes, limit {rules.max_bytes}",
                           f"письмо слишком большое: {len(raw)} байт, предел {rules.max_bytes}")  # fmt: skip
    if not raw.strip():
        raise MailRejected(554, "5.6.0", "empty message", "пустое письмо")
    message = message_from_bytes(repair_header_block(raw), policy=compat32)
    headers = _Headers(message, declared_charsets(message))
    ids = _id_tokens(headers.raw("message-id"))
    message_id = ids[0] if ids else None
    sender, display_name = _sender(headers, envelope_from)
    subject = headers.text("subject")[:MAX_SUBJECT]
    skip = _skip_reason(message, headers, sender, message_id, rules, envelope_from, subject)
    if skip is not None:
        return ParsedMail(None, skipped=skip[0], reason=skip[1])
    if sender is None:
        raise MailRejected(550, "5.1.7", "no sender address (From)", "нет адреса отправителя (From)")
    refs = [*_id_tokens(headers.raw("in-reply-to")), *reversed(_id_tokens(headers.raw("references")))]
    files, notes = _files(message, rules, headers.hints)
    text, placeholder = _compose(_body_text(message, headers.hints), subject, files, notes)
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        external_id=message_id or synthetic_id(raw),
        sender_kind=IdentityKind.EMAIL,
        sender_value=sender,
        display_name=display_name,
        text=text,
        subject=subject or None,
        sent_at=_sent_at(headers.raw("date")),
        attachments=tuple(files),
        thread_refs=tuple(dict.fromkeys(refs))[:50],
        ticket_hint=_ticket_hint(subject),
        placeholder=placeholder,
        source=raw,
        source_type=SOURCE_TYPE,
    )
    return ParsedMail(inbound)
