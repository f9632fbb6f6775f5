"""The agent's side of the chat's live state: «печатает…» signals, relayed to the widget's stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from otklik.agents.models import Agent
from otklik.agents.queries import agent_for_token, principal_of
from otklik.agents.rules import Principal
from otklik.core import clock
from otklik.core.errors import Unauthorized
from otklik.core.schemas import MAX_ID
from otklik.tickets.queries import access_ticket
from otklik.web.common import DB, State
from otklik.web.schemas import AgentTypingIn, TypingOut


@dataclass(frozen=True, slots=True)
class AgentAuth:
    agent: Agent
    principal: Principal


def get_agent_auth(request: Request, db: DB) -> AgentAuth:
    """The agent behind ``Authorization: Bearer``, exactly as the API checks it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("auth_required")
    agent = agent_for_token(db, token.strip())
    if agent is None:
        raise Unauthorized("token_invalid")
    if not agent.active:
        raise Unauthorized("agent_inactive", name=agent.name)
    return AgentAuth(agent, principal_of(agent))


AgentDep = Annotated[AgentAuth, Depends(get_agent_auth)]


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
