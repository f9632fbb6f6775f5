"""WhatsApp through Meta's Cloud API: signed webhooks in, ``POST /{phone-number-id}/messages`` out.

Meta signs each call with ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body, keyed with the
app secret) and checks the URL once with a GET challenge (``answer_challenge``). One call may
carry many messages: each becomes its own ``InboundMessage`` so one broken message never costs
the others. The customer is the ``wa_id`` (the phone's digits), which is also where replies go.
Images and documents are media ids, fetched in the route's ``fetch_files`` step (the media's
URL from the Graph API, then the download with the same token). Delivery receipts
(``statuses``) are acknowledged and not applied: our ``sent`` already means Meta accepted it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from otklik.channels.adapters.http import send_pieces, timeout_for
from otklik.channels.adapters.payload import as_dict, as_list, as_str
from otklik.channels.base import (
    ChannelAuthError,
    DeliveryResult,
    FileFetchError,
    FileRef,
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

SIGNATURE_HEADER = "x-hub-signature-256"
#: WhatsApp's limit for one text message
TEXT_LIMIT = 4096
#: Cloud API error codes worth another try: rate limits, "something went wrong", service unavailable
TEMPORARY_ERRORS = {1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
#: an expired or invalid access token
CREDENTIAL_ERRORS = {190}
#: message types we cannot show → the placeholder kind that describes them
UNSHOWN = {
    "sticker": "sticker",
    "audio": "audio",
    "video": "video",
    "location": "location",
    "contacts": "contact",
    "reaction": "reaction",
    "unsupported": "unsupported",
    "unknown": "unsupported",
}
#: notices in the messages list that are not something the customer said: a message they deleted
#: for everyone (``revoke``) is acknowledged and kept as it was (the desk keeps what was said)
NOT_MESSAGES = {"revoke"}
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


class WhatsAppAdapter:
    """One business phone number: ``app_secret`` checks calls, ``token`` sends and downloads."""

    channel = "whatsapp"

    def __init__(
        self,
        *,
        api_base: str,
        app_secret: str | None = None,
        verify_token: str | None = None,
        token: str | None = None,
        phone_number_id: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.token = token
        self.phone_number_id = phone_number_id
        self.timeout = timeout

    # ---- receiving --------------------------------------------------------------------

    def answer_challenge(self, params: Mapping[str, str]) -> str:
        """Meta's subscription check: echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
        if not self.verify_token:
            raise ChannelAuthError("no verify token is configured")
        mode, token, challenge = (params.get(f"hub.{k}") for k in ("mode", "verify_token", "challenge"))
        if mode != "subscribe" or token is None or challenge is None:
            raise ChannelAuthError("not a subscription check: hub.mode, hub.verify_token or hub.challenge missing")
        if not hmac.compare_digest(token.encode(), self.verify_token.encode()):
            raise ChannelAuthError("hub.verify_token does not match")
        return challenge

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        if not self.app_secret:
            raise ChannelAuthError("no app secret is configured")
        given = headers.get(SIGNATURE_HEADER)
        if not given:
            raise ChannelAuthError(f"{SIGNATURE_HEADER} header is missing")
        expected = "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
            raise ChannelAuthError(f"{SIGNATURE_HEADER} does not match the body")

    def parse(self, headers: Mapping[str, str], body: bytes) -> WebhookOutcome:
        """Every ``entry[].changes[].value.messages[]`` becomes a message; statuses and other
        fields are acknowledged. A message missing what it needs is still passed on, so intake
        refuses it on its own and notes it in the channel's health."""
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"not JSON: {exc}") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
            raise PayloadError("not a WhatsApp webhook: no entry list")
        messages: list[InboundMessage] = []
        for entry in payload["entry"]:
            for change in as_list(as_dict(entry).get("changes")):
                value = as_dict(as_dict(change).get("value"))
                names = {
                    as_str(c.get("wa_id")): as_str(as_dict(c.get("profile")).get("name"))
                    for c in map(as_dict, as_list(value.get("contacts")))
                }
                messages.extend(
                    self._message(as_dict(m), names)
                    for m in as_list(value.get("messages"))
                    if as_str(as_dict(m).get("type")) not in NOT_MESSAGES
                )
        return WebhookOutcome(tuple(messages))

    def _message(self, message: dict[str, Any], names: dict[str, str]) -> InboundMessage:
        raw = json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
        sender = as_str(message.get("from"))
        # without an id a retry cannot be recognised; a digest of the message keeps it stable
        external_id = as_str(message.get("id")) or f"unidentified:{hashlib.sha256(raw).hexdigest()[:32]}"
        stamp = as_str(message.get("timestamp"))
        # an edit (``type: edit``) carries the new message whole and the id of the one it changes
        edit = as_dict(message.get("edit")) if as_str(message.get("type")) == "edit" else {}
        edit_of = as_str(edit.get("original_message_id")) or None
        shown = as_dict(edit.get("message")) if edit_of else message
        text, files, placeholder = _content(shown)
        reply_to = as_str(as_dict(shown.get("context")).get("id"))
        return InboundMessage(
            channel=Channel.WHATSAPP,
            external_id=f"{edit_of}:edit:{external_id}" if edit_of else external_id,
            sender_kind=IdentityKind.WHATSAPP,
            sender_value=sender,
            display_name=names.get(sender) or None,
            text=text,
            sent_at=datetime.fromtimestamp(int(stamp), UTC) if stamp.isascii() and stamp.isdigit() else None,
            files=() if edit_of else files,  # the media came with the original
            placeholder=placeholder,
            thread_refs=(reply_to,) if reply_to and not edit_of else (),
            edit_of=edit_of,
            source=None if edit_of else raw,  # an edit changes the text; the original keeps its source
            source_type=None if edit_of else "application/json",
        )

    def fetch_file(self, ref: FileRef) -> bytes:
        """``GET /{media-id}`` for a short-lived URL, then the download, both with our token."""
        if not self.token:
            raise FileFetchError("no access token is configured")
        auth = {"Authorization": f"Bearer {self.token}"}
        try:
            with httpx.Client(base_url=self.api_base, timeout=self._timeout(), headers=auth) as client:
                answer = client.get(f"/{ref.ref}")
                url = as_str(as_dict(_json(answer)).get("url"))
                if answer.status_code != 200 or not url.startswith(("https://", "http://")):
                    raise FileFetchError(f"media {answer.status_code}: {_error(answer)[1]}")
                with client.stream("GET", url) as download:
                    if download.status_code != 200:
                        raise FileFetchError(f"download {download.status_code}")
                    return read_capped(download.iter_bytes())
        except httpx.HTTPError as exc:
            raise FileFetchError(f"{type(exc).__name__}: {exc}") from None

    # ---- sending ----------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """A text message to the customer's number; ``sent`` with the ``wamid`` Meta returns."""
        if not self.token or not self.phone_number_id:
            return send_failure(
                "WhatsApp", "OTKLIK_WHATSAPP_ACCESS_TOKEN, OTKLIK_WHATSAPP_PHONE_NUMBER_ID", credentials=True
            )
        auth = {"Authorization": f"Bearer {self.token}"}

        def one(_number: int, piece: str) -> DeliveryResult:
            body = {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": message.recipient,
                "type": "text",
                "text": {"preview_url": False, "body": piece},
            }
            return _result(client.post(f"/{self.phone_number_id}/messages", json=body))

        with httpx.Client(base_url=self.api_base, timeout=self._timeout(), headers=auth) as client:
            return send_pieces("WhatsApp", split_text(message.text, TEXT_LIMIT), one)

    def _timeout(self) -> httpx.Timeout:
        return timeout_for(self.timeout)


