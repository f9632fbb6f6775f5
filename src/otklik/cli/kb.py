"""``otklik kb …`` (the knowledge base) and ``otklik bot …`` (measuring and tuning the bot)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory, unit_of_work

kb_app = typer.Typer(help="База знаний / knowledge base.", no_args_is_help=True)
bot_app = typer.Typer(help="Бот самообслуживания / self-service bot.", no_args_is_help=True)
CLI_ACTOR = Actor.system("cli")


@kb_app.command("import")
def kb_import(
    path: Annotated[
        Path | None, typer.Option(help="папка с файлами статей / folder of article files (default: the seed set)")
    ] = None,
) -> None:
    """Загрузить статьи (по умолчанию — стартовый набор) / import articles (default: the seed set)."""
    from otklik.kb.seed import ARTICLES, do_import_seed, load_seed

    articles = load_seed(path or ARTICLES)
    with unit_of_work(make_session_factory(make_engine(get_settings().database_url))) as session:
        summary = do_import_seed(session, articles, actor=CLI_ACTOR)
    typer.echo(
        f"Статьи: новых {summary.created}, обновлено {summary.updated}, без изменений {summary.unchanged} / "
        f"articles: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged"
    )


@kb_app.command("reindex")
def kb_reindex() -> None:
    """Перестроить полнотекстовый индекс / rebuild the full-text index."""
    from otklik.kb.actions import do_reindex

    with unit_of_work(make_session_factory(make_engine(get_settings().database_url))) as session:
        count = do_reindex(session)
    typer.echo(f"Проиндексировано статей / articles indexed: {count}")


@contextmanager
def _seeded(articles: Path | None = None) -> Iterator[Session]:
    """A throw-away SQLite database, migrated, holding the seed articles (or those in ``articles``)."""
    from otklik.core.migrate import upgrade
    from otklik.kb.seed import do_import_seed, load_seed

    with tempfile.TemporaryDirectory(prefix="otklik-bot-") as folder:
        url = f"sqlite:///{folder}/eval.db"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            do_import_seed(session, load_seed(articles) if articles else load_seed(), actor=CLI_ACTOR)
        with factory() as session:
            yield session
        engine.dispose()


@bot_app.command("eval")
def bot_eval(
    split: Annotated[
        list[str] | None,
        typer.Option(help="heldout, unseen, tuning, second, foreign (можно несколько / repeatable)"),
    ] = None,
    show: Annotated[bool, typer.Option(help="показать ошибки / list the mistakes")] = False,
    strict: Annotated[bool, typer.Option(help="код 1, если планка не взята / exit 1 below the bar")] = False,
) -> None:
    """Точность, покрытие и передача человеку на размеченных вопросах / precision, coverage and
    hand-off rate on the labelled questions (held-out and unseen by default)."""
    from otklik.bot.evaluation import KNOWLEDGE_BASES, evaluate, load_questions
    from otklik.bot.tasks import current_triager

    splits = split or ["heldout", "unseen", "foreign"]
    failed = False
    triager = current_triager()
    for name in splits:
        questions = load_questions(name)
        if not questions:
            typer.echo(f"{name}: нет вопросов / no questions (the foreign split lives in the source tree)")
            continue
        base = KNOWLEDGE_BASES.get(name)
        with _seeded(base / "articles" if base else None) as session:
            started = time.perf_counter()
            metrics = evaluate(session, questions, triager=triager, split=name)
        per_question = (time.perf_counter() - started) / max(len(questions), 1) * 1000
        typer.echo(f"{metrics.summary()}; {per_question:.1f} мс на вопрос / ms per question")
        failed = failed or not metrics.meets_bar
        if show:
            for text, expected, got in metrics.mistakes:
                typer.echo(f"    {expected} → {got}: {text}")
    if strict and failed:
        raise typer.Exit(code=1)


@bot_app.command("tune")
def bot_tune(
    output: Annotated[Path | None, typer.Option(help="куда записать / where to write calibration.json")] = None,
) -> None:
    """Настроить ранжирование, калибровку и порог на обучающей части / tune ranking, calibration and
    threshold on the tuning split of the demo's knowledge base and on the second shop's (the
    held-out, unseen and foreign questions are never read)."""
    from otklik.bot.evaluation import SECOND, load_questions
    from otklik.bot.retrieval import CALIBRATION
    from otklik.bot.tuning import prepare, save, tune

    with _seeded() as session:
        prepared = prepare(session, load_questions("tuning"))
    if (SECOND / "questions.txt").exists():
        with _seeded(SECOND / "articles") as session:
            prepared += prepare(session, load_questions("second"))
    report = tune(prepared)
    target = output or CALIBRATION
    note = {"splits": ["tuning", "second"], "questions": report.rows, "top1": round(report.top1, 4)}
    save(report.calibration, target, note=note)
    typer.echo(report.summary())
    typer.echo(f"Записано / written: {target}")
