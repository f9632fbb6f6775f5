"""The agent's side of the chat's live state: «печатает…» signals, relayed to the widget's stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from otklik.core import clock
from otklik.core.schemas import MAX_ID
from otklik.tickets.queries import access_ticket
from otklik.web.deps import DB, AgentDep, State
from otklik.web.schemas import AgentTypingIn, TypingOut

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/{ticket_id}/typing", status_code=204)
def agent_typing(
    ticket_id: TicketId, auth: AgentDep, state: State, db: DB, body: AgentTypingIn | None = None
) -> Response:
    """The agent is typing a reply (repeat every few seconds; it fades after six); ``typing: false`` ends it."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    typing = body.typing if body is not None else True
    state.typing.agent(ticket.id, auth.agent.name if typing else None, clock.now())
    return Response(status_code=204)


@router.get("/{ticket_id}/typing", response_model=TypingOut)
def typing_now(ticket_id: TicketId, auth: AgentDep, state: State, db: DB) -> TypingOut:
    """Whether the customer is typing in the web chat now, and which agent is."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    now = clock.now()
    return TypingOut(
        customer_typing=state.typing.customer_typing(ticket.id, now), agent=state.typing.agent_typing(ticket.id, now)
    )
