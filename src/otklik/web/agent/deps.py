"""What every agent page needs: the agent behind the session cookie, the language, a CSRF-checked form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from otklik.agents.actions import actor_of
from otklik.agents.models import Agent
from otklik.agents.queries import principal_of
from otklik.agents.rules import Principal, Role
from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.errors import Forbidden
from otklik.core.schemas import MAX_ID
from otklik.routing.queries import agent_zone
from otklik.web.agent.session import SessionData, csrf_valid, password_stamp, read_session
from otklik.web.browser import CSRF_FIELD, CSRF_HEADER, LANG_COOKIE, read_form, same_origin
from otklik.web.common import DB, State
from otklik.web.ui import ntr, pick, tr

#: an id in a path, refused with a 422 before it could upset the database driver
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class LoginRequired(Exception):
    """No live session: the page sends the browser to the login form (and back after it)."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(Exception):
    """An unsafe request without this session's token, or from another site's page."""


class AdminOnly(Exception):
    """A page of the admin area asked for by someone who is not an admin."""


def ui_lang(request: Request) -> str:
    return pick(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


@dataclass(frozen=True, slots=True)
class Desk:
    """The logged-in agent as a page handler needs them."""

    agent: Agent
    principal: Principal
    session: SessionData
    lang: str
    #: the agent's time zone (None: the desk's)
    zone: str | None = None

    @property
    def actor(self) -> Actor:
        return actor_of(self.agent)

    @property
    def is_admin(self) -> bool:
        return self.principal.role is Role.ADMIN

    @property
    def sees_reports(self) -> bool:
        """Leads and admins read the support-health reports."""
        return self.principal.role in (Role.ADMIN, Role.LEAD)

    def t(self, message: str, **params: Any) -> str:
        return tr(self.lang, message, **params)

    def nt(self, singular: str, plural: str, count: int, **params: Any) -> str:
        return ntr(self.lang, singular, plural, count, **params)

    def page(self, **context: Any) -> dict[str, Any]:
        """What the layout needs besides the page's own context."""
        reports = self.principal.role in (Role.ADMIN, Role.LEAD)
        return {
            "me": self.agent,
            "csrf": self.session.csrf,
            "is_admin": self.is_admin,
            "sees_reports": reports,
            **context,
        }


def _next_path(request: Request) -> str:
    if request.headers.get("hx-request"):
        current = request.headers.get("hx-current-url", "")
        path = current.split("://", 1)[-1].partition("/")[2]
        return "/" + path if path else "/agent"
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


def session_agent(db: Session, data: SessionData | None) -> Agent | None:
    """The agent whose session ``data`` is, while its stamp holds (no new password, no sign-out since)."""
    if data is None or data.agent_id is None:
        return None
    agent = db.get(Agent, data.agent_id)
    return agent if agent is not None and password_stamp(agent) == data.stamp else None


def _session_desk(request: Request, db: DB, state: State) -> Desk:
    """The agent of a live session; ``LoginRequired`` otherwise (deactivated, new password, expired)."""
    data = read_session(request, state.secret())
    agent = session_agent(db, data)
    if agent is None or not agent.active or data is None:
        raise LoginRequired(_next_path(request))
    return Desk(agent, principal_of(agent), data, ui_lang(request), agent_zone(db, agent.id))


async def get_desk(desk: Annotated[Desk, Depends(_session_desk)]) -> Desk:
    """The page's times are read in the agent's own zone (their routing profile's). Async on purpose:
    set in the request's task, the zone reaches the handler's thread; a sync dependency's would not."""
    clock.view_in(desk.zone)
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def get_admin(desk: DeskDep) -> Desk:
    if not desk.is_admin:
        raise AdminOnly
    return desk


AdminDep = Annotated[Desk, Depends(get_admin)]


def get_lead(desk: DeskDep) -> Desk:
    """Leads and admins (the reports); anyone else gets the page's 403 naming the roles."""
    if not desk.sees_reports:
        raise Forbidden("role_required", role="admin / lead")
    return desk


LeadDep = Annotated[Desk, Depends(get_lead)]


class Fields:
    """A posted form's fields: ``get`` the last value, ``all`` of them, ``number`` or None."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    def get(self, name: str, default: str = "") -> str:
        values = self._values.get(name)
        return values[-1].replace("\x00", "") if values else default

    def all(self, name: str) -> list[str]:
        return [v.replace("\x00", "") for v in self._values.get(name, [])]

    def number(self, name: str) -> int | None:
        raw = self.get(name).strip()
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None

    def flag(self, name: str) -> bool:
        return self.get(name) in {"1", "on", "true", "yes"}


async def checked_form(request: Request, state: State) -> Fields:
    """The posted form, once its CSRF token matches the session's and no other site sent it."""
    if not same_origin(request):
        raise CsrfFailed
    fields = Fields(await read_form(request))
    token = fields.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not csrf_valid(read_session(request, state.secret()), token):
        raise CsrfFailed
    return fields


FormDep = Annotated[Fields, Depends(checked_form)]
