"""Telegram through the Bot API: the webhook's ``Update`` in, ``sendMessage`` out, files by ``getFile``.

Who the customer is: the private chat's numeric id (Telegram makes it the user's id) is the identity
value, because a reply must go to a chat id while usernames are optional and can change; the name
and @username only make the display name. Group chats and channel posts are not support requests
here: they are acknowledged and left alone.

Files: ``parse`` stays pure and only names the largest photo size or the document (a ``FileRef``
holding the ``file_id``); the route's ``fetch_files`` step calls ``fetch_file`` (``getFile``, then
the download from the same configurable API base) before storing, so a message commits together
with its file and Telegram is answered only after both are stored. A file that cannot be had
leaves a note in the text; the message is never lost for it.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from otklik.channels.adapters.http import send_pieces
from otklik.channels.adapters.payload import as_dict, as_int, as_str
from otklik.channels.base import (
    MAX_ATTACHMENT_BYTES,
    ChannelAuthError,
    DeliveryResult,
    FileFetchError,
    FileRef,
    FileTooLarge,
    InboundMessage,
    OutboundMessage,
    PayloadError,
    WebhookOutcome,
    describe,
    read_capped,
    require,
    send_failure,
    split_text,
)
from otklik.core.config import Settings
from otklik.core.taxonomy import Channel, IdentityKind

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name, not a secret
#: Telegram's limit for one message's text
TEXT_LIMIT = 4096
#: message fields we cannot show on a ticket → the placeholder kind that describes them
UNSHOWN = {
    "sticker": "sticker",
    "voice": "voice",
    "audio": "audio",
    "video": "video",
    "video_note": "video_note",
    "animation": "animation",
    "location": "location",
    "venue": "location",
    "contact": "contact",
    "poll": "poll",
    "dice": "dice",
    "story": "story",
    "game": "game",
    "paid_media": "view_once",
}


def _detail(kind: str, content: dict[str, Any]) -> str:
    """A few words that say what the unshown content was (the sticker's emoji, the place)."""
    match kind:
        case "sticker":
            return as_str(content.get("emoji"))
        case "location" | "venue":
            where = content.get("location", content)
            lat, lon = as_dict(where).get("latitude"), as_dict(where).get("longitude")
            return " ".join(p for p in (as_str(content.get("title")), f"{lat}, {lon}" if lat is not None else "") if p)
        case "contact":
            name = " ".join(p for p in (as_str(content.get("first_name")), as_str(content.get("last_name"))) if p)
            return " ".join(p for p in (name, as_str(content.get("phone_number"))) if p)
        case "poll":
            return as_str(content.get("question"))
        case "dice":
            return f"{as_str(content.get('emoji'))} {content.get('value', '')}".strip()
        case _:
            return ""


def display_name(user: dict[str, Any]) -> str | None:
    """«Иван Петров (@ivan_seller)», or whichever of the two Telegram gave."""
    name = " ".join(p for p in (as_str(user.get("first_name")), as_str(user.get("last_name"))) if p).strip()
    username = as_str(user.get("username"))
    if name and username:
        return f"{name} (@{username})"
    return name or (f"@{username}" if username else None)


def is_start(text: str) -> bool:
    """``/start`` (with a deep-link payload or the bot's @name) opens the chat: no ticket."""
    command = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    return command == "/start" or command.startswith("/start@")


class TelegramAdapter:
    """One bot: ``secret`` checks the webhook, ``token`` sends and downloads through ``api_base``."""

    channel = "telegram"

    def __init__(
        self, *, api_base: str, token: str | None = None, secret: str | None = None, timeout: float = 15.0
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.token = token
        self.secret = secret
        self.timeout = timeout

    # ---- receiving --------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        given = headers.get(SECRET_HEADER)
        if not self.secret:
            raise ChannelAuthError("no webhook secret is configured")
        if given is None:
            raise ChannelAuthError(f"{SECRET_HEADER} header is missing")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise ChannelAuthError(f"{SECRET_HEADER} does not match")

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome:
        """One ``Update``: a message or an edit in a private chat becomes one ``InboundMessage``;
        ``/start``, groups, channel posts and other update kinds are acknowledged with nothing stored."""
        try:
            update = json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"not JSON: {exc}") from None
        if not isinstance(update, dict) or as_int(update.get("update_id")) is None:
            raise PayloadError("not a Telegram Update: no integer update_id")
        for key, edited in (("message", False), ("edited_message", True)):
            if key in update:
                message = self._message(update[key], key, edited=edited, update_id=update["update_id"], body=body)
                return WebhookOutcome((message,) if message else ())
        return WebhookOutcome()  # callback queries, member changes, channel posts: nothing to store

    def _message(self, raw: Any, key: str, *, edited: bool, update_id: int, body: bytes) -> InboundMessage | None:
        message = as_dict(raw)
        chat = as_dict(message.get("chat"))
        chat_id, message_id = as_int(chat.get("id")), as_int(message.get("message_id"))
        if chat_id is None or message_id is None:
            raise PayloadError(f"{key} has no chat.id or message_id")
        sender = as_dict(message.get("from"))
        if chat.get("type") != "private" or not sender or sender.get("is_bot") is True:
            return None
        text, files, placeholder = self._content(message, fetch=not edited)
        if is_start(text):
            return None
        external_id = f"{chat_id}:{message_id}"
        reply_to = as_int(as_dict(message.get("reply_to_message")).get("message_id"))
        date = as_int(message.get("edit_date" if edited else "date"))
        return InboundMessage(
            channel=Channel.TELEGRAM,
            external_id=f"{external_id}:edit:{date or f'u{update_id}'}" if edited else external_id,
            sender_kind=IdentityKind.TELEGRAM,
            sender_value=str(chat_id),
            display_name=display_name(sender),
            text=text,
            sent_at=datetime.fromtimestamp(date, UTC) if date else None,
            files=files,
            placeholder=placeholder,
            thread_refs=(f"{chat_id}:{reply_to}",) if reply_to else (),
            edit_of=external_id if edited else None,
            source=None if edited else body,
            source_type=None if edited else "application/json",
        )

    def _content(self, message: dict[str, Any], *, fetch: bool) -> tuple[str, tuple[FileRef, ...], bool]:
        """The text to show, the files to download, and whether part of it cannot be shown."""
        caption = as_str(message.get("caption"))
        if isinstance(message.get("text"), str):
            return message["text"], (), False
        photos = [p for p in message.get("photo") or [] if isinstance(p, dict) and as_str(p.get("file_id"))]
        if photos:
            best = max(photos, key=lambda p: (as_int(p.get("file_size")) or 0, (as_int(p.get("width")) or 0)))
            name = f"photo_{as_str(best.get('file_unique_id')) or as_str(best.get('file_id'))[:16]}.jpg"
            ref = FileRef(as_str(best["file_id"]), name, "image/jpeg", as_int(best.get("file_size")))
            return _lines(caption, describe("photo")), (ref,) if fetch else (), False
        document = as_dict(message.get("document"))
        if as_str(document.get("file_id")):
            name = as_str(document.get("file_name")) or f"document_{as_str(document.get('file_unique_id'))}"
            kind = as_str(document.get("mime_type")) or "application/octet-stream"
            ref = FileRef(as_str(document["file_id"]), name, kind, as_int(document.get("file_size")))
            return _lines(caption, describe("document", name)), (ref,) if fetch else (), False
        for field, kind in UNSHOWN.items():
            if field in message:
                return _lines(caption, describe(kind, _detail(field, as_dict(message[field])))), (), True
        return _lines(caption, describe("unsupported")), (), True

    def fetch_file(self, ref: FileRef) -> bytes:
        """``getFile`` for the path, then the download; both from the configured API base."""
        if not self.token:
            raise FileFetchError("no bot token is configured")
        try:
            with self._client() as client:
                answer = client.get(f"/bot{self.token}/getFile", params={"file_id": ref.ref})
                found = as_dict(_json(answer).get("result"))
                path = as_str(found.get("file_path"))
                if answer.status_code != 200 or not path:
                    raise FileFetchError(f"getFile {answer.status_code}: {_description(answer)}")
                if (as_int(found.get("file_size")) or 0) > MAX_ATTACHMENT_BYTES:
                    raise FileTooLarge(f"{found['file_size']} bytes")
                with client.stream("GET", f"/file/bot{self.token}/{path}") as download:
                    if download.status_code != 200:
                        raise FileFetchError(f"download {download.status_code}")
                    return read_capped(download.iter_bytes())
        except httpx.HTTPError as exc:
            raise FileFetchError(self._redact(f"{type(exc).__name__}: {exc}")) from None

    # ---- sending ----------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """``sendMessage`` to the chat, in pieces when longer than Telegram allows.

        ``sent`` only on Telegram's ``ok``; 401 (and 404, a malformed token) mean our token is
        refused; 403 is this one user having blocked the bot, so permanent but not the channel's
        keys; 429 and 5xx are retried.
        """
        if not self.token:
            return send_failure("Telegram", "OTKLIK_TELEGRAM_BOT_TOKEN", credentials=True)

        def one(_number: int, piece: str) -> DeliveryResult:
            answer = client.post(f"/bot{self.token}/sendMessage", json={"chat_id": message.recipient, "text": piece})
            return self._result(answer)

        with self._client() as client:
            return send_pieces("Telegram", split_text(message.text, TEXT_LIMIT), one, redact=self._redact)

    def _result(self, answer: httpx.Response) -> DeliveryResult:
        status, body = answer.status_code, _json(answer)
        sent = as_dict(body.get("result"))
        if status == 200 and body.get("ok") is True and as_int(sent.get("message_id")) is not None:
            chat_id = as_dict(sent.get("chat")).get("id")
            return DeliveryResult(True, external_id=f"{chat_id}:{sent['message_id']}")
        detail = f"{status}: {_description(answer)}"
        if status in {401, 404}:
            return send_failure("Telegram", detail, credentials=True)
        return send_failure("Telegram", detail, permanent=not (status == 429 or status >= 500 or status == 200))

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_base, timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)))

    def _redact(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p.strip())


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        return as_dict(answer.json())
    except ValueError:
        return {}


def _description(answer: httpx.Response) -> str:
    return as_str(_json(answer).get("description")) or answer.reason_phrase or "no description"


def _adapter(settings: Settings) -> TelegramAdapter:
    return TelegramAdapter(
        api_base=settings.telegram_api_base,
        token=settings.telegram_bot_token,
        secret=settings.telegram_webhook_secret,
        timeout=settings.messenger_timeout_seconds,
    )


def sender(settings: Settings) -> TelegramAdapter:
    """The registry's sender: needs the bot token."""
    require("Telegram", "Telegram", ("OTKLIK_TELEGRAM_BOT_TOKEN", settings.telegram_bot_token))
    return _adapter(settings)


def webhook(settings: Settings) -> TelegramAdapter:
    """The registry's webhook receiver: needs the secret token given to ``setWebhook``."""
    require("Telegram", "Telegram", ("OTKLIK_TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret))
    return _adapter(settings)
