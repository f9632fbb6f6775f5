"""Customers and their identities on every channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from otklik.api.deps import DB, AuthDep, PathId, Search
from otklik.core import clock
from otklik.core.schemas import MAX_ID
from otklik.customers import actions
from otklik.customers.queries import get_customer, list_customers_query
from otklik.customers.schemas import CustomerIn, CustomerOut, CustomerPage, IdentityIn, IdentityOut
from otklik.messages.links import do_merge_same_person

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("", response_model=CustomerPage)
def list_(
    db: DB,
    auth: AuthDep,
    q: Search = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> CustomerPage:
    """Customers by name or identity, newest first; ``cursor`` is the last id seen."""
    rows = list(db.scalars(list_customers_query(q, cursor).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return CustomerPage(items=[CustomerOut.of(c) for c in rows], next_cursor=str(rows[-1].id) if more else None)


@router.post("", status_code=201, response_model=CustomerOut)
def create(body: CustomerIn, db: DB, auth: AuthDep) -> CustomerOut:
    customer = actions.do_create_customer(db, name=body.name, lang=body.lang, actor=auth.actor)
    for n, identity in enumerate(body.identities):
        actions.do_add_identity(
            db,
            customer,
            kind=identity.kind,
            value=identity.value,
            verified=identity.verified,
            actor=auth.actor,
            field=f"identities.{n}.value",
        )
    db.commit()
    return CustomerOut.of(customer)


@router.get("/{customer_id}", response_model=CustomerOut)
def read(customer_id: PathId, db: DB, auth: AuthDep) -> CustomerOut:
    return CustomerOut.of(get_customer(db, customer_id))


@router.post("/{customer_id}/identities", status_code=201, response_model=IdentityOut)
def add_identity(customer_id: PathId, body: IdentityIn, db: DB, auth: AuthDep) -> IdentityOut:
    """Attach an address; one that belongs to another customer is a 409 (merging is explicit).

    A verified address that makes this customer the same person as another (the same
    verified phone on WhatsApp, say) merges them, exactly as verifying it later would."""
    customer = get_customer(db, customer_id)
    identity = actions.do_add_identity(
        db, customer, kind=body.kind, value=body.value, verified=body.verified, actor=auth.actor
    )
    if identity.verified:
        do_merge_same_person(db, customer, actor=auth.actor, at=clock.now())
    db.commit()
    return IdentityOut.of(identity)
