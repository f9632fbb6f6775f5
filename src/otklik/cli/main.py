"""``otklik``: migrate, serve, demo, agents, tokens (the contract's commands)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import otklik.models  # noqa: F401  (every table known before any command touches one)
from otklik.cli import backup, kb, mail, privacy, quality, report, triage
from otklik.cli.errors import fail
from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import DomainError
from otklik.core.i18n import ru_count
from otklik.worker import registry

app = typer.Typer(help="Otklik — честная служба поддержки / an honest support desk.", no_args_is_help=True)
jobs_app = typer.Typer(help="Задания и таймеры / jobs and timers.", no_args_is_help=True)
agents_app = typer.Typer(help="Сотрудники / agents.", no_args_is_help=True)
tokens_app = typer.Typer(help="API-токены / API tokens.", no_args_is_help=True)
app.add_typer(agents_app, name="agents")
app.add_typer(tokens_app, name="tokens")
app.add_typer(jobs_app, name="jobs")
app.add_typer(quality.app, name="quality")
app.add_typer(kb.kb_app, name="kb")
app.add_typer(kb.bot_app, name="bot")
app.add_typer(triage.triage_app, name="triage")
app.command("smtpd")(mail.smtpd)
app.command("imap-poll")(mail.imap_poll)
app.command("report")(report.report)
app.command("export")(backup.export_command)
app.command("import")(backup.import_command)
app.command("retention")(privacy.retention)
app.add_typer(privacy.customers_app, name="customers")

CLI_ACTOR = Actor.system("cli")


@app.callback()
def every_command() -> None:
    """Otklik — честная служба поддержки / an honest support desk."""
    registry.load()  # every job kind known with its limits: a command that schedules one sets them right
    clock.follow_settings()


def _factory() -> sessionmaker[Session]:
    return make_session_factory(make_engine(get_settings().database_url))


@app.command()
def migrate() -> None:
    """Применить миграции / apply database migrations."""
    from otklik.core.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    typer.echo(f"База данных обновлена / database is up to date: {url.split('@')[-1]}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="адрес / host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="порт / port")] = 8000,
    workers: Annotated[int, typer.Option(help="процессов / worker processes")] = 1,
) -> None:
    """Запустить сервер / serve the HTTP API."""
    import uvicorn

    app_factory = "otklik.main:create_served_app"
    trusted = get_settings().trusted_proxies.strip()
    # Forwarded headers only from the proxies named in OTKLIK_TRUSTED_PROXIES: uvicorn's own default
    # believes any client on this machine, who could then pick the address the flood limits count.
    uvicorn.run(
        app_factory, factory=True, host=host, port=port, workers=workers, log_level="warning",
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or "",
    )  # fmt: skip


@app.command()
def demo(
    force: Annotated[
        bool, typer.Option(help="загрузить даже в непустую базу / load into a non-empty database")
    ] = False,
) -> None:
    """Загрузить демо-данные при первом запуске / load the demo data on first start."""
    from otklik.agents.queries import list_agents
    from otklik.demo.load import load_demo
    from otklik.kb.seed import do_import_seed, load_seed
    from otklik.routing.presence import do_set_presence
    from otklik.routing.rules import Presence
    from otklik.tickets.models import Ticket

    with unit_of_work(_factory()) as session:
        existing = session.scalar(select(func.count()).select_from(Ticket)) or 0
        if existing:
            count = ru_count(existing, "обращение", "обращения", "обращений")
            typer.echo(f"Демо-данные уже есть ({count}) / demo data already present ({existing} tickets).")
            return
        summary = load_demo(session)
        articles = do_import_seed(session, load_seed(), actor=CLI_ACTOR)  # the bot answers from these
        for agent in list_agents(session):  # the demo desk is staffed: routing finds people at work
            do_set_presence(session, agent, Presence.ONLINE, actor=CLI_ACTOR)
    typer.echo(f"Демо загружено / demo loaded: {summary}; статей базы знаний / help articles: {articles.created}")


@agents_app.command("create")
def agents_create(
    email: Annotated[str, typer.Option(help="почта / email")],
    name: Annotated[str, typer.Option(help="имя, которое видит клиент / the name customers see")],
    role: Annotated[str, typer.Option(help="admin | lead | agent")] = "agent",
    skills: Annotated[str, typer.Option(help="категории через запятую / comma-separated categories")] = "",
    team: Annotated[str | None, typer.Option(help="команда / team")] = None,
    password: Annotated[str | None, typer.Option(help="пароль для входа / login password")] = None,
) -> None:
    """Создать сотрудника / create an agent."""
    from otklik.agents.actions import do_create_agent

    skill_map = {s.strip(): 1 for s in skills.split(",") if s.strip()}
    try:
        with unit_of_work(_factory()) as session:
            agent = do_create_agent(
                session,
                email=email,
                name=name,
                role=role,
                password=password,
                skills=skill_map,
                teams=[team] if team else [],
                actor=CLI_ACTOR,
            )
            typer.echo(f"Создан сотрудник / agent created: #{agent.id} {agent.name} <{agent.email}> ({agent.role})")
    except DomainError as error:
        fail(error)


@tokens_app.command("create")
def tokens_create(agent: Annotated[str, typer.Option(help="почта сотрудника / the agent's email")]) -> None:
    """Выпустить API-токен (печатается один раз, последней строкой) / mint an API token."""
    from otklik.agents.actions import do_create_token
    from otklik.agents.queries import get_agent_by_email

    try:
        with unit_of_work(_factory()) as session:
            owner = get_agent_by_email(session, agent)
            token = do_create_token(session, owner, actor=CLI_ACTOR, name="cli")
    except DomainError as error:
        fail(error)
        return
    typer.echo("Токен показывается один раз, сохраните его / the token is shown once, keep it:", err=True)
    typer.echo(token)


@app.command()
def worker(
    poll: Annotated[float, typer.Option(help="пауза без заданий, с / idle poll, s")] = 0.5,
    batch: Annotated[int, typer.Option(help="заданий за транзакцию / jobs per transaction")] = 200,
) -> None:
    """Запустить обработчик заданий / run the job worker (timers, deliveries)."""
    import signal
    import threading

    from otklik.worker.loop import run

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo("Обработчик заданий запущен / worker started", err=True)
    run(_factory(), stop, poll=poll, batch=batch)


@jobs_app.command("ping")
def jobs_ping(
    count: Annotated[int, typer.Option(min=1, max=1_000_000, help="сколько / how many")] = 1,
    sleep: Annotated[float, typer.Option(min=0, max=5, help="пауза в задании, с / pause inside each job, s")] = 0.0,
) -> None:
    """Поставить проверочные задания / schedule diagnostic ping jobs (each leaves one audit row)."""
    from otklik.core.jobs import schedule
    from otklik.worker.diagnostics import PING

    with unit_of_work(_factory()) as session:
        for _ in range(count):
            schedule(session, PING, {"sleep": sleep} if sleep else {})
    typer.echo(f"Поставлено заданий / jobs scheduled: {count}")


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str, typer.Option(help="pending | done | failed | cancelled")] = "failed",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """Показать задания (по умолчанию неудавшиеся) / list jobs, failed ones by default."""
    from otklik.core.jobs import list_jobs

    with unit_of_work(_factory()) as session:
        rows = list_jobs(session, state, limit)
        for job in rows:
            typer.echo(f"#{job.id}\t{job.kind}\t{job.state}\tпопыток/attempts {job.attempts}\t{job.last_error or ''}")
        typer.echo(f"Всего / total: {len(rows)}")
