"""Viber bots through the REST Bot API: signed callbacks in, ``send_message`` out.

Viber signs each callback with ``X-Viber-Content-Signature`` (HMAC-SHA256 of the raw body keyed
with the bot's auth token) and checks a new webhook with a ``webhook`` event that only needs a
200. Only ``message`` events carry a customer's words; subscriptions, receipts (``delivered``,
``seen``, ``failed``) and conversation openings are acknowledged with nothing stored. The
customer is the opaque Viber user id, which is where replies go. Pictures and files come as
links, fetched in the route's ``fetch_files`` step.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes
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

SIGNATURE_HEADER = "x-viber-content-signature"
#: Viber's limit for one text message
TEXT_LIMIT = 7000
#: Viber's sender name is at most 28 characters
SENDER_NAME_LIMIT = 28
#: ``status`` codes of the API: 2 invalid auth token; 12 too many requests
CREDENTIAL_STATUSES = {2}
TEMPORARY_STATUSES = {12}
#: message types we cannot show → the placeholder kind that describes them
UNSHOWN = {"sticker": "sticker", "video": "video", "location": "location", "contact": "contact"}


class ViberAdapter:
    """One bot: its ``token`` signs callbacks and authorises sends through ``api_base``."""

    channel = "viber"

    def __init__(self, *, api_base: str, token: str, sender_name: str, timeout: float = 15.0) -> None:
        self.api_base = api_base.rstrip("/")
        self.token = token
        self.sender_name = sender_name[:SENDER_NAME_LIMIT]
        self.timeout = timeout

    # ---- receiving --------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        given = headers.get(SIGNATURE_HEADER)
        if not given:
            raise ChannelAuthError(f"{SIGNATURE_HEADER} header is missing")
        expected = hmac.new(self.token.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
            raise ChannelAuthError(f"{SIGNATURE_HEADER} does not match the body")

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome:
        try:
            event = json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"not JSON: {exc}") from None
        if not isinstance(event, dict) or not isinstance(event.get("event"), str):
            raise PayloadError("not a Viber callback: no event")
        if event["event"] != "message":
            return WebhookOutcome()  # webhook check, subscriptions, receipts: a 200 is all Viber needs
        sender = as_dict(event.get("sender"))
        token = event.get("message_token")
        if not as_str(sender.get("id")) or (as_int(token) is None and not as_str(token)):
            raise PayloadError("a message event without sender.id or message_token")
        text, files, placeholder = _content(as_dict(event.get("message")))
        stamp = as_int(event.get("timestamp"))
        return WebhookOutcome(
            (
                InboundMessage(
                    channel=Channel.VIBER,
                    external_id=str(token),
                    sender_kind=IdentityKind.VIBER,
                    sender_value=sender["id"],
                    display_name=as_str(sender.get("name")) or None,
                    text=text,
                    sent_at=datetime.fromtimestamp(stamp / 1000, UTC) if stamp else None,
                    files=files,
                    placeholder=placeholder,
                    source=body,
                    source_type="application/json",
                ),
            )
        )

    def fetch_file(self, ref: FileRef) -> bytes:
        """A picture or file link from the (signed) callback, fetched as it is."""
        return fetch_link(ref.ref, self._timeout())

    # ---- sending ----------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """``send_message`` to the user; ``sent`` on ``status`` 0 with the ``message_token``."""
        auth = {"X-Viber-Auth-Token": self.token}

        def one(_number: int, piece: str) -> DeliveryResult:
            body = {
                "receiver": message.recipient,
                "min_api_version": 1,
                "sender": {"name": self.sender_name},
                "tracking_data": f"otklik:{message.ticket_id}:{message.message_id}",
                "type": "text",
                "text": piece,
            }
            return _result(client.post("/send_message", json=body))

        with httpx.Client(base_url=self.api_base, timeout=self._timeout(), headers=auth) as client:
            return send_pieces("Viber", split_text(message.text, TEXT_LIMIT), one)

    def _timeout(self) -> httpx.Timeout:
        return timeout_for(self.timeout)


def _content(message: dict[str, Any]) -> tuple[str, tuple[FileRef, ...], bool]:
    """The text to show, the files to download, and whether it cannot be shown."""
    kind = as_str(message.get("type"))
    text, media = as_str(message.get("text")), as_str(message.get("media"))
    match kind:
        case "text":
            return text, (), False
        case "url":
            return "\n".join(p for p in (text, media) if p) or describe("link"), (), False
        case "picture" | "file" if media:
            name = as_str(message.get("file_name")) or ("picture.jpg" if kind == "picture" else "file")
            mime = "image/jpeg" if kind == "picture" else mimetypes.guess_type(name)[0] or "application/octet-stream"
            label = describe("photo") if kind == "picture" else describe("document", name)
            ref = FileRef(media, name, mime, as_int(message.get("size")))
            return "\n".join(p for p in (text, label) if p), (ref,), False
        case "location":
            where = as_dict(message.get("location"))
            return describe("location", f"{where.get('lat')}, {where.get('lon')}"), (), True
        case "contact":
            who = as_dict(message.get("contact"))
            detail = " ".join(p for p in (as_str(who.get("name")), as_str(who.get("phone_number"))) if p)
            return describe("contact", detail), (), True
        case _:
            return describe(UNSHOWN.get(kind, kind or "unsupported")), (), True


def _result(answer: httpx.Response) -> DeliveryResult:
    """Viber answers 200 with ``status`` 0 and a ``message_token``, or a non-zero ``status``."""
    try:
        body = as_dict(answer.json())
    except ValueError:
        body = {}
    status = as_int(body.get("status"))
    if answer.status_code == 200 and status == 0 and body.get("message_token") is not None:
        return DeliveryResult(True, external_id=str(body["message_token"]))
    reason = as_str(body.get("status_message")) or answer.reason_phrase or "no description"
    detail = f"{status if status is not None else answer.status_code}: {reason}"
    if status in CREDENTIAL_STATUSES or answer.status_code in {401, 403}:
        return send_failure("Viber", detail, credentials=True)
    temporary = status in TEMPORARY_STATUSES or status is None or answer.status_code == 429 or answer.status_code >= 500
    return send_failure("Viber", detail, permanent=not temporary)


def adapter(settings: Settings) -> ViberAdapter:
    """The registry's sender and webhook receiver alike: both need the bot's auth token."""
    token = settings.viber_auth_token
    require("Viber", "Viber", ("OTKLIK_VIBER_AUTH_TOKEN", token))
    assert token is not None  # require() refused an empty one
    return ViberAdapter(
        api_base=settings.viber_api_base,
        token=token,
        sender_name=settings.viber_sender_name,
        timeout=settings.messenger_timeout_seconds,
    )
