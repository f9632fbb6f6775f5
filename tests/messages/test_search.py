"""Agents find messages by any form of the words, in any order; never on tickets they may not see."""

from __future__ import annotations

from sqlalchemy.orm import Session

from otklik.agents.queries import principal_of
from otklik.channels.base import InboundMessage
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.core.text import search_stems
from otklik.messages.actions import do_receive_inbound
from otklik.messages.queries import search_messages
from tests.conftest import Cast


def test_stems_cover_russian_and_english_forms() -> None:
    assert search_stems("поставку Поставки ПОСТАВКА") == ["поставк"]
    assert search_stems("payouts payout") == ["payout"]
    assert search_stems("  ") == []


def test_any_form_and_order_finds_the_message(db: Session, cast: Cast) -> None:
    text = "Поставка 4512 не принята складом в Хоругвино, выплаты задерживаются"
    do_receive_inbound(db, InboundMessage(Channel.TELEGRAM, "s-1", IdentityKind.TELEGRAM, "1001", text))
    do_receive_inbound(db, InboundMessage(Channel.TELEGRAM, "s-2", IdentityKind.TELEGRAM, "1002", "Где мой заказ?"))
    db.commit()
    admin = principal_of(cast.admin_olga.agent)
    found = [m.text for m in search_messages(db, admin, "складах поставку принятой")]
    assert found == [text]
    assert [m.text for m in search_messages(db, admin, "ЗАДЕРЖИВАЮТ выплату")] == [text]
    assert search_messages(db, admin, "поставку отменили") == []  # every word must be there
    assert search_messages(db, admin, "100%_") == []  # LIKE wildcards are literal


def test_search_respects_who_may_see(db: Session, cast: Cast) -> None:
    from otklik.tickets.actions import agent_actor, do_assign

    intake = do_receive_inbound(
        db, InboundMessage(Channel.TELEGRAM, "s-3", IdentityKind.TELEGRAM, "1003", "Штраф за поставку")
    )
    do_assign(db, intake.ticket, cast.agent_marina.agent, actor=agent_actor(cast.admin_olga.agent))  # FBO team
    db.commit()
    assert search_messages(db, principal_of(cast.agent_anna.agent), "штраф") == []  # «Финансы» cannot see FBO's
    assert len(search_messages(db, principal_of(cast.agent_marina.agent), "штрафы")) == 1
