"""The workspace as an agent uses it: queues, the ticket page, and every action of the ticket page."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.taxonomy import Channel
from otklik.messages.actions import do_reply
from otklik.messages.models import Message
from otklik.quality.actions import do_set_policy
from otklik.tickets.actions import do_assign
from otklik.tickets.models import Ticket
from tests.web_agent.conftest import Desk, Inbound

CLICHE = "Мы понимаем ваше негодование, постараемся разобраться"
GOOD = "Марина проверила слот: бронь 27318456 есть, ворота 3 примут машину до 11:30."


def _queue_ids(client: TestClient, code: str) -> list[int]:
    return [
        int(n)
        for n in re.findall(r'href="/agent/tickets/(\d+)" class="rowlink"', client.get(f"/agent/queues/{code}").text)
    ]


def _mine(db: Session, ticket: Ticket, desk: Desk) -> Ticket:
    do_assign(db, ticket, desk.marina, actor=Actor.system("tests"), reason="triage")
    db.commit()
    return ticket


def test_queues_hold_what_they_say(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session, frozen_clock: clock.FrozenClock
) -> None:
    mine = _mine(db, inbound("стою на складе, поставку не принимают"), desk)
    pool = inbound("вопрос без ответственного")
    assert _queue_ids(client, "mine") == [mine.id]
    assert pool.id in _queue_ids(client, "unassigned")
    assert mine.id not in _queue_ids(client, "unassigned")
    assert mine.id in _queue_ids(client, "team")
    assert _queue_ids(client, "near_breach") == []
    assert _queue_ids(client, "breached") == []
    frozen_clock.advance(timedelta(minutes=95))  # the first response (2 business hours) is 25 minutes away
    assert set(_queue_ids(client, "near_breach")) == {mine.id, pool.id}
    frozen_clock.advance(timedelta(hours=2))
    assert set(_queue_ids(client, "breached")) >= {mine.id, pool.id}
    assert _queue_ids(client, "near_breach") == []
    page = client.get("/agent/queues/breached").text
    assert re.search(r'Просрочено <span class="count">2</span>', page)


def test_the_unassigned_queue_says_why_empty_is_right(client: TestClient, as_marina: str) -> None:
    page = client.get("/agent/queues/unassigned").text
    assert "Пусто, как и должно быть" in page


def test_follow_ups_due_lists_promises_coming_due(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session, frozen_clock: clock.FrozenClock
) -> None:
    ticket = _mine(db, inbound("жду ответа"), desk)
    until = (clock.now() + timedelta(minutes=30)).astimezone().strftime("%Y-%m-%dT%H:%M")
    del until
    answer = client.post(
        f"/agent/tickets/{ticket.id}/hold",
        data={"csrf_token": as_marina, "until": "2026-11-23T12:50", "promise": "Проверю слот и напишу"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    db.refresh(ticket)
    assert ticket.status == "on_hold"
    assert ticket.hold_promise == "Проверю слот и напишу"
    assert ticket.hold_until is not None
    assert ticket.hold_until.isoformat() == "2026-11-23T09:50:00+00:00"
    assert ticket.id in _queue_ids(client, "follow_ups")


def test_the_ticket_page_tells_the_whole_story(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("стою на складе в Хоругвино"), desk)
    do_reply(db, ticket, agent=desk.marina, text="Проверяю слот, 5 минут", public=True)
    do_reply(db, ticket, agent=desk.marina, text="звоню старшему смены", public=False)
    db.commit()
    page = client.get(f"/agent/tickets/{ticket.id}").text
    assert "стою на складе в Хоругвино" in page
    assert "Илья Воронцов" in page
    assert 'class="delivery d-queued"' in page
    assert "отправляется" in page
    assert "Внутренняя заметка · Марина Складова" in page
    assert page.count('<span class="chan">Telegram</span>') == 3
    assert "Первый ответ" in page
    assert "data-clock" in page
    assert 'Ответственный: <b class="owner">Марина Складова</b>' in page
    assert "при разборе" in page  # why the owner is the owner


def test_a_reply_is_stored_queued_and_shown(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("где поставка?"), desk)
    page = client.get(f"/agent/tickets/{ticket.id}").text
    seen = re.search(r'name="seen_inbound" value="(\d+)"', page)
    assert seen
    data = {"csrf_token": as_marina, "text": GOOD, "mode": "public", "seen_inbound": seen.group(1)}
    answer = client.post(f"/agent/tickets/{ticket.id}/reply", data=data, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/agent/tickets/{ticket.id}#m-")
    stored = db.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())).first()
    assert stored is not None
    assert stored.text == GOOD
    assert stored.delivery_state == "queued"
    assert stored.public
    db.refresh(ticket)
    assert ticket.status == "pending_customer"


def test_a_customer_message_written_while_typing_holds_the_reply_back(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("где поставка?", sender="ilya_w"), desk)
    seen = re.search(r'name="seen_inbound" value="(\d+)"', client.get(f"/agent/tickets/{ticket.id}").text)
    assert seen
    inbound("и ещё: машина уже у ворот", sender="ilya_w")
    data = {"csrf_token": as_marina, "text": GOOD, "mode": "public", "seen_inbound": seen.group(1)}
    held = client.post(f"/agent/tickets/{ticket.id}/reply", data=data)
    assert held.status_code == 409
    assert "Пока вы печатали, клиент написал новое сообщение" in held.text
    assert GOOD in held.text
    assert 'name="confirm_new"' in held.text
    assert (
        db.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.author_agent_id.is_not(None))).first()
        is None
    )
    sent = client.post(f"/agent/tickets/{ticket.id}/reply", data={**data, "confirm_new": "1"}, follow_redirects=False)
    assert sent.status_code == 303


def test_notes_holding_replies_solve_and_reopen(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("где поставка?"), desk)
    base = f"/agent/tickets/{ticket.id}"
    solve = client.post(f"{base}/solve", data={"csrf_token": as_marina})
    assert solve.status_code == 409
    assert "последнее публичное сообщение — от клиента" in solve.text
    note = {"csrf_token": as_marina, "text": "проверить бронь", "mode": "note", "seen_inbound": "0"}
    assert client.post(f"{base}/reply", data=note, follow_redirects=False).status_code == 303
    db.refresh(ticket)
    assert ticket.status == "open"
    holding = {"csrf_token": as_marina, "text": "Проверяю слот, 5 минут", "mode": "holding", "minutes": "5",
               "seen_inbound": "999999999"}  # fmt: skip
    assert client.post(f"{base}/reply", data=holding, follow_redirects=False).status_code == 303
    db.refresh(ticket)
    assert ticket.status == "on_hold"
    assert ticket.hold_promise == "Проверяю слот, 5 минут"
    assert client.post(f"{base}/solve", data={"csrf_token": as_marina}, follow_redirects=False).status_code == 303
    db.refresh(ticket)
    assert ticket.status == "solved"
    assert client.post(f"{base}/reopen", data={"csrf_token": as_marina}, follow_redirects=False).status_code == 303
    db.refresh(ticket)
    assert ticket.status == "open"


def test_transfer_needs_a_reason_and_keeps_it(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("выплата зависла"), desk)
    base = f"/agent/tickets/{ticket.id}"
    refused = client.post(
        f"{base}/transfer", data={"csrf_token": as_marina, "agent_id": str(desk.anna.id), "reason": ""}
    )
    assert refused.status_code == 422
    assert "почему передаёте" in refused.text
    data = {"csrf_token": as_marina, "agent_id": str(desk.anna.id), "reason": "это выплаты, к финансам"}
    assert client.post(f"{base}/transfer", data=data, follow_redirects=False).status_code == 303
    db.refresh(ticket)
    assert ticket.assignee_id == desk.anna.id


def test_take_and_triage(client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session) -> None:
    ticket = inbound("карточку заблокировали")
    base = f"/agent/tickets/{ticket.id}"
    data = {"csrf_token": as_marina, "category": "product_cards", "urgency": "normal"}
    assert client.post(f"{base}/triage", data=data, follow_redirects=False).status_code == 303
    db.refresh(ticket)
    assert (ticket.category, ticket.urgency, ticket.assignee_id) == ("product_cards", "normal", desk.marina.id)
    bad = client.post(f"{base}/triage", data={**data, "category": "nonsense"})
    assert bad.status_code == 422


def test_another_teams_ticket_is_refused_as_a_page(
    client: TestClient, desk: Desk, inbound: Inbound, db: Session
) -> None:
    from tests.web_agent.conftest import log_in

    ticket = inbound("выплата")
    do_assign(db, ticket, desk.anna, actor=Actor.system("tests"), reason="triage")
    db.commit()
    log_in(client, desk.marina.email)
    answer = client.get(f"/agent/tickets/{ticket.id}")
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    assert "чужой команде" in answer.text
    assert client.get("/api/v1/tickets/999999", headers={"Authorization": "Bearer x"}).headers["content-type"] == (
        "application/problem+json"
    )


def test_the_checker_flags_a_stock_reply_as_it_is_typed(client: TestClient, as_marina: str, inbound: Inbound) -> None:
    ticket = inbound("поставку не принимают")
    check = f"/agent/tickets/{ticket.id}/check"
    answer = client.post(check, data={"csrf_token": as_marina, "text": CLICHE, "mode": "public"})
    assert answer.status_code == 200
    assert 'data-flag="cliche" data-level="warn"' in answer.text
    assert 'data-flag="hedging"' in answer.text
    assert '<mark class="f-cliche">Мы понимаем ваше негодование</mark>' in answer.text
    assert "2 замечания к черновику" in answer.text
    clean = client.post(check, data={"csrf_token": as_marina, "text": GOOD, "mode": "public"})
    assert "data-flag" not in clean.text
    assert "Замечаний нет." in clean.text
    note = client.post(check, data={"csrf_token": as_marina, "text": CLICHE, "mode": "note"})
    assert "data-flag" not in note.text  # notes are not checked
    english = client.post(f"{check}?lang=en", data={"csrf_token": as_marina, "text": CLICHE, "mode": "public"})
    assert "2 remarks on this draft" in english.text


def test_a_blocking_channel_keeps_a_flagged_reply_back_until_overridden(
    client: TestClient, as_marina: str, inbound: Inbound, db: Session
) -> None:
    do_set_policy(db, Channel.TELEGRAM, {"cliche": "block"}, actor=Actor.system("tests"))
    db.commit()
    ticket = inbound("поставку не принимают")
    typed = client.post(f"/agent/tickets/{ticket.id}/check", data={"csrf_token": as_marina, "text": CLICHE})
    assert 'data-flag="cliche" data-level="block"' in typed.text
    assert "политика канала не пропускает" in typed.text
    data = {"csrf_token": as_marina, "text": CLICHE, "mode": "public", "seen_inbound": "999999999"}
    held = client.post(f"/agent/tickets/{ticket.id}/reply", data=data)
    assert held.status_code == 422
    assert 'name="override_reason"' in held.text
    banner = re.search(r'<p class="alert" role="alert" id="error">(.*?)</p>', held.text, re.S)
    assert banner
    assert "override_reason" not in banner.group(1)  # issue 12: no API field names in the agent's banner
    assert "почему эти слова здесь уместны" in banner.group(1)
    assert CLICHE in held.text  # the draft is kept
    assert not db.scalars(
        select(Message).where(Message.ticket_id == ticket.id, Message.public, Message.author_agent_id.is_not(None))
    ).first()
    override = {**data, "override_reason": "клиент просил именно так"}
    sent = client.post(f"/agent/tickets/{ticket.id}/reply", data=override, follow_redirects=False)
    assert sent.status_code == 303
    assert (
        client.post(
            f"/agent/tickets/{ticket.id}/reply", data={**data, "text": GOOD}, follow_redirects=False
        ).status_code
        == 303
    )


def test_a_solve_refusal_speaks_to_the_agent_not_to_a_program(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("где поставка?"), desk)
    refused = client.post(f"/agent/tickets/{ticket.id}/solve", data={"csrf_token": as_marina})
    assert refused.status_code == 409
    assert "Сначала ответьте клиенту" in refused.text
    assert "в поле text" not in refused.text


def test_a_long_timeline_is_read_in_windows(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    ticket = _mine(db, inbound("первое"), desk)
    for n in range(260):
        do_reply(db, ticket, agent=desk.marina, text=f"заметка {n}", public=False)
    db.commit()
    page = client.get(f"/agent/tickets/{ticket.id}").text
    assert page.count('class="msg ') == 200
    assert "заметка 259" in page
    assert ">первое</div>" not in page
    first = re.search(r'timeline\?before=(\d+)"', page)
    assert first
    earlier = client.get(f"/agent/tickets/{ticket.id}/timeline?before={first.group(1)}").text
    assert earlier.count('class="msg ') == 61
    assert ">первое</div>" in earlier
    assert "before=" not in earlier


def test_the_ticket_page_costs_a_fixed_number_of_queries(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session, engine: Engine
) -> None:
    """A query-count guard: 60 more messages cost no more queries than 2."""
    ticket = _mine(db, inbound("первое"), desk)

    def count_for(extra: int) -> int:
        for n in range(extra):
            do_reply(db, ticket, agent=desk.marina, text=f"ответ {n}", public=n % 2 == 0)
        db.commit()
        statements: list[str] = []

        def listener(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/agent/tickets/{ticket.id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    few, many = count_for(2), count_for(60)
    assert few == many, "the page's query count grows with the messages"
    assert many <= 30


def test_every_queue_puts_urgent_and_breached_first(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session, frozen_clock: clock.FrozenClock
) -> None:
    """Issue 12, item 5: someone at the warehouse now comes before a question that merely moved last."""
    from otklik.core.taxonomy import Category, Urgency
    from otklik.tickets.actions import do_triage

    urgent = _mine(db, inbound("курьер не приехал, окно сборки закрывается"), desk)
    do_triage(db, urgent, category=Category.SHIPPING, urgency=Urgency.URGENT, owner=None, actor=Actor.system("t"))
    db.commit()
    older = _mine(db, inbound("где посмотреть отчёт о реализации"), desk)
    frozen_clock.advance(timedelta(hours=5))
    newer = _mine(db, inbound("как поменять фото карточки"), desk)
    assert _queue_ids(client, "mine") == [urgent.id, older.id, newer.id]
    assert _queue_ids(client, "team")[:1] == [urgent.id]


def test_a_public_reply_waits_for_publication_and_the_agent_says_where(
    client: TestClient, as_marina: str, desk: Desk, db: Session
) -> None:
    """Issue 12, item 3: a reply to a public post showed «отправляется» forever, with no way to say it
    was posted, while the ticket already said «Ждём клиента»."""
    from otklik.channels.base import InboundMessage
    from otklik.core.taxonomy import IdentityKind
    from otklik.messages.actions import do_receive_inbound

    post = InboundMessage(
        channel=Channel.PUBLIC, external_id="https://otzyvy.example/p/5", sender_kind=IdentityKind.PUBLIC_HANDLE,
        sender_value="angry_buyer", text="Третью неделю нет ответа!", url="https://otzyvy.example/p/5",
    )  # fmt: skip
    ticket = _mine(db, do_receive_inbound(db, post).ticket, desk)
    do_reply(db, ticket, agent=desk.marina, text=GOOD, public=True)
    db.commit()
    db.refresh(ticket)
    assert ticket.status != "pending_customer"
    page = client.get(f"/agent/tickets/{ticket.id}").text
    assert "ждёт публикации" in page
    assert "отправляется" not in page
    form = re.search(r'action="(/agent/tickets/\d+/messages/(\d+)/posted)"', page)
    assert form
    bad = client.post(form.group(1), data={"csrf_token": as_marina, "url": "нет ссылки"}, follow_redirects=False)
    assert bad.status_code == 422
    assert "ссылк" in bad.text
    done = client.post(
        form.group(1), data={"csrf_token": as_marina, "url": "https://otzyvy.example/p/5#r1"}, follow_redirects=False
    )
    assert done.status_code == 303
    db.expire_all()
    stored = db.get(Message, int(form.group(2)))
    assert stored is not None
    assert (stored.delivery_state, stored.url) == ("sent", "https://otzyvy.example/p/5#r1")
    assert db.get(Ticket, ticket.id).status == "pending_customer"  # type: ignore[union-attr]
    assert "ждёт публикации" not in client.get(f"/agent/tickets/{ticket.id}").text


def test_a_closed_ticket_shows_no_countdown_in_search(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    """Issue 12: search showed an SLA countdown on a closed ticket (its resolution due time is kept
    for the record, but nothing runs any more)."""
    from otklik.tickets.actions import do_customer_verdict, do_propose_solution

    ticket = _mine(db, inbound("посылка 77123 не пришла"), desk)
    do_reply(db, ticket, agent=desk.marina, text=GOOD, public=True)
    do_propose_solution(db, ticket, actor=Actor.system("tests"))
    do_customer_verdict(db, ticket, solved=True, actor=Actor.system("tests"))
    db.commit()
    assert ticket.resolution_due_at is not None  # on record
    page = client.get("/agent/search", params={"q": ticket.number}).text
    row = re.search(rf'<li class="row" data-row>.*?/agent/tickets/{ticket.id}".*?</li>', page, re.S)
    assert row
    assert "data-clock" not in row.group(0)


def test_the_workspace_offers_canned_replies_in_its_own_language_only(
    client: TestClient, as_marina: str, desk: Desk, inbound: Inbound, db: Session
) -> None:
    """Issue 12: the Russian workspace offered English canned replies (and the English one Russian)."""
    from otklik.kb.canned import CANNED

    ticket = _mine(db, inbound("где поставка?"), desk)
    russian = client.get(f"/agent/tickets/{ticket.id}").text
    english = client.get(f"/agent/tickets/{ticket.id}", params={"lang": "en"}).text
    for reply in CANNED:
        shown_ru, shown_en = f'value="{reply.id}"' in russian, f'value="{reply.id}"' in english
        assert (shown_ru, shown_en) == (reply.lang == "ru", reply.lang == "en"), reply.id
