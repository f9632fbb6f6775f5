"""How a command reports a refusal: the domain's message in Russian and English, exit code 2."""

from __future__ import annotations

import typer

from otklik.core.errors import DomainError


def fail(error: DomainError) -> None:
    typer.echo(f"Ошибка: {error.message('ru')}\nError: {error.message('en')}", err=True)
    raise typer.Exit(code=2)
