"""The web channel's visitors: opaque signed tokens, and web chat / web form payloads as InboundMessage.

Pure functions: the secret, the random source and the message ids come in as arguments.
A token is ``<payload>.<signature>``, the signature an HMAC-SHA256 under a key derived
from the desk secret for one purpose, so a visitor token never opens a ticket link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from otklik.channels.base import InboundMessage
from otklik.core.taxonomy import Channel, IdentityKind

VISITOR = "visitor"
TICKET_LINK = "ticket-link"
#: bytes of signature kept (128 bits): short links, far beyond guessing
SIGNATURE_BYTES = 16
_VISITOR_ID = re.compile(r"^w[vf]_[A-Za-z0-9_-]{16,43}$")
_TICKET_ID = re.compile(r"^[1-9][0-9]{0,17}$")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_visitor_id(random_bytes: bytes, *, form: bool = False) -> str:
    """An opaque web identity value: ``wv_…`` for a chat visitor, ``wf_…`` for one form submission."""
    if len(random_bytes) < 12:
        raise ValueError("a visitor id needs at least 12 random bytes")
    return ("wf_" if form else "wv_") + _b64(random_bytes)


def _key(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"otklik/v1/{purpose}".encode(), hashlib.sha256).digest()


def _signature(secret: bytes, purpose: str, payload: str) -> str:
    digest = hmac.new(_key(secret, purpose), payload.encode(), hashlib.sha256).digest()
    return _b64(digest[:SIGNATURE_BYTES])


def sign(secret: bytes, purpose: str, payload: str) -> str:
    """``payload.signature`` for ``purpose``; the payload must not contain a dot."""
    if "." in payload or not payload:
        raise ValueError("a token payload is non-empty and has no dot")
    return f"{payload}.{_signature(secret, purpose, payload)}"


def verify(secret: bytes, purpose: str, token: str) -> str | None:
    """The payload of a genuine ``purpose`` token, else None (forged, tampered, other purpose)."""
    payload, dot, signature = token.strip().rpartition(".")
    if not dot or not payload or len(token) > 200:
        return None
    if not hmac.compare_digest(signature.encode(), _signature(secret, purpose, payload).encode()):
        return None
    return payload


def visitor_token(secret: bytes, visitor_id: str) -> str:
    return sign(secret, VISITOR, visitor_id)


def visitor_of(secret: bytes, token: str) -> str | None:
    """The visitor id a genuine visitor token names."""
    payload = verify(secret, VISITOR, token)
    return payload if payload is not None and _VISITOR_ID.match(payload) else None


def ticket_link_token(secret: bytes, ticket_id: int) -> str:
    return sign(secret, TICKET_LINK, str(ticket_id))


def ticket_of_link(secret: bytes, token: str) -> int | None:
    """The ticket id a genuine follow-link token names."""
    payload = verify(secret, TICKET_LINK, token)
    return int(payload) if payload is not None and _TICKET_ID.match(payload) else None


def valid_client_id(client_id: str) -> bool:
    """A client's own id for one message (its retry key): short, URL-safe."""
    return bool(_CLIENT_ID.match(client_id))


def chat_inbound(
    visitor_id: str, text: str, *, message_key: str, name: str | None = None, page_url: str | None = None
) -> InboundMessage:
    """A chat message from ``visitor_id``; ``message_key`` (the client's id, else a random one) makes
    a retried POST the same message."""
    return InboundMessage(
        channel=Channel.WEBCHAT,
        external_id=f"webchat:{visitor_id}:{message_key}",
        sender_kind=IdentityKind.WEB,
        sender_value=visitor_id,
        display_name=name,
        text=text,
        url=page_url,
    )


@dataclass(frozen=True, slots=True)
class FormContacts:
    """What a form asks besides the text; e-mail and phone already normalised."""

    name: str | None
    email: str | None
    phone: str | None


def form_text(text: str, contacts: FormContacts, labels: dict[str, str]) -> str:
    """The stored text of a form message: what the customer wrote, then the contacts they gave.

    The contacts are always written the same way, whoever owns the address already, so the
    follow page never reveals whether an e-mail or phone is known to the desk.
    """
    lines = [
        f"{labels[key]}: {value}"
        for key, value in (("name", contacts.name), ("email", contacts.email), ("phone", contacts.phone))
        if value
    ]
    return text.strip() + ("\n\n—\n" + "\n".join(lines) if lines else "")


def form_inbound(
    submission_id: str, text: str, *, contacts: FormContacts, labels: dict[str, str], subject: str | None = None
) -> InboundMessage:
    """One form submission: its own web identity, so it always opens a new ticket and its follow
    link shows nothing but this ticket."""
    return InboundMessage(
        channel=Channel.WEBFORM,
        external_id=f"webform:{submission_id}",
        sender_kind=IdentityKind.WEB,
        sender_value=submission_id,
        display_name=contacts.name or contacts.email or contacts.phone,
        text=form_text(text, contacts, labels),
        subject=subject,
    )


def form_follow_up(submission_id: str, text: str, *, message_key: str, ticket_id: int) -> InboundMessage:
    """A word added on the follow page of a form submission: from the submission's own web identity,
    quoting its ticket, so it joins that ticket (a new one when that was closed); ``message_key``
    (the page's one-time key) makes a resent form the same message."""
    return InboundMessage(
        channel=Channel.WEBFORM,
        external_id=f"webform:{submission_id}:{message_key}",
        sender_kind=IdentityKind.WEB,
        sender_value=submission_id,
        text=text,
        ticket_hint=ticket_id,
    )
