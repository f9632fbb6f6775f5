"""``otklik export FILE`` and ``otklik import FILE``: the whole desk to one file and back (backup,
restore, and the move between SQLite and PostgreSQL), with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from otklik.backup.dump import count_rows, export_file, read_header, restore
from otklik.cli.errors import fail
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import DomainError
from otklik.kb.actions import do_reindex

console = Console(stderr=True)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


def export_command(
    target: Annotated[Path, typer.Argument(help="файл выгрузки (.jsonl.gz) / the export file to write")],
) -> None:
    """Выгрузить всё в один файл / export everything to one file (backup, or a move to another database)."""
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as connection, connection.begin():  # one snapshot of the whole desk
            total = sum(count_rows(connection).values())
            with _bar() as bar:
                task = bar.add_task("выгрузка / export", total=total)
                header = export_file(
                    connection, target, lambda table, n: bar.update(task, advance=n, description=table)
                )
    finally:
        engine.dispose()
    typer.echo(f"Выгружено / exported: {header.rows} строк / rows, {len(header.counts)} таблиц / tables → {target}")


def import_command(
    source: Annotated[Path, typer.Argument(help="файл выгрузки otklik export / a file written by otklik export")],
) -> None:
    """Восстановить выгрузку в пустую базу / restore an export into an empty, migrated database."""
    if not source.is_file():
        typer.echo(f"Нет файла / no such file: {source}", err=True)
        raise typer.Exit(code=2)
    engine = make_engine(get_settings().database_url)
    try:
        header = read_header(source)
        with engine.begin() as connection, _bar() as bar:  # one transaction: all of it or nothing
            task = bar.add_task("восстановление / restore", total=header.rows)
            restore(connection, source, lambda table, n: bar.update(task, advance=n, description=table))
        with unit_of_work(make_session_factory(engine)) as session:
            articles = do_reindex(session)  # the search index is derived, never exported
    except DomainError as error:
        fail(error)
        return
    finally:
        engine.dispose()
    typer.echo(
        f"Восстановлено / restored: {header.rows} строк / rows, {len(header.counts)} таблиц / tables; "
        f"статей в поиске / articles indexed: {articles}"
    )
