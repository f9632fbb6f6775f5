"""The customer's tickets: the list across channels (an organisation's admin: the company's), one
ticket with its public conversation, and the customer's answers: «решено / не решено», the survey,
the escalation to a lead. Every form posts with CSRF and redirects back (post/redirect/get)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse, Response

from otklik.core import clock
from otklik.core.schemas import MAX_ID
from otklik.customers.actions import do_set_timezone
from otklik.messages.portal import do_customer_escalate, escalation_offer, public_timeline
from otklik.tickets.actions import customer_actor, do_customer_verdict
from otklik.tickets.models import Ticket
from otklik.tickets.portal import (
    access_customer_ticket,
    check_own,
    closed_by_customer,
    customer_tickets,
    do_submit_survey,
    latest_escalation,
    portal_settings,
    survey_of,
)
from otklik.tickets.rules import RATINGS, Status
from otklik.web.common import DB
from otklik.web.portal.deps import FormDep, Me, MeDep, PortalRefused
from otklik.web.portal.pages import render
from otklik.web.portal.views import DONE, card, escalation_line, offer, said, zone_choices
from otklik.web.ui import N_

router = APIRouter(include_in_schema=False)
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _company(me: Me) -> str | None:
    org = me.customer.organisation
    return org.name if me.customer.is_org_admin and org is not None else None


@router.get("/portal")
def ticket_list(me: MeDep, db: DB, scope: Annotated[str, Query(max_length=10)] = "mine") -> Response:
    """The customer's tickets; ``scope=company`` lists the organisation's for its admin."""
    company = _company(me) if scope == "company" else None
    now = clock.now()
    cards = [card(t, me.customer, now, me.lang) for t in customer_tickets(db, me.customer, company=company is not None)]
    zones = zone_choices(ZONES, me.customer.timezone, me.lang)
    context = me.page(cards=cards, company=company, org=_company(me), zones=zones, zone=me.customer.timezone or "")
    return render("list.html", lang=me.lang, **context)


#: the zones offered on the portal: Russia's, west to east, and UTC (a customer's own choice beyond
#: these is kept when it is a valid IANA name)
ZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
    "Asia/Magadan", "Asia/Kamchatka", "UTC",
)  # fmt: skip


@router.post("/portal/timezone")
def set_timezone(me: MeDep, form: FormDep, db: DB) -> Response:
    """The customer chooses the zone their pages show times in (empty: the desk's)."""
    zone = form.get("timezone").strip()[:64] or None
    do_set_timezone(db, me.customer, zone, actor=customer_actor(me.customer), at=clock.now())
    db.commit()
    return RedirectResponse("/portal", status_code=303)


def _back(ticket: Ticket, done: str) -> RedirectResponse:
    return RedirectResponse(f"/portal/tickets/{ticket.id}?done={done}", status_code=303)


def _quiet() -> timedelta:
    return timedelta(days=portal_settings().quiet_days)


@router.get("/portal/tickets/{ticket_id}")
def ticket_page(ticket_id: TicketId, me: MeDep, db: DB, done: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Facts, the escalation (offered only when allowed), the verdict or the survey, the conversation."""
    ticket = access_customer_ticket(db, me.customer, ticket_id)
    now = clock.now()
    own = ticket.customer_id == me.customer.id
    found = escalation_offer(db, ticket, at=now, quiet=_quiet(), ack_hours=portal_settings().ack_hours)
    context = me.page(
        ticket=card(ticket, me.customer, now, me.lang),
        messages=[said(m, ticket, me.customer, me.lang) for m in public_timeline(db, ticket.id)],
        escalation=escalation_line(latest_escalation(db, ticket.id), me.lang),
        offer=offer(found, me.lang),
        verdict=own and ticket.status == Status.SOLVED.value,
        survey=own and ticket.status == Status.CLOSED.value and survey_of(db, ticket) is None,
        # after the customer's own «Решено» the survey does not ask «решена?» again
        ask_solved=not closed_by_customer(db, ticket),
        ratings=list(RATINGS),
        done=me.t(DONE[done]) if done in DONE else "",
    )
    return render("ticket.html", lang=me.lang, **context)


@router.post("/portal/tickets/{ticket_id}/verdict")
def verdict(ticket_id: TicketId, me: MeDep, form: FormDep, db: DB) -> Response:
    """«Решено» closes the ticket (then the survey), «Не решено» reopens it with the same owner."""
    ticket = access_customer_ticket(db, me.customer, ticket_id)
    check_own(me.customer, ticket)
    solved = form.get("solved") == "yes"
    do_customer_verdict(db, ticket, solved=solved, actor=customer_actor(me.customer), at=clock.now())
    db.commit()
    return _back(ticket, "solved" if solved else "reopened")


@router.post("/portal/tickets/{ticket_id}/survey")
def survey(ticket_id: TicketId, me: MeDep, form: FormDep, db: DB) -> Response:
    """«Ваша проблема решена?» yes/no, an optional 1–5 rating and comment; once per closing. After the
    customer's own «Решено» the answer is already known: yes."""
    ticket = access_customer_ticket(db, me.customer, ticket_id)
    answer, rating = form.get("solved"), form.get("rating").strip()
    if closed_by_customer(db, ticket):
        answer = "yes"
    if answer not in {"yes", "no"}:
        raise PortalRefused(422, N_("Say whether the problem is solved: yes or no."))
    if rating and form.number("rating") is None:
        raise PortalRefused(422, N_("A rating is a whole number from 1 to 5."))
    do_submit_survey(
        db, ticket, me.customer, solved=answer == "yes", rating=form.number("rating"), comment=form.get("comment"),
        at=clock.now(),
    )  # fmt: skip
    db.commit()
    return _back(ticket, "survey")


@router.post("/portal/tickets/{ticket_id}/escalate")
def escalate(ticket_id: TicketId, me: MeDep, form: FormDep, db: DB) -> Response:
    """Put the case in front of the named lead, only when the page offered it (re-checked now)."""
    ticket = access_customer_ticket(db, me.customer, ticket_id)
    do_customer_escalate(
        db, ticket, actor=customer_actor(me.customer), at=clock.now(), quiet=_quiet(),
        ack_hours=portal_settings().ack_hours,
    )  # fmt: skip
    db.commit()
    return _back(ticket, "escalated")
