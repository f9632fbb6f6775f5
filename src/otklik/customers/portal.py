"""Sign-in links to the customer portal: made for one of the customer's addresses, queued for delivery
(the job lives with the channels' senders, ``tickets.portal_tasks``), spent once, expiring.

The token that carries a link (its id and nonce, signed for the purpose ``portal-link``) is made
and read a layer up, in ``tickets.portal``, next to the signing helpers of ``channels``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from otklik.core import audit, jobs
from otklik.core.actors import Actor, ActorKind
from otklik.core.errors import Conflict, InvalidInput
from otklik.core.taxonomy import IdentityKind
from otklik.customers.models import Customer, PortalLink

#: the job that delivers a link
SEND_PORTAL_LINK = "portal.send_link"
#: sign-in links may go to these addresses (a web visitor or a public handle has no inbox)
LINK_KINDS = (IdentityKind.EMAIL, IdentityKind.TELEGRAM, IdentityKind.VK, IdentityKind.WHATSAPP, IdentityKind.VIBER)


def check_link_channel(customer: Customer, kind: IdentityKind) -> str:
    """The customer's address of ``kind`` a link can go to; 422 naming ``channel`` otherwise."""
    if kind not in LINK_KINDS:
        raise InvalidInput("portal_link_channel", field="channel", channel=kind.value)
    address = next((i.value for i in customer.identities if i.kind == kind.value), None)
    if address is None:
        raise InvalidInput("link_code_no_address", field="channel", channel=kind.value, kind=kind.value)
    return address


def do_create_portal_link(
    session: Session,
    customer: Customer,
    *,
    channel: str,
    recipient: str,
    base_url: str,
    actor: Actor,
    at: datetime,
    minutes: int,
) -> PortalLink:
    """A fresh sign-in link for ``customer``, queued for delivery to ``recipient`` on ``channel``.
    Earlier unused links of the customer stop working. Emits ``customer.portal_link_created``."""
    if customer.merged_into_id is not None:
        raise Conflict("customer_merged", customer_id=customer.id, into=customer.merged_into_id)
    for old in session.scalars(
        select(PortalLink).where(PortalLink.customer_id == customer.id, PortalLink.used_at.is_(None))
    ):
        old.expires_at = min(old.expires_at, at)
    link = PortalLink(
        customer_id=customer.id,
        nonce=secrets.token_hex(16),
        channel=channel,
        recipient=recipient,
        base_url=base_url[:500],
        lang=customer.lang if customer.lang in {"ru", "en"} else "ru",
        created_by=actor.id,
        created_at=at,
        expires_at=at + timedelta(minutes=minutes),
        delivery_state="queued",
    )
    session.add(link)
    session.flush()
    jobs.schedule(session, SEND_PORTAL_LINK, {"portal_link_id": link.id}, key=f"portal_link:{link.id}", fresh=True)
    audit.record(
        session, actor=actor, action="customer.portal_link_created", entity="customer", entity_id=customer.id,
        data={"portal_link_id": link.id, "channel": channel, "expires_at": link.expires_at.isoformat()}, at=at,
    )  # fmt: skip
    return link


def live_portal_link(session: Session, ref: tuple[int, str], at: datetime) -> PortalLink | None:
    """The unused, unexpired link ``ref`` names (its nonce compared in constant time)."""
    link = session.get(PortalLink, ref[0])
    if link is None or link.used_at is not None or link.expires_at <= at:
        return None
    return link if secrets.compare_digest(link.nonce, ref[1]) else None


def do_use_portal_link(session: Session, link: PortalLink, *, at: datetime) -> Customer | None:
    """Spend ``link``: its customer signs in. The spend is one conditional UPDATE, so of two
    requests racing with the same link only one gets the customer; the other gets None.
    Emits ``customer.portal_signed_in``."""
    spent = session.execute(
        update(PortalLink)
        .where(PortalLink.id == link.id, PortalLink.used_at.is_(None), PortalLink.expires_at > at)
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(spent, "rowcount", 0) or 0) != 1:
        return None
    session.refresh(link)
    customer = session.get(Customer, link.customer_id)
    assert customer is not None  # the link's row is deleted with its customer
    audit.record(
        session, actor=Actor(ActorKind.CUSTOMER, customer.id, customer.name), action="customer.portal_signed_in",
        entity="customer", entity_id=customer.id, data={"portal_link_id": link.id, "channel": link.channel}, at=at,
    )  # fmt: skip
    return customer


def do_end_portal_sessions(session: Session, customer: Customer, *, at: datetime) -> None:
    """End every portal session of ``customer`` (a sign-out): a cookie copied before it no longer
    opens their tickets. Emits ``customer.portal_signed_out``."""
    customer.session_generation += 1
    audit.record(
        session, actor=Actor(ActorKind.CUSTOMER, customer.id, customer.name), action="customer.portal_signed_out",
        entity="customer", entity_id=customer.id, data={"generation": customer.session_generation}, at=at,
    )  # fmt: skip


def do_record_portal_link_delivery(session: Session, link: PortalLink, *, sent: bool, error: str | None) -> None:
    """What the channel said about a link we sent. Emits ``customer.portal_link_delivered`` or ``…_failed``."""
    link.delivery_state = "sent" if sent else "failed"
    link.delivery_error = None if sent else (error or "unknown error")[:2000]
    action = "customer.portal_link_delivered" if sent else "customer.portal_link_delivery_failed"
    audit.record(
        session, actor=Actor.system("delivery"), action=action, entity="customer", entity_id=link.customer_id,
        data={"portal_link_id": link.id, "error": link.delivery_error}, at=link.created_at,
    )  # fmt: skip
