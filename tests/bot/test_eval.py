"""The quality bar on the held-out split (never used for tuning), through the real database search:
when the bot answers it is right ≥ 95 % of the time, it answers ≥ 70 % of the questions an article
covers, and it hands every personal case to a person (≥ 95 %)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from otklik.bot.evaluation import (
    MIN_COVERAGE,
    MIN_PERSONAL_HANDOFF,
    MIN_PRECISION,
    evaluate,
    load_questions,
    parse_questions,
    split_of,
)
from otklik.bot.triage_link import default_triager
from otklik.kb.seed import ImportSummary


def test_held_out_meets_the_bar(db: Session, seeded: ImportSummary) -> None:
    questions = load_questions("heldout")
    assert len(questions) >= 150
    assert {q.label for q in questions} >= {"none", "human"}
    metrics = evaluate(db, questions, triager=default_triager(), split="heldout")
    assert metrics.precision >= MIN_PRECISION, metrics.summary()
    assert metrics.coverage >= MIN_COVERAGE, metrics.summary()
    assert metrics.personal_handoff >= MIN_PERSONAL_HANDOFF, metrics.summary()


def test_the_splits_do_not_overlap_and_unseen_is_apart() -> None:
    tuning = {q.text for q in load_questions("tuning")}
    heldout = {q.text for q in load_questions("heldout")}
    unseen = {q.text for q in load_questions("unseen")}
    assert tuning
    assert heldout
    assert unseen
    assert not tuning & heldout
    assert not unseen & (tuning | heldout)
    assert all(split_of(text) == "heldout" for text in heldout)
    (one,) = parse_questions("# comment\nnone | можно ли продавать алкоголь\n")
    assert (one.label, one.covered) == ("none", False)


def test_a_knowledge_base_the_bot_was_never_tuned_on(db: Session) -> None:
    """The foreign shop's articles and questions (written outside the project, never tuned on).
    Floors just under today's figures: answers right ≥ 0.90 of the time, every personal case and
    every partly answered two-part question handed to a person."""
    from otklik.bot.evaluation import KNOWLEDGE_BASES
    from otklik.core.actors import Actor
    from otklik.kb.seed import do_import_seed, load_seed

    do_import_seed(db, load_seed(KNOWLEDGE_BASES["foreign"] / "articles"), actor=Actor.system("tests"))
    db.commit()
    questions = load_questions("foreign")
    assert len(questions) >= 200
    assert sum(q.partial for q in questions) >= 10
    metrics = evaluate(db, questions, triager=default_triager(), split="foreign")
    assert metrics.precision >= 0.90, metrics.summary()
    assert metrics.personal_handoff >= MIN_PERSONAL_HANDOFF, metrics.summary()
    assert metrics.partial_handoff >= 0.95, metrics.summary()
    assert metrics.coverage >= 0.18, metrics.summary()
