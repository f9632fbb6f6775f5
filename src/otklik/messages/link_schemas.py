"""API shapes for public mentions, linking codes, customer and ticket merges and their offers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from otklik.core.schemas import NON_BLANK, Id, StrictIn, UTCTime
from otklik.core.taxonomy import Channel
from otklik.customers.models import CustomerMerge, LinkCode
from otklik.customers.schemas import CustomerRef
from otklik.tickets.models import TicketMerge


class MentionIn(StrictIn):
    """A public post or comment: where it is, who wrote it (their public handle) and what it says."""

    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$")
    author: str = Field(min_length=1, max_length=200, pattern=NON_BLANK)
    text: str = Field(min_length=1, max_length=100_000, pattern=NON_BLANK)
    posted_at: UTCTime | None = None
    #: the site's id of the post; the URL when absent (a repeat of either is a duplicate)
    external_id: str | None = Field(default=None, min_length=1, max_length=200)


class WentPublicOut(BaseModel):
    private_ticket_id: int
    days: int


class MentionOut(BaseModel):
    ticket_id: int
    message_id: int
    duplicate: bool
    went_public: list[WentPublicOut]


class LinkCodeIn(StrictIn):
    #: the channel the code is sent through (the customer must have an address there)
    channel: Channel


class LinkCodeOut(BaseModel):
    id: int
    code: str
    customer_id: int
    channel: str
    recipient: str
    expires_at: datetime
    delivery_state: str
    delivery_error: str | None

    @classmethod
    def of(cls, code: LinkCode) -> LinkCodeOut:
        return cls(
            id=code.id,
            code=code.code,
            customer_id=code.customer_id,
            channel=code.channel,
            recipient=code.recipient,
            expires_at=code.expires_at,
            delivery_state=code.delivery_state,
            delivery_error=code.delivery_error,
        )


class CustomerMergeIn(StrictIn):
    #: the customer folded into the one in the path
    customer_id: Id


class CustomerMergeOut(BaseModel):
    id: int
    survivor_id: int
    merged_id: int
    cause: str
    identities: list[int]
    tickets: list[int]
    ticket_merges: list[int]
    created_at: datetime
    undone_at: datetime | None

    @classmethod
    def of(cls, record: CustomerMerge) -> CustomerMergeOut:
        return cls(
            id=record.id,
            survivor_id=record.survivor_id,
            merged_id=record.merged_id,
            cause=record.cause,
            identities=[int(i["id"]) for i in record.moved.get("identities", [])],
            tickets=[int(i) for i in record.moved.get("tickets", [])],
            ticket_merges=[int(i) for i in record.moved.get("ticket_merges", [])],
            created_at=record.created_at,
            undone_at=record.undone_at,
        )


class CustomerSuggestionOut(BaseModel):
    customer: CustomerRef
    reasons: list[str]


class CustomerSuggestions(BaseModel):
    items: list[CustomerSuggestionOut]


class TicketMergeIn(StrictIn):
    #: the other ticket; the newer of the two joins the older
    ticket_id: Id


class TicketMergeOut(BaseModel):
    id: int
    source_id: int
    target_id: int
    messages: list[int]
    created_at: datetime
    undone_at: datetime | None

    @classmethod
    def of(cls, record: TicketMerge) -> TicketMergeOut:
        return cls(
            id=record.id,
            source_id=record.source_id,
            target_id=record.target_id,
            messages=[int(i) for i in record.snapshot.get("messages", [])],
            created_at=record.created_at,
            undone_at=record.undone_at,
        )


class TicketSuggestionOut(BaseModel):
    ticket_id: int
    subject: str
    status: str
    channel: str
    reasons: list[str]


class TicketSuggestions(BaseModel):
    items: list[TicketSuggestionOut]
