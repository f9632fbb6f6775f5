"""The mail story over real sockets: smtplib → ``otklik smtpd``'s handler → a ticket in the API →
the agent's reply → a worker round → our relay gets it threaded → the customer's reply lands on
the same ticket. Plus what the listener answers to mail it cannot or must not take.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.adapters.email_parse import MailPolicy
from otklik.cli.mail import MailHandler, start_listener
from otklik.core import clock, jobs
from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent
from otklik.core.taxonomy import Channel
from otklik.messages.models import Attachment, Message, MessageSource
from otklik.tickets.actions import do_open_ticket
from otklik.tickets.models import Ticket
from otklik.worker import registry
from tests.channels.email.conftest import US
from tests.channels.email.support import Sink, free_port, smtp_send
from tests.conftest import Cast

registry.load()

STORED = re.compile(r"^2\.0\.0 OK, stored as message (\d+) on ticket (\d+)$")


def customer_mail(subject: str, message_id: str, body: str, *, sender: str = "Иван Петров <ivan@mail.example>",
                  **headers: str) -> EmailMessage:  # fmt: skip
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = US
    mail["Subject"] = subject
    mail["Date"] = "Mon, 23 Nov 2026 12:00:00 +0300"
    mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail


def stored(reply: tuple[int, str]) -> tuple[int, int]:
    code, text = reply
    assert code == 250, text
    found = STORED.match(text)
    assert found, text
    return int(found.group(2)), int(found.group(1))


def test_mail_in_reply_out_threaded_and_the_answer_lands_on_the_same_ticket(
    client: TestClient, cast: Cast, relay: Sink, listener: int, session_factory: sessionmaker[Session],
    frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    anna = cast.agent_anna
    first = customer_mail(
        "Не пришёл заказ 4512",
        "<c1@mail.example>",
        "Оплатил 1 ноября, заказа нет.\n\n-- \nИван Петров\n+7 900 000-00-00\n",
    )
    first.add_attachment(b"%PDF-1.4 receipt", "application", "pdf", filename="чек.pdf")
    ticket_id, first_id = stored(smtp_send(listener, first))

    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=anna.headers).json()
    assert ticket["channel"] == "email"
    assert ticket["customer"]["name"] == "Иван Петров"
    listed = client.get("/api/v1/tickets", params={"channel": "email"}, headers=cast.admin_olga.headers).json()
    assert ticket_id in [t["id"] for t in listed["items"]]
    (message,) = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=anna.headers).json()["items"]
    assert message["id"] == first_id
    assert message["text"] == "Оплатил 1 ноября, заказа нет."  # the signature is not the customer's words
    with session_factory() as session:
        source = session.get(MessageSource, first_id)
        assert source is not None
        assert source.content_type == "message/rfc822"
        assert b"Message-ID: <c1@mail.example>" in source.content
        names = session.scalars(select(Attachment.filename).where(Attachment.message_id == first_id)).all()
        assert names == ["чек.pdf"]

    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/replies", json={"text": "Заказ у курьера, привезут завтра."}, headers=anna.headers
    )
    assert reply.status_code == 201, reply.text
    jobs.run_due(session_factory, worker="test")
    (out,) = relay.mails
    ours = f"<otklik.{ticket_id}.{reply.json()['id']}@shop.example>"
    assert out["Message-ID"] == ours
    assert out["In-Reply-To"] == "<c1@mail.example>"
    assert "<c1@mail.example>" in out["References"].split()
    assert out["To"] == "ivan@mail.example"
    assert f"[#{ticket_id}]" in out["Subject"]
    sent = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=anna.headers).json()["items"][-1]
    assert sent["delivery"]["state"] == "sent"

    # the customer's client threads on our Message-ID and quotes us below
    answer = customer_mail(
        f"Re: {out['Subject']}",
        "<c2@mail.example>",
        f"Спасибо, жду.\n\nOn Mon, 23 Nov 2026 at 12:10, Анна Финансова <{US}> wrote:\n> Заказ у курьера.\n",
        In_Reply_To=ours,
        References=f"<c1@mail.example> {ours}",
    )
    same_ticket, answer_id = stored(smtp_send(listener, answer))
    assert same_ticket == ticket_id
    items = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=anna.headers).json()["items"]
    assert [m["id"] for m in items][-1] == answer_id
    assert items[-1]["text"] == "Спасибо, жду."

    # our own mail coming back (a forwarding loop) is an echo: accepted, nothing stored
    code, text = smtp_send(listener, relay.raw[0], mail_from=US)
    assert (code, text) == (250, "2.0.0 OK, not stored: echo (our own mail came back)")
    # the customer's server retrying the same mail is a duplicate, not a second message
    code, text = smtp_send(listener, answer)
    assert (code, text) == (250, f"2.0.0 OK, duplicate of message {answer_id} on ticket {ticket_id}")
    assert len(client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=anna.headers).json()["items"]) == 3


def test_a_ticket_number_in_the_subject_counts_only_for_that_customer(
    listener: int, session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    first_ticket, _ = stored(smtp_send(listener, customer_mail("Возврат", "<h1@mail.example>", "Хочу вернуть.")))
    with session_factory() as session:
        ticket = session.get(Ticket, first_ticket)
        assert ticket is not None
        newer = do_open_ticket(session, customer=ticket.customer, channel=Channel.EMAIL, subject="Другой вопрос",
                               actor=Actor.system("tests"), at=clock.now())  # fmt: skip
        session.commit()
        newer_id = newer.id

    # no thread headers: the subject's [#id] picks the older ticket over the newest active one
    hinted, _ = stored(smtp_send(listener, customer_mail(f"Вопрос [#{first_ticket}]", "<h2@mail.example>", "Ну как?")))
    assert hinted == first_ticket
    plain, _ = stored(smtp_send(listener, customer_mail("Вопрос", "<h3@mail.example>", "А без номера?")))
    assert plain == newer_id

    # somebody else quoting that number, or that thread, gets a ticket of their own
    stranger = "Чужой <stranger@mail.example>"
    by_number, _ = stored(smtp_send(listener, customer_mail(f"[#{first_ticket}] мой вопрос", "<s1@mail.example>",
                                                            "Я не Иван.", sender=stranger)))  # fmt: skip
    assert by_number not in {first_ticket, newer_id}
    by_thread, _ = stored(smtp_send(listener, customer_mail("Re: Возврат", "<s2@other.example>", "Я тоже не Иван.",
                                                            sender="other@other.example",
                                                            In_Reply_To="<h1@mail.example>")))  # fmt: skip
    assert by_thread not in {first_ticket, newer_id, by_number}


def test_what_the_listener_answers_to_mail_it_cannot_or_must_not_take(
    listener: int, session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    def count() -> int:
        with session_factory() as session:
            return len(session.scalars(select(Message.id)).all())

    before = count()
    # a sender address intake cannot use: 5xx with the reason, nothing half-written
    code, text = smtp_send(listener, customer_mail("x", "<bad@localhost>", "x", sender="Иван <ivan@localhost>"))
    assert code == 550
    assert text.startswith("5.1.7 ")  # RFC 3463: bad sender's mailbox address syntax, not 5.6.0 (content)
    assert "ivan@localhost" in text or "address" in text.lower()
    # an RFC 5322 quoted local part is a valid address: stored, not refused
    quoted = customer_mail("Приз", "<q1@example.com>", "Вы выиграли!", sender='"Millions Lottery"@example.com')
    assert smtp_send(listener, quoted)[0] == 250
    with session_factory() as session:
        stored = session.scalars(select(Message).where(Message.external_id == "<q1@example.com>")).one()
        assert stored.text == "Вы выиграли!"
    # a bounce (null envelope sender) and an auto-reply are accepted and dropped
    bounce = customer_mail("Undelivered", "<b1@mx.example>", "No such user.", sender="MAILER-DAEMON@mx.example")
    assert smtp_send(listener, bounce, mail_from="")[0] == 250
    away = customer_mail("Re: Заказ", "<a1@mail.example>", "Я в отпуске.", Auto_Submitted="auto-replied")
    assert smtp_send(listener, away)[1] == "2.0.0 OK, not stored: auto_reply (Auto-Submitted: auto-replied)"
    assert count() == before + 1  # the quoted address's mail


def test_a_line_longer_than_rfc_5321_allows_is_taken(listener: int, session_factory: sessionmaker[Session]) -> None:
    """Issue 14: a 5,000-byte line got aiosmtpd's «500 Line too long» before our handler ran, logged
    nowhere, while the IMAP poller takes the same mail. Real senders write HTML on one line."""
    line = "Заказ " + "очень длинная строка без переносов " * 150
    raw = (
        "From: Иван <ivan@mail.example>\r\nTo: support@shop.example\r\nSubject: long\r\n"
        "Message-ID: <long-line@mail.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + line + "\r\n"
    ).encode()
    assert max(len(row) for row in raw.split(b"\r\n")) > 5000
    code, text = smtp_send(listener, raw)
    assert code == 250, text
    with session_factory() as session:
        stored = session.scalars(select(Message).where(Message.external_id == "<long-line@mail.example>")).one()
        assert stored.text == line.strip()


def test_a_reused_message_id_with_other_content_is_a_new_mail(
    listener: int, session_factory: sessionmaker[Session]
) -> None:
    """Issue 14: deduplication on Message-ID alone dropped a different mail that reused the id, with a
    250. A repeat of the same mail is still one message; another mail under the same id is stored."""
    first = customer_mail("Заказ 1", "<reused@mail.example>", "Где заказ 4512?")
    other = customer_mail("Заказ 2", "<reused@mail.example>", "А теперь про возврат 9981.")
    replies = [smtp_send(listener, mail) for mail in (first, first, other, other)]
    assert [code for code, _ in replies] == [250] * 4
    with session_factory() as session:
        texts = session.scalars(
            select(Message.text).where(Message.external_id.startswith("<reused@mail.example>")).order_by(Message.id)
        ).all()
    assert texts == ["Где заказ 4512?", "А теперь про возврат 9981."]


def test_too_big_is_552_and_a_database_outage_is_451_so_the_sender_retries(
    session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    small = start_listener(MailHandler(session_factory, MailPolicy(our_address=US, max_bytes=20_000)), "127.0.0.1",
                           free_port())  # fmt: skip
    broken_engine = create_engine("sqlite:///file:/nonexistent/otklik.db?mode=ro&uri=true")
    broken = start_listener(MailHandler(sessionmaker(broken_engine), MailPolicy(our_address=US)), "127.0.0.1",
                            free_port())  # fmt: skip
    try:
        code, text = smtp_send(int(small.port), customer_mail("Большое", "<big@mail.example>", ("x" * 70 + "\n") * 400))
        assert code == 552, text
        mail = customer_mail("Важное", "<retry@mail.example>", "Не потеряйте.")
        code, text = smtp_send(int(broken.port), mail)
        assert (code, text) == (451, "4.3.0 temporary failure, please try again later")
        _ticket_id, message_id = stored(smtp_send(int(small.port), mail))  # the retry lands
        with session_factory() as session:
            message = session.get(Message, message_id)
            assert message is not None
            assert message.text == "Не потеряйте."
    finally:
        small.stop()
        broken.stop()
        broken_engine.dispose()


def test_a_sender_over_the_rate_limit_is_still_stored_on_their_ticket_never_deferred_or_dropped(
    listener: int, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch,
    frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    """Mail is folded in like every channel's flood (``do_count_sender``): a 250 and the message on the
    sender's ticket, the limit named on its ``message.received`` event; the 452 this listener once had
    for it could no longer happen."""
    from otklik.core.config import get_settings

    monkeypatch.setenv("OTKLIK_RATE_PER_MINUTE", "1")
    get_settings.cache_clear()
    try:
        first = stored(smtp_send(listener, customer_mail("Ещё", "<flood1@mail.example>", "Первое письмо.")))
        second = stored(smtp_send(listener, customer_mail("Ещё", "<flood2@mail.example>", "Второе письмо.")))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert second[0] == first[0]  # the same ticket
    with session_factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "message.received", AuditEvent.entity_id == second[1])
        ).one()
    assert event.data["over_rate"] == "1/minute"
