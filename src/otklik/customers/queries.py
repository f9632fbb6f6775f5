"""Reads of customers and identities (no writes here)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from otklik.core.errors import NotFound
from otklik.customers.models import Customer, Identity


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("customer_not_found", customer_id=customer_id)
    return customer


def find_identity(session: Session, kind: str, value: str) -> Identity | None:
    return session.scalars(select(Identity).where(Identity.kind == kind, Identity.value == value)).first()


def list_customers_query(q: str | None, before_id: int | None = None) -> Select[Customer]:
    """Customers by name or by any identity value containing ``q``, newest first, below ``before_id``."""
    query = select(Customer)
    if before_id is not None:
        query = query.where(Customer.id < before_id)
    if q:  # autoescape: «%» and «_» are searched for, not wildcards that match everybody
        matching = select(Identity.customer_id).where(Identity.value.contains(q.strip().lower(), autoescape=True))
        query = query.where(Customer.name.icontains(q.strip(), autoescape=True) | Customer.id.in_(matching))
    return query.order_by(Customer.id.desc())
