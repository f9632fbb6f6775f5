"""VK community messages: the Callback API in, ``messages.send`` out.

VK proves a call is its own with the ``secret`` field of the body, confirms our server once
with a ``confirmation`` event answered by the configured code, and wants the plain text ``ok``
for every other event, or it calls again. The customer is the user id (``from_id``, the same
as the dialogue's ``peer_id``); community chats (peer ids from 2000000000) are not support
dialogues here. Photos and documents come as links, fetched in the route's ``fetch_files`` step.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from otklik.channels.adapters.http import fetch_link, send_pieces, timeout_for
from otklik.channels.adapters.payload import as_dict, as_int, as_str
from otklik.channels.base import (
    ChannelAuthError,
    DeliveryResult,
    FileRef,
    InboundMessage,
    OutboundMessage,
    PayloadError,
    WebhookOutcome,
    describe,
    require,
    send_failure,
    split_text,
)
from otklik.core.config import Settings
from otklik.core.taxonomy import Channel, IdentityKind

#: the channel's name in the «not set up» messages
VK_RU, VK_EN = "ВКонтакте", "VK"
#: VK's limit for one message's text
TEXT_LIMIT = 4096
#: peer ids of community chats start here; below it a peer is one user's dialogue
CHAT_PEER_START = 2_000_000_000
INT32_MAX = 2**31 - 1
#: what VK calls again until it hears it
OK = "ok"
#: error codes that mean our access token is refused
CREDENTIAL_ERRORS = {5, 27, 28}
#: error codes worth another try: unknown, too many requests, flood control, server error
TEMPORARY_ERRORS = {1, 6, 9, 10}
#: attachment types we cannot show → the placeholder kind that describes them
UNSHOWN = {
    "sticker": "sticker",
    "audio_message": "voice",
    "audio": "audio",
    "video": "video",
    "wall": "repost",
    "wall_reply": "repost",
    "link": "link",
    "market": "link",
    "poll": "poll",
    "gift": "gift",
    "graffiti": "sticker",
    "story": "story",
}


class VkAdapter:
    """One community: ``secret`` and ``confirmation`` for the Callback API, ``token`` for sending."""

    channel = "vk"

    def __init__(
        self,
        *,
        api_base: str,
        api_version: str,
        token: str | None = None,
        secret: str | None = None,
        confirmation: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.api_version = api_version
        self.token = token
        self.secret = secret
        self.confirmation = confirmation
        self.timeout = timeout

    # ---- receiving --------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """The body's ``secret`` must be ours. A ``confirmation`` event may come without one:
        its answer is the code VK itself shows in the community's settings."""
        if not self.secret:
            raise ChannelAuthError("no Callback API secret is configured")
        try:
            event = as_dict(json.loads(body))
        except ValueError:
            raise ChannelAuthError("the body is not JSON, so it carries no secret") from None
        given = event.get("secret")
        if given is None and event.get("type") == "confirmation":
            return
        if not isinstance(given, str):
            raise ChannelAuthError("the secret field is missing")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise ChannelAuthError("the secret field does not match")

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome:
        """``confirmation`` → the code; ``message_new`` → a message; ``message_edit`` → an edit;
        any other event (our own ``message_reply`` echoes included) → ``ok`` with nothing stored."""
        try:
            event = json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"not JSON: {exc}") from None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise PayloadError("not a Callback API event: no type")
        kind = event["type"]
        if kind == "confirmation":
            require(VK_RU, VK_EN, ("OTKLIK_VK_CONFIRMATION_CODE", self.confirmation))
            return WebhookOutcome(reply_text=self.confirmation)
        if kind not in {"message_new", "message_edit"}:
            return WebhookOutcome(reply_text=OK)
        raw = as_dict(event.get("object"))
        # API 5.103+ wraps a new message with client_info; an edit (and older versions) is the message itself
        message = as_dict(raw.get("message")) if isinstance(raw.get("message"), dict) else raw
        if as_int(message.get("peer_id")) is None or as_int(message.get("from_id")) is None:
            raise PayloadError(f"{kind} has no peer_id or from_id")
        inbound = self._message(message, edited=kind == "message_edit")
        return WebhookOutcome((inbound,) if inbound else (), reply_text=OK)

    def _message(self, message: dict[str, Any], *, edited: bool) -> InboundMessage | None:
        peer_id, from_id = int(message["peer_id"]), int(message["from_id"])
        if peer_id >= CHAT_PEER_START or from_id <= 0 or message.get("out") == 1:
            return None  # a community chat, another community, or our own message
        ident = as_int(message.get("id")) or 0
        base_id = str(ident) if ident else f"{peer_id}:c{message.get('conversation_message_id')}"
        text, files, placeholder = _content(message, fetch=not edited)
        stamp = as_int(message.get("update_time")) if edited else None
        date = stamp or as_int(message.get("date"))
        reply_to = as_int(as_dict(message.get("reply_message")).get("id"))
        return InboundMessage(
            channel=Channel.VK,
            external_id=f"{base_id}:edit:{date}" if edited else base_id,
            sender_kind=IdentityKind.VK,
            sender_value=str(from_id),
            text=text,
            sent_at=datetime.fromtimestamp(date, UTC) if date else None,
            files=files,
            placeholder=placeholder,
            thread_refs=(str(reply_to),) if reply_to else (),
            edit_of=base_id if edited else None,
            source=None if edited else json.dumps(message, ensure_ascii=False).encode(),
            source_type=None if edited else "application/json",
        )

    def fetch_file(self, ref: FileRef) -> bytes:
        """A photo or document link from the (authenticated) event, fetched as it is."""
        return fetch_link(ref.ref, self._timeout())

    # ---- sending ----------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """``messages.send`` to the user's dialogue. ``random_id`` is our message id, so VK
        itself drops a retried send it has already delivered."""
        if not self.token:
            return send_failure("VK", "OTKLIK_VK_ACCESS_TOKEN", credentials=True)
        token = self.token

        def one(number: int, piece: str) -> DeliveryResult:
            form = {
                "peer_id": message.recipient,
                "message": piece,
                "random_id": str(dedupe_id(message.message_id, number)),
                "access_token": token,
                "v": self.api_version,
            }
            return _result(client.post("/method/messages.send", data=form))

        with httpx.Client(base_url=self.api_base, timeout=self._timeout()) as client:
            pieces = split_text(message.text, TEXT_LIMIT)
            return send_pieces("VK", pieces, one, redact=lambda text: text.replace(token, "***"))

    def _timeout(self) -> httpx.Timeout:
        return timeout_for(self.timeout)


def dedupe_id(message_id: int, piece: int) -> int:
    """VK's ``random_id`` (a non-zero int32): the same for every retry of one piece of one reply."""
    return (message_id * 16 + piece) % INT32_MAX or 1


