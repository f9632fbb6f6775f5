"""``otklik customers forget ID`` and ``otklik retention``: erase a customer's words on request, or
every closed ticket's past its channel's retention; both show what they would erase first."""

from __future__ import annotations

from typing import Annotated

import typer

from otklik.cli.errors import fail
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import DomainError
from otklik.core.taxonomy import Channel
from otklik.privacy.actions import Erased, do_apply_retention, do_forget_customer
from otklik.privacy.rules import parse_retention

customers_app = typer.Typer(help="Клиенты / customers.", no_args_is_help=True)
CLI_ACTOR = Actor.system("cli")


def _say(erased: Erased, done: bool) -> None:
    verb = "Удалено / erased" if done else "Будет удалено (пробный прогон) / would erase (dry run)"
    shown = ", ".join(f"#{t}" for t in erased.ticket_ids[:20]) + (" …" if len(erased.ticket_ids) > 20 else "")
    typer.echo(
        f"{verb}: клиентов / customers {erased.customers}, обращений / tickets {erased.tickets}, "
        f"сообщений / messages {erased.messages}, адресов / addresses {erased.identities}"
        + (f", файлов / files {erased.files}" if done else "")
        + (f"\n  {shown}" if shown else "")
    )


@customers_app.command("forget")
def forget(
    customer_id: Annotated[int, typer.Argument(help="номер клиента / customer id")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="только показать / only show")] = False,
) -> None:
    """Удалить персональные данные клиента, оставив обезличенную статистику / erase a customer's personal
    data (name, addresses, every word of their tickets, files), keeping anonymised statistics."""
    factory = make_session_factory(make_engine(get_settings().database_url))
    try:
        with unit_of_work(factory) as session:
            erased = do_forget_customer(session, customer_id, actor=CLI_ACTOR, dry_run=dry_run)
    except DomainError as error:
        fail(error)
        return
    _say(erased, not dry_run)


def retention(
    apply: Annotated[
        bool, typer.Option("--apply", help="удалить (без него — пробный прогон) / erase (else a dry run)")
    ] = False,
) -> None:
    """Стереть тексты закрытых обращений старше срока хранения канала (OTKLIK_RETENTION) / erase the words
    of closed tickets past their channel's retention; without --apply only shows what it would erase."""
    try:
        policy = parse_retention(get_settings().retention, frozenset(c.value for c in Channel))
    except DomainError as error:
        fail(error)
        return
    if not policy.days:
        typer.echo("OTKLIK_RETENTION не задан: тексты хранятся всегда / not set: words are kept for ever")
        return
    factory = make_session_factory(make_engine(get_settings().database_url))
    with unit_of_work(factory) as session:
        erased = do_apply_retention(session, policy, actor=CLI_ACTOR, dry_run=not apply)
    _say(erased, apply)
