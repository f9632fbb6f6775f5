"""Reading a conversation as the bot needs it: its turns, the customer's new messages, the transcript."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.bot.models import BotTurn, TurnKind
from otklik.bot.rules import Conversation
from otklik.messages.models import Direction, Message


@dataclass(frozen=True, slots=True)
class State:
    """The bot's standing on a ticket."""

    conversation: Conversation
    #: the last customer message already considered (0: none yet)
    considered_upto: int
    handed_off: bool
    #: an agent has written on the ticket (a reply or a note): the conversation is a person's now
    human_involved: bool


def list_turns(session: Session, ticket_id: int) -> list[BotTurn]:
    return list(session.scalars(select(BotTurn).where(BotTurn.ticket_id == ticket_id).order_by(BotTurn.id)))


def state_of(session: Session, ticket_id: int) -> State:
    turns = list_turns(session, ticket_id)
    answered = [t for t in turns if t.kind == TurnKind.ANSWERED.value]
    human = session.scalar(
        select(Message.id).where(Message.ticket_id == ticket_id, Message.author_agent_id.is_not(None)).limit(1)
    )
    return State(
        conversation=Conversation(
            offered=frozenset(t.article_id for t in answered if t.article_id is not None),
            questions=tuple(t.question for t in answered),
            answered=bool(answered),
        ),
        considered_upto=max((t.upto_message_id for t in turns), default=0),
        handed_off=any(t.kind == TurnKind.HANDED_OFF.value for t in turns),
        human_involved=human is not None,
    )


def new_customer_messages(session: Session, ticket_id: int, after_id: int) -> list[Message]:
    """The customer's messages on the ticket newer than ``after_id``, oldest first."""
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.ticket_id == ticket_id,
                Message.direction == Direction.INBOUND.value,
                Message.id > after_id,
            )
            .order_by(Message.id)
        )
    )


def public_transcript(session: Session, ticket_id: int) -> list[Message]:
    """Every public message of the ticket, oldest first (internal notes left out)."""
    return list(
        session.scalars(
            select(Message).where(Message.ticket_id == ticket_id, Message.public.is_(True)).order_by(Message.id)
        )
    )
