"""Admin pages: channels (inactivity windows, credentials, reply policy, health), agents (roles,
skills, capacities, teams), teams, SLA policies and business calendars. Admins only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from otklik.agents.actions import do_create_agent, do_ensure_team, do_update_agent
from otklik.agents.queries import get_agent, list_agents, list_teams
from otklik.channels.actions import do_set_inactivity
from otklik.channels.queries import health_view, settings_view
from otklik.core.config import Settings, get_settings
from otklik.core.errors import DomainError
from otklik.core.i18n import one_language
from otklik.core.taxonomy import Category, Channel, Urgency
from otklik.quality.actions import do_set_policy
from otklik.quality.messages import label as quality_label
from otklik.quality.policy import LEVELS
from otklik.quality.queries import policy_view
from otklik.tickets.actions import do_follow_channel_window
from otklik.timers.actions import do_create_calendar, do_create_policy
from otklik.timers.queries import list_calendars, list_policies
from otklik.web.agent.deps import AdminDep, Desk, Fields, FormDep, PathId
from otklik.web.common import DB
from otklik.web.ui import render

router = APIRouter(include_in_schema=False)
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
WEEKDAYS = 7


def _desk_secret(settings: Settings) -> str | None:
    """The desk secret counts as set when configured or when the desk generated it into its file
    (``otklik.core.secret``): saying «not set» then would be a status that did not happen."""
    if settings.secret_key:
        return settings.secret_key
    return "generated" if Path(settings.secret_key_file).is_file() else None


def credentials(settings: Settings) -> dict[str, list[tuple[str, bool]]]:
    """Per channel: the environment variables its keys come from, and whether each is set (never the value)."""
    pairs: dict[str, list[tuple[str, str | None]]] = {
        "email": [("OTKLIK_SMTP_URL", settings.smtp_url), ("OTKLIK_IMAP_URL", settings.imap_url)],
        "telegram": [
            ("OTKLIK_TELEGRAM_BOT_TOKEN", settings.telegram_bot_token),
            ("OTKLIK_TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret),
        ],
        "vk": [("OTKLIK_VK_ACCESS_TOKEN", settings.vk_access_token), ("OTKLIK_VK_SECRET", settings.vk_secret)],
        "whatsapp": [
            ("OTKLIK_WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token),
            ("OTKLIK_WHATSAPP_APP_SECRET", settings.whatsapp_app_secret),
        ],
        "viber": [("OTKLIK_VIBER_AUTH_TOKEN", settings.viber_auth_token)],
        "webchat": [("OTKLIK_SECRET_KEY", _desk_secret(settings))],
        "webform": [("OTKLIK_SECRET_KEY", _desk_secret(settings))],
        "public": [("OTKLIK_PUBLIC_FEED_URLS", settings.public_feed_urls)],
    }
    return {channel: [(name, bool(value)) for name, value in items] for channel, items in pairs.items()}


def _page(
    desk: Desk, name: str, *, status: int = 200, error: str = "", saved: bool = False, **context: Any
) -> Response:
    return render(f"admin/{name}.html", lang=desk.lang, status=status, error=error, saved=saved,
                  **desk.page(section="admin", tab=name, **context))  # fmt: skip


def _save(
    db: Session, desk: Desk, change: Callable[[], None], back: str, again: Callable[[str, int], Response]
) -> Response:
    try:
        change()
        db.commit()
    except DomainError as refused:
        db.rollback()
        return again(refused.message(desk.lang, page=True), refused.status)
    return RedirectResponse(f"{back}?saved=1", status_code=303)


@router.get("/admin")
def admin_home(desk: AdminDep) -> Response:
    return RedirectResponse("/admin/channels", status_code=303)


def channels_page(db: Session, desk: Desk, *, status: int = 200, error: str = "", saved: bool = False) -> Response:
    health = {row["channel"]: row for row in health_view(db)}
    rows = [
        {"settings": settings_view(db, c), "health": health[c.value], "policy": policy_view(db, c)} for c in Channel
    ]
    return _page(desk, "channels", status=status, error=error, saved=saved, rows=rows,
                 credentials=credentials(get_settings()), units=UNITS,
                 flag_label=lambda code: quality_label(code, desk.lang),
                 in_lang=lambda note: one_language(note, desk.lang))  # fmt: skip


@router.get("/admin/channels")
def channels(desk: AdminDep, db: DB, saved: int = 0) -> Response:
    return channels_page(db, desk, saved=bool(saved))


@router.post("/admin/channels/{channel}")
def channel_window(channel: Channel, desk: AdminDep, form: FormDep, db: DB) -> Response:
    """A new inactivity window; solved tickets on the channel follow it at once."""
    amount, unit = form.number("amount"), UNITS.get(form.get("unit"), 0)
    if amount is None or not unit:
        return channels_page(db, desk, status=422, error=desk.t("Give the window as a whole number."))

    def change() -> None:
        do_set_inactivity(db, channel, amount * unit, actor=desk.actor)
        do_follow_channel_window(db, channel.value)

    return _save(db, desk, change, "/admin/channels", lambda e, s: channels_page(db, desk, status=s, error=e))


@router.post("/admin/channels/{channel}/quality")
def channel_quality(channel: Channel, desk: AdminDep, form: FormDep, db: DB) -> Response:
    """Warn or block, per checker flag, for replies going out on the channel."""
    codes = policy_view(db, channel)["levels"]
    choices = {code: form.get(f"level_{code}") for code in codes if form.get(f"level_{code}") in LEVELS}

    def change() -> None:
        do_set_policy(db, channel, choices, actor=desk.actor)

    return _save(db, desk, change, "/admin/channels", lambda e, s: channels_page(db, desk, status=s, error=e))


def _skills(raw: str) -> dict[str, int]:
    """``shipping:2, finance`` → ``{"shipping": 2, "finance": 1}``; a bad level becomes 0 (refused later)."""
    skills: dict[str, int] = {}
    for part in raw.replace(";", ",").split(","):
        code, _, level = part.strip().partition(":")
        if code:
            digits = level.strip()
            skills[code.strip()] = int(digits) if digits.isascii() and digits.isdigit() else (0 if digits else 1)
    return skills


def _names(raw: str) -> list[str]:
    return [name.strip()[:100] for name in raw.split(",") if name.strip()]


def agents_page(db: Session, desk: Desk, *, status: int = 200, error: str = "", saved: bool = False) -> Response:
    return _page(desk, "agents", status=status, error=error, saved=saved, agents=list_agents(db),
                 categories=list(Category))  # fmt: skip


@router.get("/admin/agents")
def agents(desk: AdminDep, db: DB, saved: int = 0) -> Response:
    return agents_page(db, desk, saved=bool(saved))


@router.post("/admin/agents")
def create_agent(desk: AdminDep, form: FormDep, db: DB) -> Response:
    def change() -> None:
        do_create_agent(
            db, email=form.get("email")[:320], name=form.get("name")[:200], role=form.get("role"),
            password=form.get("password")[:1000] or None, skills=_skills(form.get("skills")),
            teams=_names(form.get("teams")), capacity=form.number("capacity") or 8, actor=desk.actor,
        )  # fmt: skip

    return _save(db, desk, change, "/admin/agents", lambda e, s: agents_page(db, desk, status=s, error=e))


@router.post("/admin/agents/{agent_id}")
def update_agent(agent_id: PathId, desk: AdminDep, form: FormDep, db: DB) -> Response:
    def change() -> None:
        agent = get_agent(db, agent_id)
        capacity = form.number("capacity")
        do_update_agent(
            db, agent, role=form.get("role"), capacity=capacity if capacity is not None else -1,
            active=form.flag("active"), skills=_skills(form.get("skills")), teams=_names(form.get("teams")),
            actor=desk.actor,
        )  # fmt: skip

    return _save(db, desk, change, "/admin/agents", lambda e, s: agents_page(db, desk, status=s, error=e))


def teams_page(db: Session, desk: Desk, *, status: int = 200, error: str = "", saved: bool = False) -> Response:
    members: dict[int, list[str]] = {}
    for agent in list_agents(db):
        for team in agent.teams:
            members.setdefault(team.id, []).append(agent.name)
    return _page(desk, "teams", status=status, error=error, saved=saved, teams=list_teams(db), members=members)


@router.get("/admin/teams")
def teams(desk: AdminDep, db: DB, saved: int = 0) -> Response:
    return teams_page(db, desk, saved=bool(saved))


@router.post("/admin/teams")
def create_team(desk: AdminDep, form: FormDep, db: DB) -> Response:
    name = " ".join(form.get("name").split())[:100]
    if not name:
        return teams_page(db, desk, status=422, error=desk.t("Give the team a name."))

    def change() -> None:
        do_ensure_team(db, name, actor=desk.actor)

    return _save(db, desk, change, "/admin/teams", lambda e, s: teams_page(db, desk, status=s, error=e))


def sla_page(db: Session, desk: Desk, *, status: int = 200, error: str = "", saved: bool = False) -> Response:
    return _page(desk, "sla", status=status, error=error, saved=saved, policies=list_policies(db),
                 calendars=list_calendars(db), categories=list(Category), urgencies=list(Urgency))  # fmt: skip


@router.get("/admin/sla")
def sla(desk: AdminDep, db: DB, saved: int = 0) -> Response:
    return sla_page(db, desk, saved=bool(saved))


def _minutes(form: Fields, name: str) -> int:
    value = form.number(name)
    return value if value is not None else 0


@router.post("/admin/sla/policies")
def create_policy(desk: AdminDep, form: FormDep, db: DB) -> Response:
    urgency = form.get("urgency") if form.get("urgency") in {u.value for u in Urgency} else None
    category = form.get("category") if form.get("category") in {c.value for c in Category} else None
    limits = [_minutes(form, n) for n in ("first_response_minutes", "next_response_minutes", "resolution_minutes")]
    name = form.get("name").strip()[:100]
    if not name or not all(1 <= m <= 525_600 for m in limits):
        return sla_page(db, desk, status=422, error=desk.t("Give a name and every target in minutes (at least 1)."))

    def change() -> None:
        do_create_policy(
            db, name=name, urgency=urgency, category=category, org_tier=form.get("org_tier").strip()[:20] or None,
            first_response_minutes=limits[0], next_response_minutes=limits[1], resolution_minutes=limits[2],
            calendar_id=form.number("calendar_id"), actor=desk.actor,
        )  # fmt: skip

    return _save(db, desk, change, "/admin/sla", lambda e, s: sla_page(db, desk, status=s, error=e))


def _week(form: Fields) -> list[list[list[str]]]:
    """Working hours from the form: one ``HH:MM-HH:MM`` range for the checked weekdays (Monday first)."""
    start, _, end = form.get("hours").partition("-")
    days = set(form.all("days"))
    return [[[start.strip(), end.strip()]] if str(day) in days else [] for day in range(WEEKDAYS)]


@router.post("/admin/sla/calendars")
def create_calendar(desk: AdminDep, form: FormDep, db: DB) -> Response:
    name = form.get("name").strip()[:100]
    if not name:
        return sla_page(db, desk, status=422, error=desk.t("Give the calendar a name."))
    always = form.flag("always_open")

    def change() -> None:
        do_create_calendar(
            db, name=name, timezone=form.get("timezone").strip()[:64] or "Europe/Moscow",
            hours=[] if always else _week(form), holidays=_names(form.get("holidays")), always_open=always,
            actor=desk.actor,
        )  # fmt: skip

    return _save(db, desk, change, "/admin/sla", lambda e, s: sla_page(db, desk, status=s, error=e))
