"""The bot's hand-off note reads in the viewer's language (issue 12): it used to be Russian and English
side by side in both workspaces. Stored once, in Russian, with its facts; each page renders it."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from otklik.bot.actions import BOT
from otklik.bot.notes import handoff_facts, handoff_text, shown_text
from otklik.bot.queries import public_transcript
from otklik.bot.triage_link import TriageView
from otklik.core.actors import Actor
from otklik.messages.actions import do_desk_reply
from otklik.messages.models import Message
from otklik.tickets.actions import do_assign
from tests.web_agent.conftest import Desk, Inbound

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
NOTE = re.compile(r'<div class="text">([^<]*Бот передаёт[^<]*|[^<]*The bot hands[^<]*)</div>')


def _handed_off(db: Session, inbound: Inbound, desk: Desk) -> Message:
    """A ticket whose customer asked for a person after the bot offered an article (as ``do_hand_off`` leaves it)."""
    ticket = inbound("позовите человека, пожалуйста")
    do_assign(db, ticket, desk.marina, actor=Actor.system("tests"), reason="triage")
    facts = handoff_facts(
        reason="asked_for_person",
        signals=("позовите",),
        triage=TriageView("orders", "normal", 0.83, "model"),
        offered=[(7, 2, "Сколько хранится заказ")],
        transcript=public_transcript(db, ticket.id),
    )
    note = do_desk_reply(db, ticket, text=handoff_text(facts, "ru"), public=False, actor=BOT, facts=facts)
    db.commit()
    return note


def _note_on_page(page: str) -> str:
    found = NOTE.search(page)
    assert found, "no hand-off note on the page"
    return html.unescape(found.group(1))


def test_the_english_workspace_reads_the_note_in_english_and_the_russian_one_in_russian(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    note = _handed_off(db, inbound, desk)
    english = _note_on_page(client.get(f"/agent/tickets/{note.ticket_id}", params={"lang": "en"}).text)
    assert english.startswith("The bot hands this conversation to a person\nReason: the customer asked for a person")
    assert "Triage: Orders and delivery; urgency: Normal; confidence 0.83" in english
    assert "Articles the bot offered: No. 7" in english
    assert "Customer: позовите человека, пожалуйста" in english
    outside_data = english.replace("Сколько хранится заказ", "").replace("позовите человека, пожалуйста", "")
    outside_data = outside_data.replace("позовите", "")
    assert not CYRILLIC.search(outside_data), outside_data

    russian = _note_on_page(client.get(f"/agent/tickets/{note.ticket_id}", params={"lang": "ru"}).text)
    assert russian == note.text  # the stored text is the desk's default language
    assert russian.startswith("Бот передаёт разговор сотруднику\nПричина: клиент просит оператора (позовите)")
    assert "№ 7 «Сколько хранится заказ» (v2)" in russian
    for english_word in ("The bot hands", "Reason", "Triage"):
        assert english_word not in russian

    timeline = client.get(f"/agent/tickets/{note.ticket_id}/timeline", params={"lang": "en"}).text
    assert "The bot hands this conversation to a person" in timeline
    assert "Бот передаёт" not in timeline
    found = client.get("/agent/search", params={"q": "оператора", "lang": "en"}).text  # search reads the stored text
    assert "The bot hands this conversation to a person" in found
    assert "Бот передаёт" not in found


def test_a_message_without_facts_reads_as_stored(db: Session, inbound: Inbound) -> None:
    ticket = inbound("здравствуйте")
    (message,) = public_transcript(db, ticket.id)
    assert shown_text(message, "en") == message.text == "здравствуйте"
