"""Writes for customers: creation, identities and resolving a sender to a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.errors import Conflict, InvalidInput
from otklik.core.taxonomy import IdentityKind
from otklik.customers.models import Customer, Identity, Organisation
from otklik.customers.queries import find_identity
from otklik.customers.rules import normalise_identity


def check_identity(kind: IdentityKind, value: str, field: str = "sender.value") -> str:
    """The normalised value, or a 422 naming ``field`` (where the caller took the value from)."""
    normal = normalise_identity(kind, value)
    if normal is None:
        raise InvalidInput("invalid_identity", field=field, kind=kind.value, value=value[:80])
    return normal


def do_create_customer(
    session: Session,
    *,
    name: str,
    actor: Actor,
    organisation: Organisation | None = None,
    is_org_admin: bool = False,
    lang: str = "ru",
    at: datetime | None = None,
) -> Customer:
    """A new customer. Emits ``customer.created``."""
    moment = at or clock.now()
    customer = Customer(
        name=name.strip()[:200] or "—",
        organisation=organisation,
        organisation_id=organisation.id if organisation else None,
        is_org_admin=is_org_admin,
        lang=lang,
        created_at=moment,
        identities=[],  # known empty: adding the first identity need not load the collection
    )
    session.add(customer)
    session.flush()
    audit.record(session, actor=actor, action="customer.created", entity="customer", entity_id=customer.id, at=moment)
    return customer


def do_add_identity(
    session: Session,
    customer: Customer,
    *,
    kind: IdentityKind,
    value: str,
    verified: bool,
    actor: Actor,
    at: datetime | None = None,
    field: str = "value",
) -> Identity:
    """Attach an address to a customer; an address owned by someone else is a 409.

    ``field`` names the input the value came from, for the 422 of an invalid one.
    """
    moment = at or clock.now()
    normal = check_identity(kind, value, field)
    existing = find_identity(session, kind.value, normal)
    if existing is not None:
        if existing.customer_id == customer.id:
            return existing
        raise Conflict("identity_taken", kind=kind.value, value=normal, customer_id=existing.customer_id)
    return _attach_identity(session, customer, kind=kind, normal=normal, verified=verified, actor=actor, at=moment)


def _attach_identity(
    session: Session, customer: Customer, *, kind: IdentityKind, normal: str, verified: bool, actor: Actor, at: datetime
) -> Identity:
    """Store a normalised address the caller has checked is free. Emits ``customer.identity_added``."""
    identity = Identity(customer_id=customer.id, kind=kind.value, value=normal, verified=verified, created_at=at)
    customer.identities.append(identity)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="customer.identity_added",
        entity="customer",
        entity_id=customer.id,
        data={"kind": kind.value, "value": normal, "verified": verified},
        at=at,
    )
    return identity


def _name_of(kind: IdentityKind, normal: str) -> str:
    """A first-contact customer's name when the channel gave none: the address itself, except a
    web visitor's opaque id (``wv_…``), which is no name: left blank, shown as «—»."""
    return "" if kind is IdentityKind.WEB else normal


def do_resolve_sender(
    session: Session, *, kind: IdentityKind, value: str, display_name: str | None, actor: Actor, at: datetime
) -> Customer:
    """The customer behind a sender address, created on first contact.

    An address seen on a channel is proof of nothing else, so it is stored
    unverified; linking across channels is a separate, verified step.
    """
    normal = check_identity(kind, value)
    identity = find_identity(session, kind.value, normal)
    if identity is not None:
        return identity.customer
    try:
        # In a savepoint: when a concurrent first message of the same sender commits its
        # customer between our look-up and our insert, only our half-made one is undone.
        with session.begin_nested():
            customer = do_create_customer(session, name=display_name or _name_of(kind, normal), actor=actor, at=at)
            # the address was looked up just above; a twin committed since then fails the unique key
            _attach_identity(session, customer, kind=kind, normal=normal, verified=False, actor=actor, at=at)
    except (IntegrityError, Conflict):
        identity = find_identity(session, kind.value, normal)
        if identity is None:
            raise
        return identity.customer
    return customer


def do_create_organisation(
    session: Session, *, name: str, sla_tier: str, actor: Actor, at: datetime | None = None
) -> Organisation:
    moment = at or clock.now()
    organisation = Organisation(name=name, sla_tier=sla_tier, created_at=moment)
    session.add(organisation)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="organisation.created",
        entity="organisation",
        entity_id=organisation.id,
        data={"name": name, "sla_tier": sla_tier},
        at=moment,
    )
    return organisation


def do_set_timezone(session: Session, customer: Customer, zone: str | None, *, actor: Actor, at: datetime) -> None:
    """The zone the customer reads times in (None: the desk's). Emits ``customer.timezone_changed``."""
    if zone is not None and not clock.known_zone(zone):
        raise InvalidInput("invalid_field", field="timezone", reason="IANA, e.g. Europe/Moscow")
    before, customer.timezone = customer.timezone, zone
    audit.record(session, actor=actor, action="customer.timezone_changed", entity="customer", entity_id=customer.id,
                 data={"from": before, "to": zone}, at=at)  # fmt: skip
