"""Measuring the bot on labelled questions: answer precision, coverage, hand-off on personal cases.

``data/questions.txt`` is split by a hash of each text into ``tuning`` (used by
``otklik.bot.tuning``) and ``heldout`` (never used for tuning); ``data/tuning_extra.txt`` adds
questions to the tuning split only; ``data/unseen.txt`` was written after tuning. ``second``
is another shop's knowledge base (``data/second/articles/``) with its questions, written for tuning by
people who never saw the bot; ``foreign`` is a third shop's (``tests/data/foreign/kb`` in the
source tree), written outside the project and never tuned on. A label is an article slug,
``none`` (no article covers it), ``human`` (a personal case that needs a person) or
``partial:<slug>`` (a two-part question the article answers only in part: the bot must hand off;
the text after `` || `` says which part is missing and is not part of the question).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.bot.answering import answer_question
from otklik.bot.retrieval import Calibration
from otklik.bot.triage_link import Triager
from otklik.kb.models import Article

DATA = Path(__file__).parent / "data"
QUESTIONS = DATA / "questions.txt"
#: written for tuning only: every line belongs to the tuning split
TUNING_EXTRA = DATA / "tuning_extra.txt"
UNSEEN = DATA / "unseen.txt"
SECOND = DATA / "second"
FOREIGN = Path(__file__).resolve().parents[3] / "tests" / "data" / "foreign" / "kb"
#: the folder of each split's own knowledge base: ``articles/*.txt`` and ``questions.txt``
KNOWLEDGE_BASES = {"second": SECOND, "foreign": FOREIGN}
NONE = "none"
HUMAN = "human"
PARTIAL = "partial:"
#: the quality bar of issue 5
MIN_PRECISION = 0.95
MIN_COVERAGE = 0.70
MIN_PERSONAL_HANDOFF = 0.95


@dataclass(frozen=True, slots=True)
class Question:
    label: str
    text: str
    split: str
    #: written for tuning only (``tuning_extra.txt``), not drawn like the users' questions
    extra: bool = False

    @property
    def covered(self) -> bool:
        return self.label not in {NONE, HUMAN} and not self.partial

    @property
    def partial(self) -> bool:
        return self.label.startswith(PARTIAL)


def split_of(text: str) -> str:
    """``tuning`` or ``heldout``, half and half, by a hash of the text (stable across runs)."""
    bucket = int(hashlib.sha256(text.strip().lower().encode()).hexdigest()[:8], 16) % 100
    return "tuning" if bucket < 50 else "heldout"


def parse_questions(text: str, split: str | None = None, *, extra: bool = False) -> list[Question]:
    """``label | text`` lines; ``#`` starts a comment line. ``split`` None: by ``split_of``."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, _, question = line.partition(" | ")
        question = question.partition(" || ")[0].strip()
        if not question:
            raise ValueError(f"no question on line: {line!r}")
        out.append(Question(label.strip(), question, split or split_of(question), extra))
    return out


def load_questions(split: str) -> list[Question]:
    """``tuning``, ``heldout``, ``unseen``, ``second`` or ``foreign`` (empty outside a source tree)."""
    if split == "unseen":
        return parse_questions(UNSEEN.read_text(encoding="utf-8"), "unseen") if UNSEEN.exists() else []
    if split in KNOWLEDGE_BASES:
        path = KNOWLEDGE_BASES[split] / "questions.txt"
        return parse_questions(path.read_text(encoding="utf-8"), split) if path.exists() else []
    split_ones = [q for q in parse_questions(QUESTIONS.read_text(encoding="utf-8")) if q.split == split]
    if split == "tuning" and TUNING_EXTRA.exists():
        split_ones += parse_questions(TUNING_EXTRA.read_text(encoding="utf-8"), "tuning", extra=True)
    return split_ones


@dataclass
class Metrics:
    """The bar: ``precision`` ≥ 0.95, ``coverage`` ≥ 0.70, ``personal_handoff`` ≥ 0.95."""

    split: str
    questions: int = 0
    covered: int = 0
    uncovered: int = 0
    personal: int = 0
    answered: int = 0
    correct: int = 0
    covered_correct: int = 0
    personal_handed_off: int = 0
    partial: int = 0
    partial_handed_off: int = 0
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.answered if self.answered else 1.0

    @property
    def coverage(self) -> float:
        return self.covered_correct / self.covered if self.covered else 0.0

    @property
    def personal_handoff(self) -> float:
        return self.personal_handed_off / self.personal if self.personal else 1.0

    @property
    def partial_handoff(self) -> float:
        return self.partial_handed_off / self.partial if self.partial else 1.0

    @property
    def meets_bar(self) -> bool:
        return (
            self.precision >= MIN_PRECISION
            and self.coverage >= MIN_COVERAGE
            and self.personal_handoff >= MIN_PERSONAL_HANDOFF
        )

    def summary(self) -> str:
        return (
            f"{self.split}: {self.questions} вопросов / questions "
            f"(покрыто / covered {self.covered}, без статьи / no article {self.uncovered}, "
            f"личных / personal {self.personal}); "
            f"точность ответов / answer precision {self.precision:.3f} ({self.correct}/{self.answered}); "
            f"покрытие / coverage {self.coverage:.3f} ({self.covered_correct}/{self.covered}); "
            f"передано человеку из личных / personal handed off {self.personal_handoff:.3f} "
            f"({self.personal_handed_off}/{self.personal}); "
            f"передано из частично покрытых / partly covered handed off {self.partial_handoff:.3f} "
            f"({self.partial_handed_off}/{self.partial})"
        )


def evaluate(
    session: Session,
    questions: list[Question],
    *,
    triager: Triager,
    split: str = "",
    calibration: Calibration | None = None,
) -> Metrics:
    """Ask the bot every question (as a first message) against the articles in ``session``,
    which must hold the seed articles (``otklik kb import``); slugs name the right answers."""
    slugs = {row[0]: row[1] for row in session.execute(select(Article.id, Article.slug)).all()}
    metrics = Metrics(split or (questions[0].split if questions else ""))
    for question in questions:
        result = answer_question(session, question.text, triager=triager, calibration=calibration)
        got = slugs.get(result.article_id) if result.article_id is not None else None
        metrics.questions += 1
        if question.label == HUMAN:
            metrics.personal += 1
            metrics.personal_handed_off += int(result.handoff)
        elif question.partial:
            metrics.partial += 1
            metrics.partial_handed_off += int(result.handoff)
        elif question.label == NONE:
            metrics.uncovered += 1
        else:
            metrics.covered += 1
        if got is not None:
            metrics.answered += 1
            if got == question.label:
                metrics.correct += 1
                metrics.covered_correct += 1
        wrong_answer = got is not None and got != question.label
        missed = question.covered and got is None
        must_hand_off = question.label == HUMAN or question.partial
        if wrong_answer or missed or (must_hand_off and not result.handoff):
            metrics.mistakes.append((question.text, question.label, got or f"handoff:{result.decision.reason}"))
    return metrics
