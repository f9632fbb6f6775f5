"""Shapes of the public endpoints (extra fields are refused, so a typo is caught, not ignored)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from otklik.channels.webvisitor import FormContacts
from otklik.core.schemas import Id, StrictIn
from otklik.core.taxonomy import IdentityKind
from otklik.customers.rules import normalise_identity
from otklik.web.errors import PublicError

#: one chat message or form text; far below intake's own limit, a visitor is not a mail server
MAX_PUBLIC_TEXT = 10_000

PublicText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PUBLIC_TEXT)]


def _blank_is_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class VisitorOut(BaseModel):
    """A new visitor's token: the widget keeps it in localStorage and sends it as X-Otklik-Visitor."""

    token: str


class ChatMessageIn(StrictIn):
    text: PublicText
    #: the widget's own id for this message: a retried POST with it is stored once
    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    name: str | None = Field(default=None, max_length=100)
    page_url: str | None = Field(default=None, max_length=2000)

    _blank = field_validator("name", "page_url", mode="before")(_blank_is_none)


class ChatAckOut(BaseModel):
    """Sent only after the message is committed."""

    ticket_id: int
    number: str
    message_id: int
    duplicate: bool
    follow_url: str


class VisitorTypingIn(StrictIn):
    typing: bool = True
    ticket_id: Id | None = None


class AgentTypingIn(StrictIn):
    typing: bool = True


class TypingOut(BaseModel):
    customer_typing: bool
    agent: str | None


class FormIn(StrictIn):
    """The web form, as JSON or as the page's fields; an e-mail or a phone is required."""

    text: PublicText
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    subject: str | None = Field(default=None, max_length=300)
    lang: Literal["ru", "en"] | None = None

    _blank = field_validator("name", "email", "phone", "subject", "lang", mode="before")(_blank_is_none)


class FormOut(BaseModel):
    ticket_id: int
    number: str
    follow_url: str


def check_contacts(email: str | None, phone: str | None, name: str | None = None) -> FormContacts:
    """The contacts, normalised; 422 naming ``email`` or ``phone`` when missing or malformed."""
    email, phone, name = (v.strip() or None if v else None for v in (email, phone, name))
    if email is None and phone is None:
        raise PublicError(422, "contact_required", field="email")
    normal_email = normalise_identity(IdentityKind.EMAIL, email) if email else None
    if email and normal_email is None:
        raise PublicError(422, "email_invalid", field="email")
    normal_phone = normalise_identity(IdentityKind.PHONE, phone) if phone else None
    if phone and normal_phone is None:
        raise PublicError(422, "phone_invalid", field="phone")
    return FormContacts(name=name, email=normal_email, phone=normal_phone)
