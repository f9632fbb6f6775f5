"""The bot's write path: its turn in a live conversation, its public answers and its hand-off notes.

``do_take_turn`` reads what the customer wrote since the bot's last turn, decides with
``otklik.bot.rules.decide`` and records the outcome, flushing and never committing:

* an answer is a public outbound message with no agent as author (the bot speaks as the desk),
  queued for delivery like any reply; the ticket waits for the customer
  (``tickets.actions.do_record_bot_reply``). Emits ``bot.answered``.
* a hand-off is an internal note with the reason, the triage result, the articles offered and the
  whole public transcript, so the person who takes over never asks again (stored in Russian with
  its facts, shown in each reader's language: ``otklik.bot.notes``); the ticket stays
  ``new`` or ``open`` (the customer's message has already reopened it). Emits ``bot.handed_off``.
  After a hand-off, or once an agent has written on the ticket, the bot stays silent there.
* a short «спасибо» after an answer is noted (``bot.thanked``); a greeting alone waits for the
  question, which is then read together with it.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.bot.answering import Answer, answer_question
from otklik.bot.language import lang_of
from otklik.bot.models import BotTurn, TurnKind
from otklik.bot.notes import handoff_facts, handoff_text
from otklik.bot.queries import list_turns, new_customer_messages, public_transcript, state_of
from otklik.bot.retrieval import corpus_for
from otklik.bot.rules import Action
from otklik.bot.triage_link import Triager, TriageView
from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.errors import InvalidInput
from otklik.core.i18n import DEFAULT_LANG
from otklik.core.taxonomy import Channel
from otklik.kb.queries import current_version, get_article
from otklik.messages.actions import do_desk_reply
from otklik.messages.models import Direction, Message
from otklik.tickets.models import Ticket
from otklik.tickets.rules import Status

BOT = Actor.system("bot")
#: the channels where a customer waits in a live conversation; mail, forms and public posts get people
LIVE_CHANNELS = frozenset({Channel.WEBCHAT, Channel.TELEGRAM, Channel.VK, Channel.WHATSAPP, Channel.VIBER})
MAX_ARTICLE_CHARS = 3000
CONSIDER = "bot.consider"


def bot_turn_key(ticket_id: int) -> str:
    """The key of a ticket's one pending bot turn: a burst of messages folds into it."""
    return f"bot:{ticket_id}"


_FAQ_TAIL = re.compile(r"\n\s*(?:Частые вопросы|Common questions):[^\n]*\s*$")


