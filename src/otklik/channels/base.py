"""The adapter protocol: every channel turns our outbound message into its own send call.

Adapters hold no business logic: they import only this module, ``core`` and their
own client library; ``send`` is their only I/O and reports what the channel said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, runtime_checkable

from otklik.core.i18n import translate
from otklik.core.taxonomy import Channel, IdentityKind

#: attachments larger than this are not stored (the message says so instead)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class InboundAttachment:
    """A file that came with a message, checked by the adapter for type and size."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file the channel keeps for us (Telegram's ``file_id``, a media URL): named by ``parse``,
    downloaded by the adapter's ``fetch_file`` in the separate I/O step ``fetch_files``."""

    ref: str
    filename: str
    content_type: str
    #: the size the channel announced, when it did; known-oversized files are never downloaded
    size: int | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A customer's message in the channel-neutral form every adapter produces.

    ``thread_refs`` are the channel's ids of earlier messages this one answers (e-mail
    In-Reply-To/References); ``ticket_hint`` a ticket number the customer quoted (#10234);
    ``placeholder`` marks content we cannot show (a sticker, a view-once photo): the text
    then describes it so the ticket shows something instead of nothing; ``edit_of`` is the
    external id of the message this one edits; ``source`` keeps the original bytes (MIME);
    ``files`` are files still to download (``fetch_files`` turns them into ``attachments``).
    """

    channel: Channel
    external_id: str
    sender_kind: IdentityKind
    sender_value: str
    text: str
    display_name: str | None = None
    subject: str | None = None
    url: str | None = None
    sent_at: datetime | None = None
    attachments: tuple[InboundAttachment, ...] = ()
    thread_refs: tuple[str, ...] = ()
    ticket_hint: int | None = None
    placeholder: bool = False
    edit_of: str | None = None
    source: bytes | None = None
    source_type: str | None = None
    files: tuple[FileRef, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A reply to deliver: who to, what, and the ids that thread it in the customer's client."""

    message_id: int
    ticket_id: int
    channel: str
    recipient: str
    text: str
    subject: str = ""
    agent_name: str = ""
    reply_to_external_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What the channel answered: ``sent`` only on its confirmation; ``permanent`` failures are not retried."""

    sent: bool
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False
    #: the channel refused our credentials (a revoked bot token): the channel turns red
    credentials_rejected: bool = False
    #: handed over, but only a later confirmation makes it ``sent`` (a person posts it by hand)
    awaiting: bool = False


def send_failure(channel: str, detail: str, *, permanent: bool = False, credentials: bool = False) -> DeliveryResult:
    """A send the channel did not confirm, in words an agent reads on the message (ru / en),
    followed by the channel's own reason. ``credentials``: it refused our keys (always permanent)."""
    if credentials:
        ru, en = "не принимает наши ключи", "refused our credentials"
    elif permanent:
        ru, en = "отклонил сообщение", "refused the message"
    else:
        ru, en = "не подтвердил отправку", "did not confirm the message"
    return DeliveryResult(
        False,
        error=f"{channel} {ru} / {channel} {en} — {detail}",
        permanent=permanent or credentials,
        credentials_rejected=credentials,
    )


class ChannelAdapter(Protocol):
    """What the delivery task needs from a channel."""

    channel: str

    def send(self, message: OutboundMessage) -> DeliveryResult: ...


class ChannelNotConfigured(Exception):
    """No adapter can deliver on this channel here (credentials or settings missing)."""


def require(channel_ru: str, channel_en: str, *settings: tuple[str, str | None]) -> None:
    """Refuse an adapter a setting it needs (``(name, value)`` pairs), naming the first one empty."""
    for name, value in settings:
        if not value:
            raise ChannelNotConfigured(f"{channel_ru} не настроен: задайте {name} / {channel_en} is not set up: {name}")


class ChannelAuthError(Exception):
    """A webhook call failed the channel's own authentication (secret, signature)."""


class PayloadError(Exception):
    """A webhook payload is malformed as a whole; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """What one webhook call carried: messages to take in, and what to answer the channel."""

    messages: tuple[InboundMessage, ...] = ()
    #: a body the channel expects back (e.g. VK's confirmation string); None → {"ok": true}
    reply_text: str | None = None


class WebhookAdapter(Protocol):
    """A channel that calls us: check who is calling, then turn the payload into messages."""

    channel: str

    def verify(self, headers: Mapping[str, str], body: bytes) -> None: ...

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome: ...


class FileFetchError(Exception):
    """A file the channel named could not be had; the message says why (in English, for the log)."""


class FileTooLarge(FileFetchError):
    """The file is over ``MAX_ATTACHMENT_BYTES``; a fetcher stops reading as soon as it knows."""


@runtime_checkable
class FileFetcher(Protocol):
    """A webhook adapter whose messages name files it downloads itself (``InboundMessage.files``)."""

    def fetch_file(self, ref: FileRef) -> bytes:
        """The file's bytes; ``FileTooLarge`` past ``MAX_ATTACHMENT_BYTES``, ``FileFetchError`` otherwise."""
        ...


#: a file's screening: the attachment to keep, or the reason it is refused (see ``channels.files``)
FileScreen = Callable[[str, str, bytes], tuple[InboundAttachment | None, str | None]]


def fetch_files(fetcher: FileFetcher, outcome: WebhookOutcome, screen: FileScreen) -> WebhookOutcome:
    """The I/O step between the pure ``parse`` and storing: each named file becomes an attachment.

    It never raises: a file that is too large or cannot be downloaded leaves a note in the
    message's text instead, so the message itself is always stored and acknowledged.
    """
    messages: list[InboundMessage] = []
    for message in outcome.messages:
        if not message.files:
            messages.append(message)
            continue
        files: list[InboundAttachment] = []
        notes: list[str] = []
        for ref in message.files:
            try:
                if ref.size is not None and ref.size > MAX_ATTACHMENT_BYTES:
                    raise FileTooLarge(f"{ref.size} bytes")
                data = fetcher.fetch_file(ref)
                if len(data) > MAX_ATTACHMENT_BYTES:
                    raise FileTooLarge(f"{len(data)} bytes")
            except FileTooLarge:
                mb, name = MAX_ATTACHMENT_BYTES // (1024 * 1024), ref.filename
                notes.append(f"[файл «{name}» больше {mb} МБ, не сохранён / file “{name}” is over {mb} MB, not stored]")
                continue
            except FileFetchError as exc:
                name = ref.filename
                notes.append(f"[файл «{name}» не удалось загрузить / file “{name}” could not be downloaded: {exc}]")
                continue
            kept, refusal = screen(ref.filename, ref.content_type, data)
            if kept is None:
                notes.append(f"[{refusal}]")
                continue
            files.append(kept)
        text = "\n".join([message.text, *notes]) if notes else message.text
        messages.append(replace(message, text=text, files=(), attachments=(*message.attachments, *files)))
    return replace(outcome, messages=tuple(messages))


def describe(kind: str, detail: str = "") -> str:
    """The placeholder text for content we cannot show: «[Стикер 😀 / Sticker 😀]» (the catalogue's
    ``media.<kind>``; stored in both languages, since it stands for what the customer sent)."""
    ru, en = (_media(kind, lang) for lang in ("ru", "en"))
    extra = f" {detail.strip()}" if detail.strip() else ""
    return f"[{ru}{extra} / {en}{extra}]"


def _media(kind: str, lang: str) -> str:
    found = translate(f"media.{kind}", lang)
    return translate("media.other", lang, kind=kind) if found == f"media.{kind}" else found


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters for channels that cap a message's length,
    cut at a line break or space where one is near, so a long reply arrives whole and readable."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest or not pieces else pieces


def read_capped(chunks: Iterable[bytes]) -> bytes:
    """A download's bytes, stopping with ``FileTooLarge`` as soon as they pass ``MAX_ATTACHMENT_BYTES``."""
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise FileTooLarge(f"over {MAX_ATTACHMENT_BYTES} bytes")
    return bytes(data)