def _content(message: dict[str, Any]) -> tuple[str, tuple[FileRef, ...], bool]:
    """The text to show, the media to download, and whether it cannot be shown."""
    kind = as_str(message.get("type"))
    item = as_dict(message.get(kind))
    match kind:
        case "text":
            return as_str(item.get("body")), (), False
        case "image" | "document" if as_str(item.get("id")):
            mime = as_str(item.get("mime_type")).split(";")[0].strip() or "application/octet-stream"
            name = as_str(item.get("filename")) or f"{kind}_{item['id']}{_EXTENSIONS.get(mime, '')}"
            label = describe("photo") if kind == "image" else describe("document", name)
            text = "\n".join(p for p in (as_str(item.get("caption")), label) if p)
            return text, (FileRef(item["id"], name, mime),), False
        case "button":
            return as_str(item.get("text")), (), False
        case "interactive":
            return _interactive(item, message)
        case "audio" if item.get("voice") is True:
            return describe("voice"), (), True
        case "reaction":
            return describe("reaction", as_str(item.get("emoji"))), (), True
        case "location":
            where = " ".join(
                p for p in (as_str(item.get("name")), f"{item.get('latitude')}, {item.get('longitude')}") if p
            )
            return describe("location", where), (), True
        case _:
            errors = [as_str(as_dict(e).get("title")) for e in as_list(message.get("errors"))]
            if kind in UNSHOWN:
                said = "; ".join(e for e in errors if e)  # Meta's own words, kept for whoever investigates
                return describe(UNSHOWN[kind], f"({said})" if said else ""), (), True
            return describe(kind or "unsupported"), (), True


