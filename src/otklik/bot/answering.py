"""One question, one decision: retrieval, triage and the rules together (read-only).

``answer_question`` serves ``POST /api/v1/bot/answer`` and the evaluation; the bot's turn in a
conversation (``otklik.bot.actions.do_take_turn``) calls it with what the conversation already
holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from otklik.bot.language import analyse, lang_of
from otklik.bot.retrieval import Calibration, Retrieval, corpus_for, index_candidates, retrieve, shipped_calibration
from otklik.bot.rules import Action, Candidate, Conversation, Decision, decide
from otklik.bot.triage_link import Triager, TriageView


@dataclass(frozen=True, slots=True)
class Answer:
    """The bot's verdict on one question. ``handoff`` is true exactly when ``article_id`` is None."""

    decision: Decision
    retrieval: Retrieval
    triage: TriageView
    lang: str

    @property
    def article_id(self) -> int | None:
        return self.decision.article_id if self.decision.action is Action.ANSWER else None

    @property
    def handoff(self) -> bool:
        return self.article_id is None

    @property
    def confidence(self) -> float:
        """The calibrated probability that the best article answers the question (0..1)."""
        return round(min(max(self.decision.confidence, 0.0), 1.0), 4)

    @property
    def best_article_id(self) -> int | None:
        best = self.retrieval.best
        return best.doc.article_id if best is not None else None


def answer_question(
    session: Session,
    text: str,
    *,
    triager: Triager,
    lang: str | None = None,
    conversation: Conversation = Conversation(),  # noqa: B008  (frozen, so one shared default is safe)
    calibration: Calibration | None = None,
) -> Answer:
    """Decide about ``text`` (``lang`` defaults to the text's own language)."""
    cal = calibration or shipped_calibration()
    language = lang or lang_of(text)
    corpus = corpus_for(session, language)
    found = retrieve(text, corpus, index_candidates(session), cal)
    triage = triager(text)
    best = (
        Candidate(found.best.doc.article_id, found.confidence, found.unanswered_part)
        if found.best is not None
        else None
    )
    decision = decide(
        analyse(text), best=best, threshold=cal.threshold, urgent=triage.urgent, conversation=conversation
    )
    return Answer(decision, found, triage, language)
