"""Pure access rules: who may see and act on which ticket."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting agent as the rules need it: id, role and team ids."""

    agent_id: int
    name: str
    role: Role
    team_ids: frozenset[int]


def can_see_ticket(who: Principal, *, team_id: int | None, assignee_id: int | None) -> bool:
    """Admins see all; others see their teams' tickets, their own, and the untriaged pool.

    A ticket with no team yet sits in the general triage queue, which every agent
    on duty may pick from; once it has a team, only that team (and its owner) see it.
    """
    if who.role is Role.ADMIN:
        return True
    if assignee_id == who.agent_id:
        return True
    if team_id is None:
        return True
    return team_id in who.team_ids


def can_assign(
    who: Principal, *, target_agent_id: int, target_team_ids: frozenset[int], current_owner_id: int | None
) -> bool:
    """Who may make ``target`` the owner of a ticket.

    Anyone may take a ticket for themselves or hand over their own ticket to a colleague
    (a transfer, with a reason); a lead may assign within their teams; an admin anywhere.
    """
    if who.role is Role.ADMIN:
        return True
    if target_agent_id == who.agent_id:
        return True
    if current_owner_id == who.agent_id:
        return True
    return who.role is Role.LEAD and bool(who.team_ids & target_team_ids)
