"""The self-service bot's verdict on one question (stateless; nothing is stored)."""

from __future__ import annotations

from fastapi import APIRouter

from otklik.api.deps import DB, AuthDep
from otklik.bot.actions import check_question
from otklik.bot.answering import answer_question
from otklik.bot.schemas import AnswerIn, AnswerOut
from otklik.bot.tasks import current_triager

router = APIRouter(prefix="/bot", tags=["bot"])


@router.post("/answer", response_model=AnswerOut)
def answer(body: AnswerIn, db: DB, auth: AuthDep) -> AnswerOut:
    """The article that answers ``text`` when the bot is confident and nothing calls for a person;
    otherwise ``article_id`` is null and ``handoff`` true, with the reason."""
    text = check_question(body.text)
    return AnswerOut.of(answer_question(db, text, triager=current_triager(), lang=body.lang))