def check_question(text: str) -> str:
    """A question worth asking: not blank (422 naming ``text`` otherwise)."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("text_empty", field="text")
    return stripped


def do_take_turn(session: Session, ticket: Ticket, *, triager: Triager, at: datetime | None = None) -> BotTurn | None:
    """The bot's turn after the customer's latest messages on a live-channel ticket; None when it
    has nothing to do (not live, closed, handed off, a person already on it, a greeting alone)."""
    if ticket.channel not in LIVE_CHANNELS or ticket.status == Status.CLOSED.value:
        return None
    state = state_of(session, ticket.id)
    if state.handed_off or state.human_involved:
        return None
    fresh = new_customer_messages(session, ticket.id, state.considered_upto)
    if not fresh:
        return None
    moment = at or clock.now()
    question = "\n".join(m.text for m in fresh)
    if not corpus_for(session, lang_of(question)).size:
        return None  # no published article in the customer's language: no self-service to offer
    answer = answer_question(
        session,
        question,
        triager=_with_ticket_urgency(triager, ticket),
        conversation=state.conversation,
    )
    upto = fresh[-1].id
    match answer.decision.action:
        case Action.ANSWER:
            return do_answer(session, ticket, answer=answer, question=question, upto=upto, at=moment)
        case Action.HANDOFF:
            return do_hand_off(session, ticket, answer=answer, question=question, upto=upto, triager=triager, at=moment)
        case Action.THANKS:
            return _record(session, ticket, TurnKind.THANKED, "thanks", question, upto, answer, None, moment)
    return None  # a greeting alone: wait for the question


def do_answer(session: Session, ticket: Ticket, *, answer: Answer, question: str, upto: int, at: datetime) -> BotTurn:
    """Send the article as a public answer that names it. Emits ``bot.answered``."""
    assert answer.article_id is not None
    article = get_article(session, answer.article_id)
    version = current_version(session, article)
    text = answer_text(article.id, version.title, version.body, version.lang)
    message = do_desk_reply(session, ticket, text=text, public=True, actor=BOT, at=at)
    turn = _record(session, ticket, TurnKind.ANSWERED, "confident", question, upto, answer, message, at)
    turn.article_version = version.version
    audit.record(
        session,
        actor=BOT,
        action="bot.answered",
        entity="message",
        entity_id=message.id,
        ticket_id=ticket.id,
        data={"article_id": article.id, "version": version.version, "confidence": answer.confidence},
        at=at,
    )
    return turn


def do_hand_off(
    session: Session,
    ticket: Ticket,
    *,
    answer: Answer,
    question: str,
    upto: int,
    triager: Triager,
    at: datetime,
) -> BotTurn:
    """Leave the note a person needs to take over at once. Emits ``bot.handed_off``."""
    transcript = public_transcript(session, ticket.id)
    customer_text = "\n".join(m.text for m in transcript if m.direction == Direction.INBOUND.value)
    triage = triager(customer_text or question)
    offered = [t for t in list_turns(session, ticket.id) if t.kind == TurnKind.ANSWERED.value]
    facts = handoff_facts(
        reason=str(answer.decision.reason),
        signals=answer.decision.signals,
        triage=triage,
        offered=[(t.article_id, t.article_version, _title(session, t.article_id)) for t in offered],
        transcript=transcript,
    )
    text = handoff_text(facts, DEFAULT_LANG)
    note = do_desk_reply(session, ticket, text=text, public=False, actor=BOT, at=at, facts=facts)
    turn = _record(session, ticket, TurnKind.HANDED_OFF, str(answer.decision.reason), question, upto, answer, note, at)
    turn.triage = triage.to_json()
    audit.record(
        session,
        actor=BOT,
        action="bot.handed_off",
        entity="ticket",
        entity_id=ticket.id,
        ticket_id=ticket.id,
        data={"reason": str(answer.decision.reason), "note_id": note.id, "triage": triage.to_json()},
        at=at,
    )
    return turn


def answer_text(article_id: int, title: str, body: str, lang: str) -> str:
    """The bot's public answer: which article, its text (without the search hints of a trailing
    «Частые вопросы:» paragraph), and how to reach a person."""
    body = _FAQ_TAIL.sub("", body).rstrip()
    text = body if len(body) <= MAX_ARTICLE_CHARS else body[:MAX_ARTICLE_CHARS].rsplit("\n", 1)[0] + "\n…"
    if lang == "en":
        return (
            f"Help-centre article «{title}» (No. {article_id}) answers this:\n\n{text}\n\n"
            "If this did not help, write «did not help» or «talk to a person» and a support agent "
            "will take over this conversation at once; you will not need to repeat anything."
        )
    return (
        f"На ваш вопрос отвечает статья базы знаний «{title}» (№ {article_id}):\n\n{text}\n\n"
        "Если это не помогло, напишите «не помогло» или «позовите оператора» — разговор сразу "
        "продолжит сотрудник поддержки, повторять вопрос не придётся."
    )


def _title(session: Session, article_id: int | None) -> str:
    if article_id is None:
        return "—"
    return get_article(session, article_id).title


def _with_ticket_urgency(triager: Triager, ticket: Ticket) -> Triager:
    """A ticket an agent (or triage) already marked urgent stays urgent for the bot."""
    if ticket.urgency != "urgent":
        return triager

    def urgent(text: str) -> TriageView:
        found = triager(text)
        return TriageView(found.category or ticket.category, "urgent", found.confidence, found.source)

    return urgent


def _record(
    session: Session,
    ticket: Ticket,
    kind: TurnKind,
    reason: str,
    question: str,
    upto: int,
    answer: Answer,
    message: Message | None,
    at: datetime,
) -> BotTurn:
    turn = BotTurn(
        ticket_id=ticket.id,
        kind=kind.value,
        reason=reason,
        question=question,
        upto_message_id=upto,
        message_id=message.id if message is not None else None,
        article_id=answer.article_id,
        confidence=answer.confidence,
        triage=answer.triage.to_json(),
        created_at=at,
    )
    session.add(turn)
    session.flush()
    if kind is TurnKind.THANKED:
        audit.record(
            session, actor=BOT, action="bot.thanked", entity="ticket", entity_id=ticket.id, ticket_id=ticket.id, at=at
        )
    return turn
