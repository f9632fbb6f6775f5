"""``otklik triage train`` and ``otklik triage eval``: the triage model, reproducibly.

``train --ship`` rebuilds the model file shipped in the package from the corpus alone;
plain ``train`` writes this installation's model (``OTKLIK_TRIAGE_MODEL_PATH``) from the corpus
plus the agents' corrections in the database. ``eval`` scores the active model on the held-out
split and the unseen set and prints per-label precision, recall, F1 and confusion matrices.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from otklik.triage.corpus import Example
    from otklik.triage.evaluation import LabelScore, Scores

triage_app = typer.Typer(help="Разбор обращений: модель / triage: the model.", no_args_is_help=True)
console = Console()


def _corrections(held_out: list[Example]) -> list[Example]:
    """Agents' labels from the database, as training examples that outrank the corpus.

    A text that is also in the held-out or unseen set is left out, so evaluation stays honest.
    A database that cannot be read (not migrated yet) means no corrections, said aloud.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from otklik.core.config import get_settings
    from otklik.core.db import make_engine, make_session_factory, unit_of_work
    from otklik.triage.corpus import Example
    from otklik.triage.model import text_key
    from otklik.triage.queries import agent_labels
    from otklik.triage.training import Params

    banned = {text_key(e.text) for e in held_out}
    try:
        with unit_of_work(make_session_factory(make_engine(get_settings().database_url))) as session:
            labels = agent_labels(session)
    except SQLAlchemyError as exc:
        console.print(f"[yellow]Исправления из базы не прочитаны / corrections not read:[/] {type(exc).__name__}")
        return []
    weight = Params().correction_weight
    return [
        Example(label.text, label.category, label.urgency, split="train", source="correction", weight=weight)
        for label in labels
        if text_key(label.text) not in banned
    ]


