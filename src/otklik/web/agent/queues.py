"""The agent's queues (mine, my team, near breach, breached, follow-ups due, urgent, unassigned) and search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from otklik.core import clock
from otklik.core.errors import DomainError
from otklik.messages.queries import search_messages
from otklik.tickets.queries import TicketFilter, count_tickets, list_tickets
from otklik.web.agent.deps import DeskDep
from otklik.web.agent.views import QUEUE_CODES, QUEUES, STATUS, hits, queue_filter, soonest_due
from otklik.web.common import DB
from otklik.web.ui import render

router = APIRouter(include_in_schema=False)
PAGE = 50


def counts(db: DB, desk: DeskDep) -> dict[str, int]:
    now = clock.now()
    result = {}
    for queue in QUEUES:
        flt = queue_filter(queue.code, desk.principal, now)
        result[queue.code] = count_tickets(db, desk.principal, flt) if flt is not None else 0
    return result


@router.get("/agent")
def home() -> Response:
    return RedirectResponse("/agent/queues/mine", status_code=303)


@router.get("/agent/queues/{code}")
def queue(
    code: str, desk: DeskDep, db: DB, cursor: Annotated[str | None, Query(max_length=200)] = None, rows: int = 0
) -> Response:
    """One queue, urgent first then the earliest SLA due, ``PAGE`` at a time; ``rows=1`` (the «more»
    link) gives the rows alone."""
    if code not in QUEUE_CODES:
        return RedirectResponse("/agent/queues/mine", status_code=303)
    flt = queue_filter(code, desk.principal, clock.now())
    try:
        found, next_cursor = list_tickets(db, desk.principal, flt, limit=PAGE, cursor=cursor) if flt else ([], None)
    except DomainError:
        found, next_cursor = [], None  # a stale cursor: show the queue's start instead of an error
    template = "agent/_queue_rows.html" if rows else "agent/queue.html"
    context = desk.page(
        queue=QUEUE_CODES[code], queues=QUEUES, counts=counts(db, desk), tickets=found, next_cursor=next_cursor,
        status_names=STATUS, soonest_due=soonest_due, section="queues",
    )  # fmt: skip
    return render(template, lang=desk.lang, **context)


@router.get("/agent/search")
def search(desk: DeskDep, db: DB, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """Tickets by number, outside reference or subject; messages by their words."""
    term = q.replace("\x00", "").strip()
    tickets, _ = list_tickets(db, desk.principal, TicketFilter(q=term), limit=PAGE, cursor=None) if term else ([], None)
    messages = hits(search_messages(db, desk.principal, term, limit=PAGE), desk.lang) if term else []
    context = desk.page(
        q=term, tickets=tickets, messages=messages, queues=QUEUES, counts=counts(db, desk), status_names=STATUS,
        soonest_due=soonest_due, section="search",
    )  # fmt: skip
    return render("agent/search.html", lang=desk.lang, **context)
