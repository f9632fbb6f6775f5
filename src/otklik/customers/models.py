"""Customer, Organisation and Identity tables; linking codes, customer merges and sender rate counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.core.db import Base, BigIntPK, UTCDateTime


class Organisation(Base):
    """A seller's company: its employees are customers, it has its own SLA tier."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    sla_tier: Mapped[str] = mapped_column(String(20), default="standard")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Customer(Base):
    """A person who writes to support, on any number of channels."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    is_org_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    lang: Mapped[str] = mapped_column(String(5), default="ru")
    #: the IANA zone they read times in (portal, follow page, mail); None = the desk's
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: raised by a portal sign-out: every portal session issued before it ends (the cookie carries it)
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: set when this customer turned out to be another one (kept so the merge can be undone)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))

    identities: Mapped[list[Identity]] = relationship(
        back_populates="customer", order_by="Identity.id", lazy="selectin"
    )
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class Identity(Base):
    """One address of a customer on one channel; (kind, value) is unique across customers."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("kind", "value"),
        Index("ix_identities_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class LinkCode(Base):
    """A one-time code sent to a customer on one channel; sent back from another channel it
    proves both addresses are the same person's."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_identity_id: Mapped[int | None] = mapped_column(BigInteger)
    #: queued → sent / failed, as the channel answered
    delivery_state: Mapped[str] = mapped_column(String(10), default="queued")
    delivery_error: Mapped[str | None] = mapped_column(Text)


class CustomerMerge(Base):
    """Customer ``merged_id`` folded into ``survivor_id``; ``moved`` lists every row that moved
    (and what it was before), which is exactly what ``undo`` puts back."""

    __tablename__ = "customer_merges"
    __table_args__ = (Index("ix_customer_merges_merged_id", "merged_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    #: agent | link_code | verified_address
    cause: Mapped[str] = mapped_column(String(20))
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SenderRate(Base):
    """How many messages one sender address sent in the current window (minute, day).

    Counted in the database so every process sees the same numbers; the row is bumped in the
    transaction that stores the message, so a refused or failed message counts nothing.
    """

    __tablename__ = "sender_rates"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    window: Mapped[str] = mapped_column(String(10), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)


class PortalLink(Base):
    """A one-time sign-in link to the customer portal, sent to one of the customer's addresses.

    The link's token is signed with the desk secret over ``id`` and ``nonce`` (so neither a guess
    nor a reader of this table can make one); it opens a session once (``used_at``), before
    ``expires_at``. ``created_by`` is the agent who sent it, None when the customer asked for it.
    """

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    #: the desk's address the link points at (the public base URL when it was made)
    base_url: Mapped[str] = mapped_column(String(500))
    lang: Mapped[str] = mapped_column(String(5), default="ru")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: queued → sent / failed, as the channel answered
    delivery_state: Mapped[str] = mapped_column(String(10), default="queued")
    delivery_error: Mapped[str | None] = mapped_column(Text)