@triage_app.command("train")
def train(
    out: Annotated[Path | None, typer.Option(help="куда записать модель / where to write the model")] = None,
    ship: Annotated[
        bool, typer.Option(help="пересобрать модель пакета (без базы) / rebuild the shipped model (no database)")
    ] = False,
    corrections: Annotated[bool, typer.Option(help="учесть исправления сотрудников / use agents' corrections")] = True,
    limit: Annotated[
        int | None, typer.Option(min=40, help="только первые N примеров (для проверок) / first N examples only")
    ] = None,
) -> None:
    """Обучить модель разбора / train the triage model (seconds, one CPU core)."""
    from otklik.triage import corpus, training
    from otklik.triage.model import SHIPPED_MODEL, forget_loaded
    from otklik.triage.settings import local_model_path

    target = out or (SHIPPED_MODEL if ship else local_model_path())
    examples = corpus.load_split("train")
    if limit is not None:
        examples = examples[:: max(1, len(examples) // limit)][:limit]
    fixes: list[Example] = []
    if corrections and not ship:
        fixes = _corrections(corpus.load_split("test") + corpus.load_split("unseen"))
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
        job = bar.add_task("обучение / training", total=1.0)
        report = training.train(
            examples + fixes,
            target,
            progress=lambda step, done: bar.update(job, completed=done, description=f"обучение / training: {step}"),
        )
    forget_loaded()
    meta = report.meta
    console.print(
        f"Модель записана / model written: {report.path}\n"
        f"  примеров / examples: {report.examples} "
        f"(исправлений сотрудников / agents' corrections: {report.corrections})\n"
        f"  признаков / features: {report.features}, время / time: {report.seconds:.1f} s\n"
        f"  порог общей очереди / general-queue threshold: {meta['threshold']}, "
        f"порог срочности / urgent threshold: {meta['urgent_threshold']}, "
        f"точность на кросс-валидации / out-of-fold category accuracy: {meta['oof_category_accuracy']}"
    )


def _label_table(title: str, scores: list[LabelScore]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("label / метка", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column.startswith("label") else "right")
    for s in scores:
        table.add_row(s.label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support))
    return table


def _confusion_table(title: str, labels: list[str], matrix: list[list[int]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("true \\ predicted")
    for label in labels:
        table.add_column(label[:8], justify="right")
    for label, row in zip(labels, matrix, strict=True):
        table.add_row(label, *(str(n) if n else "·" for n in row))
    return table


def print_scores(scores: Scores) -> None:
    console.rule(f"[bold]{scores.split}[/] — {scores.size} сообщений / messages")
    console.print(
        f"category accuracy / точность категории: [bold]{scores.category_accuracy:.3f}[/]   "
        f"urgency accuracy / срочность: {scores.urgency_accuracy:.3f}\n"
        f"urgent precision / точность «срочно»: [bold]{scores.urgent_precision:.3f}[/]   "
        f"urgent recall / полнота «срочно»: [bold]{scores.urgent_recall:.3f}[/]\n"
        f"general queue / в общую очередь: {scores.general_share:.1%}, "
        f"accuracy of the rest / точность остальных: {scores.routed_accuracy:.3f}   "
        f"calibration error (ECE): {scores.calibration_error:.3f}   mean / среднее: {scores.mean_ms:.2f} ms"
    )
    console.print(_label_table("category / категория", scores.categories))
    console.print(
        _confusion_table("category confusion / матрица ошибок", scores.category_labels, scores.category_confusion)
    )
    console.print(_label_table("urgency / срочность", scores.urgencies))
    console.print(
        _confusion_table("urgency confusion / матрица ошибок", scores.urgency_labels, scores.urgency_confusion)
    )


@triage_app.command("eval")
def evaluate(
    model: Annotated[Path | None, typer.Option(help="файл модели / model file (default: the active one)")] = None,
    split: Annotated[
        str, typer.Option(help="test | unseen | foreign | train | all (= test + unseen + foreign)")
    ] = "all",
    check: Annotated[
        bool, typer.Option(help="код 1, если отложенная выборка ниже планки / exit 1 below the bar on test")
    ] = False,
) -> None:
    """Оценить модель на отложенной выборке / score the model on held-out data."""
    from otklik.triage import corpus, evaluation
    from otklik.triage.model import get_model

    splits = ["test", "unseen", "foreign"] if split == "all" else [split]
    if any(s not in corpus.SPLITS for s in splits):
        raise typer.BadParameter(f"{split} ∉ test | unseen | foreign | train | all", param_hint="--split")
    loaded = get_model(model)
    console.print(f"Модель / model: {loaded.model_id} ({loaded.meta.get('examples')} примеров / examples)")
    failed = False
    for name in splits:
        examples = corpus.load_split(name)
        if not examples:
            console.print(f"[yellow]{name}: пусто / empty[/]")
            continue
        scores = evaluation.evaluate(loaded, examples, name)
        print_scores(scores)
        if name == "test":
            verdict = "планка взята / meets the bar" if scores.meets_bar() else "НИЖЕ ПЛАНКИ / BELOW THE BAR"
            console.print(
                f"[bold]{verdict}[/]: category ≥ {evaluation.BAR_CATEGORY_ACCURACY}, "
                f"urgent recall ≥ {evaluation.BAR_URGENT_RECALL}, precision ≥ {evaluation.BAR_URGENT_PRECISION}"
            )
            failed = failed or not scores.meets_bar()
        if name == "foreign":
            verdict = "планка взята / meets the bar" if scores.meets_foreign_bar() else "НИЖЕ ПЛАНКИ / BELOW THE BAR"
            console.print(
                f"[bold]{verdict}[/] (foreign): category ≥ {evaluation.FOREIGN_CATEGORY_ACCURACY}, "
                f"urgent recall ≥ {evaluation.FOREIGN_URGENT_RECALL}, precision ≥ {evaluation.BAR_URGENT_PRECISION}, "
                f"calibration error ≤ {evaluation.FOREIGN_CALIBRATION_ERROR}"
            )
    if check and failed:
        raise typer.Exit(code=1)