def _interactive(item: dict[str, Any], message: dict[str, Any]) -> tuple[str, tuple[FileRef, ...], bool]:
    """A button or list choice (its title and description), a Flow's answers (``nfm_reply``: the
    form's fields, one per line), or — when Meta could not read it — a placeholder with Meta's words.
    Never an empty text, which intake would refuse after the webhook was acknowledged."""
    kind = as_str(item.get("type"))
    reply = as_dict(item.get(kind))
    if kind == "nfm_reply":
        text = _flow_answers(reply)
    else:
        text = " — ".join(p for p in (as_str(reply.get("title")), as_str(reply.get("description"))) if p)
    if text:
        return text, (), False
    said = "; ".join(e for e in (as_str(as_dict(e).get("title")) for e in as_list(message.get("errors"))) if e)
    return describe("unsupported", f"({said})" if said else ""), (), True


def _flow_answers(reply: dict[str, Any]) -> str:
    """A WhatsApp Flow's answers as «field: value» lines (its token left out), else its body text."""
    raw = reply.get("response_json")
    try:
        answers = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        answers = None
    lines = [
        f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in as_dict(answers).items()
        if key != "flow_token" and value not in (None, "", [])
    ]
    return "\n".join(lines) or as_str(reply.get("body"))


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _error(answer: httpx.Response) -> tuple[int | None, str]:
    """The Graph API's ``error.code`` and its message."""
    error = as_dict(as_dict(_json(answer)).get("error"))
    code = error.get("code")
    details = as_str(as_dict(error.get("error_data")).get("details"))
    text = " — ".join(p for p in (as_str(error.get("message")), details) if p) or answer.reason_phrase
    return (code if isinstance(code, int) else None), text


def _result(answer: httpx.Response) -> DeliveryResult:
    sent = [as_str(as_dict(m).get("id")) for m in as_list(as_dict(_json(answer)).get("messages"))]
    if answer.status_code == 200 and sent and sent[0]:
        return DeliveryResult(True, external_id=sent[0])
    code, description = _error(answer)
    detail = f"{answer.status_code}" + (f" ({code})" if code is not None else "") + f": {description}"
    if answer.status_code in {401, 403} or code in CREDENTIAL_ERRORS:
        return send_failure("WhatsApp", detail, credentials=True)
    status = answer.status_code
    temporary = status == 429 or status >= 500 or code in TEMPORARY_ERRORS or status == 200
    return send_failure("WhatsApp", detail, permanent=not temporary)


def _adapter(settings: Settings) -> WhatsAppAdapter:
    return WhatsAppAdapter(
        api_base=settings.whatsapp_api_base,
        app_secret=settings.whatsapp_app_secret,
        verify_token=settings.whatsapp_verify_token,
        token=settings.whatsapp_access_token,
        phone_number_id=settings.whatsapp_phone_number_id,
        timeout=settings.messenger_timeout_seconds,
    )


def sender(settings: Settings) -> WhatsAppAdapter:
    """The registry's sender: needs the access token and the business phone number's id."""
    require(
        "WhatsApp",
        "WhatsApp",
        ("OTKLIK_WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token),
        ("OTKLIK_WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id),
    )
    return _adapter(settings)


def webhook(settings: Settings) -> WhatsAppAdapter:
    """The registry's webhook receiver: needs the app secret that signs Meta's calls."""
    require("WhatsApp", "WhatsApp", ("OTKLIK_WHATSAPP_APP_SECRET", settings.whatsapp_app_secret))
    return _adapter(settings)
