"""``otklik quality``: evaluate the reply checker on the labelled corpus, or check one draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from otklik.quality.corpus import Report

app = typer.Typer(help="Качество ответов / reply quality.", no_args_is_help=True)

BAR_F1 = 0.85  # issue 6: micro-F1 over the flags on data the project has never seen
BAR_GOOD_FLAGGED = 0.05  # …and at most 5% of good replies flagged at all


@app.command("eval")
def evaluate_command(
    split: Annotated[
        str, typer.Option(help="train | dev | heldout | unseen | written | written2 | written2_check | foreign")
    ] = "heldout",
    lang: Annotated[str | None, typer.Option(help="только ru или en / only ru or en")] = None,
    errors: Annotated[bool, typer.Option(help="показать ошибки / list the misses and false alarms")] = False,
    strict: Annotated[bool, typer.Option(help="код 1, если планка не взята / exit 1 below the bar")] = False,
    with_feedback: Annotated[
        bool, typer.Option(help="и на отзывах агентов из базы / also on agents' overrides and dismissals")
    ] = False,
) -> None:
    """Точность и полнота по каждому флагу / per-flag precision, recall and F1 on a corpus split."""
    from otklik.quality.corpus import SPLITS, corpus_checker, evaluate, load_articles, load_foreign, load_items
    from otklik.quality.messages import label

    if split not in (*SPLITS, "foreign"):
        typer.echo(f"Нет такой части корпуса / no such split: {split} ({', '.join(SPLITS)}, foreign)", err=True)
        raise typer.Exit(code=2)
    if split == "foreign":
        chosen, articles = load_foreign()
    else:
        chosen, articles = load_items([split]), load_articles()
    items = [i for i in chosen if lang is None or i.lang == lang]
    report = evaluate(items, corpus_checker(articles))
    typer.echo(f"Корпус / corpus: {split}, {report.items} ответов / replies, {report.good} хороших / good")
    _table(report, label)
    micro = report.micro
    typer.echo(
        f"Хорошие ответы с флагом / good replies flagged: {report.good_flagged}/{report.good} "
        f"= {report.good_flag_rate:.1%}"
    )
    typer.echo(f"Точные границы / exact spans: {report.exact_spans}/{micro.tp}")
    if errors:
        for item_id, kind, what in report.errors:
            typer.echo(f"{item_id}\t{kind}\t{what}")
    met = micro.f1 >= BAR_F1 and report.good_flag_rate <= BAR_GOOD_FLAGGED
    typer.echo(
        ("Планка взята / bar met" if met else "Планка не взята / bar NOT met")
        + f" (micro-F1 ≥ {BAR_F1}, good flagged ≤ {BAR_GOOD_FLAGGED:.0%})"
    )
    if with_feedback:
        _feedback()
    if strict and not met:
        raise typer.Exit(code=1)


def _table(report: Report, label: Callable[[str, str], str]) -> None:
    typer.echo(f"{'флаг / flag':<26}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}  ")
    for code, counts in report.per_code.items():
        typer.echo(
            f"{code:<26}{counts.precision:>7.3f}{counts.recall:>7.3f}{counts.f1:>7.3f}"
            f"{counts.tp:>6}{counts.fp:>5}{counts.fn:>5}  {label(code, 'ru')}"
        )
    micro = report.micro
    typer.echo(
        f"{'micro':<26}{micro.precision:>7.3f}{micro.recall:>7.3f}{micro.f1:>7.3f}{micro.tp:>6}{micro.fp:>5}{micro.fn:>5}"
    )


def _feedback() -> None:
    """Agents' overrides and dismissals from the database as extra labelled examples (gold: the flags
    at the time minus the disputed ones), reported apart: they never count towards the bar."""
    from otklik.core.config import get_settings
    from otklik.core.db import make_engine, make_session_factory
    from otklik.quality.corpus import corpus_checker, evaluate
    from otklik.quality.messages import label
    from otklik.quality.queries import feedback_examples
    from otklik.quality.rules import find_flags

    with make_session_factory(make_engine(get_settings().database_url))() as session:
        examples = feedback_examples(session)
    overrides = sum(e.decision == "override" for e in examples)
    typer.echo(
        f"Отзывы агентов / agents' feedback (не входит в планку / not part of the bar): {len(examples)} "
        f"(обход блокировки / overrides {overrides}, отклонено / dismissals {len(examples) - overrides})"
    )
    if not examples:
        return
    _table(evaluate([e.item for e in examples], corpus_checker({})), label)
    disputed = still = 0
    for example in examples:
        item = example.item
        raised = {f.code for f in find_flags(item.reply, customer_message=item.customer_message, lang=item.lang)}
        disputed += len(example.disputed)
        still += len(set(example.disputed) & raised)
    typer.echo(f"Оспоренные флаги, которые проверка ставит и сейчас / disputed flags still raised: {still}/{disputed}")


@app.command("check")
def check_command(
    reply: Annotated[str, typer.Argument(help="текст черновика / the draft")],
    customer_message: Annotated[str | None, typer.Option(help="сообщение клиента / the customer's message")] = None,
    lang: Annotated[str | None, typer.Option(help="ru | en (язык пояснений / language of the messages)")] = None,
) -> None:
    """Проверить один черновик / check one draft reply."""
    from otklik.quality.checker import check_reply

    result = check_reply(reply, customer_message=customer_message, message_lang=lang)
    if result.ok:
        typer.echo("Замечаний нет / no flags")
        return
    for flag in result.flags:
        typer.echo(f"{flag.code} [{flag.start}:{flag.end}] «{flag.fragment}»\n  {flag.message}")
    raise typer.Exit(code=1)


@app.command("train")
def train_command(
    out: Annotated[str | None, typer.Option(help="куда записать модель / where to write the model")] = None,
) -> None:
    """Обучить модель проверки на размеченном корпусе / retrain the checker's learned detector
    (train, dev, written, written2; heldout, unseen, written2_check and foreign are never read)."""
    from pathlib import Path

    from otklik.quality.model import SHIPPED_MODEL
    from otklik.quality.train import train

    meta = train(Path(out) if out else SHIPPED_MODEL, log=typer.echo)
    typer.echo(f"{meta['examples']} ответов / replies, {meta['sentences']} предложений / sentences")
