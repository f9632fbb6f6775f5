"""Retrieval by meaning and questions in two parts: an article found without a shared word, and a
two-part question answered only when the article answers both parts (else handed off, naming the
part it could not answer)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from otklik.bot.answering import answer_question
from otklik.bot.evaluation import parse_questions
from otklik.bot.language import analyse
from otklik.bot.retrieval import corpus_for, index_candidates, question_parts, rank_candidates
from otklik.bot.rules import Action, Candidate, HandoffReason, decide
from otklik.core.embeddings import sentences
from otklik.kb.seed import ImportSummary

from .conftest import fixed_triage


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Как создать поставку на склад?", 1),
        ("Сколько стоит доставка в Казань и можно ли оплатить её криптовалютой?", 2),
        ("как вернуть товар? а сколько ждать деньги", 2),
        ("How do I return an item and how long does the refund take?", 2),
        ("верните деньги и товар", 1),  # «и» joins two objects, not two asks
    ],
)
def test_question_parts(text: str, parts: int) -> None:
    assert len(question_parts(text)) == parts


def test_an_article_is_found_by_meaning_when_no_word_is_shared(db: Session, seeded: ImportSummary) -> None:
    corpus = corpus_for(db, "ru")
    text = "посылка так и не пришла, где она сейчас"
    by_words = {doc.article_id for doc in corpus.docs.values() if set(text.split()) & set(doc.body_tf)}
    nearest = corpus.nearest(sentences().one(text))
    assert nearest
    assert set(nearest) - by_words  # meaning brings candidates that share no index term
    ranked = rank_candidates(corpus, text, [], index_candidates(db), {"semantic": 1.0})
    assert ranked
    assert ranked[0].semantic > 0.3
    assert "доставк" in ranked[0].doc.title.lower() or "заказ" in ranked[0].doc.title.lower()


def test_a_two_part_question_the_article_answers_in_part_is_handed_off_naming_the_part(
    db: Session, seeded: ImportSummary
) -> None:
    whole = answer_question(db, "Как отменить заказ?", triager=fixed_triage)
    assert whole.decision.action is Action.ANSWER
    part = "можно ли оплатить заказ биткоинами через телеграм"
    split = answer_question(db, f"Как отменить заказ? И {part}?", triager=fixed_triage)
    assert split.retrieval.unanswered_part is not None
    assert "биткоин" in split.retrieval.unanswered_part
    assert split.decision.action is Action.HANDOFF
    if split.retrieval.confidence >= 0.5:  # confident in the article: the unanswered part is the reason
        assert split.decision.reason == HandoffReason.PART_NOT_COVERED
        assert split.decision.signals == (split.retrieval.unanswered_part,)


def test_decide_hands_off_on_an_unanswered_part_only_after_confidence() -> None:
    u = analyse("как отменить заказ и можно ли платить биткоинами")
    covered = decide(u, best=Candidate(7, 0.99), threshold=0.5, urgent=False)
    assert covered.action is Action.ANSWER
    partial = decide(u, best=Candidate(7, 0.99, "можно ли платить биткоинами"), threshold=0.5, urgent=False)
    assert (partial.action, partial.reason) == (Action.HANDOFF, HandoffReason.PART_NOT_COVERED)
    unsure = decide(u, best=Candidate(7, 0.2, "можно ли платить биткоинами"), threshold=0.5, urgent=False)
    assert unsure.reason == HandoffReason.NOT_CONFIDENT


def test_partial_labels_parse_without_their_note() -> None:
    (one,) = parse_questions("partial:order-cancel | Как отменить заказ и платить биткоинами? || биткоины\n")
    assert one.partial
    assert not one.covered
    assert one.text == "Как отменить заказ и платить биткоинами?"
