"""``otklik report --period 2026-11``: support health in the terminal — the figures per channel (or
team, agent, category), who is under the 30 % line, where the backlog is heading, public complaints
per week and today's staffing. The same figures as ``/agent/analytics`` and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from otklik.analytics.metrics import Dimension, Scope, table, window
from otklik.analytics.outlook import Outlook, outlook
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import DomainError
from otklik.core.taxonomy import label

#: (column, ru, en) of the terminal table; the CSV and the API carry every figure
COLUMNS = (
    ("volume", "Обращений", "Tickets"),
    ("first_response_median_seconds", "Первый ответ, медиана", "First response, median"),
    ("first_response_p90_seconds", "p90", "p90"),
    ("resolution_rate", "Решено", "Resolved"),
    ("confirmed_rate", "Подтверждено", "Confirmed"),
    ("first_contact_rate", "С первого ответа", "First contact"),
    ("reopen_rate", "Переоткрыто", "Reopened"),
    ("satisfaction", "Оценка", "Satisfaction"),
    ("sla_first_response_rate", "SLA ответа", "SLA response"),
    ("promises_kept_rate", "Обещания", "Promises"),
    ("flag_rate", "Замечания", "Flags"),
    ("went_public_rate", "В публичное", "Went public"),
    ("backlog_month", "Ждут > мес.", "Waiting > month"),
)
WORDS = {
    "title": ("Здоровье поддержки", "Support health"),
    "period": ("обращения, созданные", "tickets created"),
    "under": ("ниже черты 30 %", "under the 30% line"),
    "outlook": ("Приходит и решается (в день)", "Arrivals against resolutions (a day)"),
    "channel": ("Канал", "Channel"),
    "team": ("Команда", "Team"),
    "agent": ("Сотрудник", "Agent"),
    "category": ("Категория", "Category"),
    "in": ("Приходит", "In"),
    "out": ("Решается", "Out"),
    "waiting": ("Ждут", "Waiting"),
    "in7": ("Через 7 дней", "In 7 days"),
    "breach": ("Срыв срока", "Breach"),
    "weeks": ("Публичные жалобы по неделям", "Public complaints per week"),
    "growth": ("рост за последнюю полную неделю", "growth in the last complete week"),
    "staffing": ("Не хватает сотрудников сегодня (Эрланг C)", "Agents short today (Erlang C)"),
    "nobody_short": ("сотрудников хватает", "enough agents on shift"),
}


def _word(key: str, lang: str) -> str:
    ru, en = WORDS[key]
    return ru if lang == "ru" else en


def _cell(column: str, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if column.endswith("_seconds"):
        return _duration(float(value), lang)
    if column.endswith("_rate"):
        return f"{value * 100:.0f} %"
    if column == "satisfaction":
        return f"{value:.1f}"
    return str(value)


def _duration(seconds: float, lang: str) -> str:
    minutes, hours, days = ("мин", "ч", "дн") if lang == "ru" else ("min", "h", "d")
    if seconds < 3600:
        return f"{seconds / 60:.0f} {minutes}"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} {hours}"
    return f"{seconds / 86400:.1f} {days}"


def _name(row: dict[str, Any], by: Dimension, lang: str) -> str:
    if by in (Dimension.CHANNEL, Dimension.CATEGORY):
        return label(row["key"], lang) if row["key"] else "—"
    return str(row["label"] or "—")


def health_table(rows: list[dict[str, Any]], by: Dimension, lang: str, title: str) -> Table:
    out = Table(title=title, title_justify="left")
    out.add_column(_word(by.value, lang))
    for _, ru, en in COLUMNS:
        out.add_column(ru if lang == "ru" else en, justify="right")
    for row in rows:
        name = _name(row, by, lang)
        if row.get("below_floor"):
            name = f"[red]{name} ⚠ {_word('under', lang)}[/red]"
        out.add_row(name, *(_cell(column, row[column], lang) for column, _, _ in COLUMNS))
    return out


def outlook_tables(seen: Outlook, lang: str, zone: ZoneInfo) -> list[Table]:
    flows = Table(title=_word("outlook", lang), title_justify="left")
    for key in ("channel", "in", "out", "waiting", "in7", "breach"):
        flows.add_column(_word(key, lang), justify="left" if key == "channel" else "right")
    today = seen.now.astimezone(zone).date()
    for p in seen.projections:
        breach = "—" if p.breach_day is None else f"[red]{today + timedelta(days=p.breach_day)}[/red]"
        rates = (f"{p.flow.arrivals_per_day:.1f}", f"{p.flow.resolutions_per_day:.1f}")
        flows.add_row(label(p.flow.channel, lang), *rates, str(p.flow.backlog), f"{p.backlog[-1]:.0f}", breach)
    weeks = Table(title=_word("weeks", lang), title_justify="left")
    for week in seen.public_weeks:
        weeks.add_column(week.week[-3:] + ("" if week.complete else "*"), justify="right")
    weeks.add_row(*(str(week.count) for week in seen.public_weeks))
    if seen.public_growth is not None:
        weeks.caption = f"{_word('growth', lang)}: {seen.public_growth * 100:+.0f} %"
    staffing = Table(title=_word("staffing", lang), title_justify="left")
    staffing.add_column(_word("channel", lang))
    staffing.add_column("")
    for plan in seen.plans:
        runs = plan.shortfalls
        text = ", ".join(f"+{s.missing} {s.start:02d}:00–{s.end:02d}:00" for s in runs) or _word("nobody_short", lang)
        staffing.add_row(label(plan.channel, lang), f"[red]{text}[/red]" if runs else text)
    return [flows, weeks, staffing]


def report(
    period: Annotated[str | None, typer.Option(help="месяц / a month, YYYY-MM (2026-11)")] = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="иначе последние N дней / else the last N days")] = 28,
    by: Annotated[Dimension, typer.Option(help="строки / rows")] = Dimension.CHANNEL,
    lang: Annotated[str, typer.Option(help="ru | en")] = "ru",
) -> None:
    """Здоровье поддержки за период / support health over a period."""
    settings = get_settings()
    zone = ZoneInfo(settings.desk_timezone)
    now = clock.now()
    console = Console()
    try:
        start, end = window(period, None, None, days, now=now, zone=zone)
    except DomainError as error:
        typer.echo(f"Ошибка: {error.message('ru')}\nError: {error.message('en')}", err=True)
        raise typer.Exit(code=2) from None
    url = settings.reports_database_url or settings.database_url
    with unit_of_work(make_session_factory(make_engine(url))) as session:
        rows = table(session, Scope(start, end, now), by)
        seen = outlook(session, now, zone)
    local = (start.astimezone(zone).date(), (end - timedelta(seconds=1)).astimezone(zone).date())
    title = f"{_word('title', lang)} · {_word('period', lang)} {local[0]} – {local[1]}"
    console.print(health_table(rows, by, lang, title))
    for part in outlook_tables(seen, lang, zone):
        console.print(part)