def _content(message: dict[str, Any], *, fetch: bool) -> tuple[str, tuple[FileRef, ...], bool]:
    """The text to show, the files to download, and whether part of it cannot be shown."""
    lines = [as_str(message.get("text"))]
    files: list[FileRef] = []
    placeholder = False
    for attachment in message.get("attachments") or []:
        kind = as_str(as_dict(attachment).get("type"))
        item = as_dict(as_dict(attachment).get(kind))
        if kind == "photo" and (ref := _photo(item)):
            lines.append(describe("photo"))
            files.append(ref)
        elif kind == "doc" and as_str(item.get("url")):
            title = as_str(item.get("title")) or f"document.{as_str(item.get('ext'))}"
            lines.append(describe("document", title))
            files.append(FileRef(item["url"], title, "application/octet-stream", as_int(item.get("size"))))
        else:
            lines.append(describe(UNSHOWN.get(kind, kind or "unsupported")))
            placeholder = True
    if as_dict(message.get("geo")):
        coordinates = as_dict(as_dict(message["geo"]).get("coordinates"))
        lines.append(describe("location", f"{coordinates.get('latitude')}, {coordinates.get('longitude')}"))
        placeholder = True
    text = "\n".join(line for line in lines if line.strip())
    if not text:
        return describe("unsupported"), (), True
    return text, tuple(files) if fetch else (), placeholder


def _photo(photo: dict[str, Any]) -> FileRef | None:
    sizes = [s for s in photo.get("sizes") or [] if isinstance(s, dict) and as_str(s.get("url"))]
    if not sizes:
        return None
    best = max(sizes, key=lambda s: (as_int(s.get("width")) or 0) * (as_int(s.get("height")) or 0))
    return FileRef(best["url"], f"photo_{photo.get('owner_id')}_{photo.get('id')}.jpg", "image/jpeg")


def _result(answer: httpx.Response) -> DeliveryResult:
    """VK answers 200 with either ``response`` (the message id) or ``error``."""
    try:
        body = as_dict(answer.json())
    except ValueError:
        body = {}
    if answer.status_code == 200 and as_int(body.get("response")) is not None:
        return DeliveryResult(True, external_id=str(body["response"]))
    error = as_dict(body.get("error"))
    code = as_int(error.get("error_code"))
    reason = as_str(error.get("error_msg")) or answer.reason_phrase
    detail = f"{code if code is not None else answer.status_code}: {reason}"
    if code in CREDENTIAL_ERRORS or answer.status_code in {401, 403}:
        return send_failure("VK", detail, credentials=True)
    temporary = code in TEMPORARY_ERRORS or answer.status_code == 429 or answer.status_code >= 500 or code is None
    return send_failure("VK", detail, permanent=not temporary)


def _adapter(settings: Settings) -> VkAdapter:
    return VkAdapter(
        api_base=settings.vk_api_base,
        api_version=settings.vk_api_version,
        token=settings.vk_access_token,
        secret=settings.vk_secret,
        confirmation=settings.vk_confirmation_code,
        timeout=settings.messenger_timeout_seconds,
    )


def sender(settings: Settings) -> VkAdapter:
    """The registry's sender: needs the community's access token."""
    require(VK_RU, VK_EN, ("OTKLIK_VK_ACCESS_TOKEN", settings.vk_access_token))
    return _adapter(settings)


def webhook(settings: Settings) -> VkAdapter:
    """The registry's webhook receiver: needs the Callback API secret."""
    require(VK_RU, VK_EN, ("OTKLIK_VK_SECRET", settings.vk_secret))
    return _adapter(settings)
