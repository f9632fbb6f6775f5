"""IMAP polling through the real imaplib client against a small IMAP4rev1 stand-in on 127.0.0.1:
unseen mail is stored, and marked ``\\Seen`` only after the commit; a failure leaves it unseen;
a repeat is a duplicate, never a second message.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.adapters.email_parse import MailPolicy
from otklik.channels.models import ChannelHealth
from otklik.cli.mail import ImapError, _note_channel_error, imap_target, poll_mailbox
from otklik.core import clock
from otklik.messages.models import Message
from tests.channels.email.conftest import US
from tests.channels.email.support import ImapStandIn, Mailbox

POLICY = MailPolicy(our_address=US)


def mail(message_id: str, body: str, *, sender: str = "Ирина <irina@mail.example>", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = US
    message["Subject"] = "Вопрос по заказу"
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes().replace(b"\n", b"\r\n")


def texts(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(Message.text).where(Message.channel == "email").order_by(Message.id)))


def test_unseen_mail_is_stored_then_marked_seen_and_the_rest_left_alone(
    session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    box = Mailbox()
    new = box.add(mail("<i1@mail.example>", "Где посылка?"))
    old = box.add(mail("<i0@mail.example>", "Уже прочитано."), "\\Seen")
    away = box.add(mail("<i2@mail.example>", "Я в отпуске.", Auto_Submitted="auto-replied"))
    nobody = box.add(b"Subject: no sender at all\r\n\r\nhello\r\n")
    with ImapStandIn(box) as server:
        report = poll_mailbox(session_factory, server.url(), POLICY)
        again = poll_mailbox(session_factory, server.url(), POLICY)
    assert (report.fetched, report.stored, report.skipped, report.refused, report.failed) == (3, 1, 1, 1, 0)
    assert texts(session_factory) == ["Где посылка?"]
    assert new.flags == {"\\Seen"}
    assert old.flags == {"\\Seen"}  # never fetched
    assert away.flags == {"\\Seen"}  # an auto-reply is dealt with: read, not stored
    assert nobody.flags == {"\\Seen", "\\Flagged"}  # refused: flagged for a person to look at
    assert again.fetched == 0
    fetches = [c for c in box.commands if c.startswith("UID FETCH")]
    assert fetches
    assert all("BODY.PEEK[]" in c for c in fetches)
    assert "получено 3, сохранено 1, повторов 0, пропущено 1, отклонено 1" in report.summary()
    assert "fetched 3, stored 1, duplicates 0, skipped 1, refused 1, failed 0" in report.summary()


def test_a_failed_commit_leaves_the_mail_unseen_for_the_next_pass(
    session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    box = Mailbox()
    waiting = box.add(mail("<down@mail.example>", "Не потеряйте меня."))
    broken = create_engine("sqlite:///file:/nonexistent/otklik.db?mode=ro&uri=true")
    try:
        with ImapStandIn(box) as server:
            report = poll_mailbox(sessionmaker(broken), server.url(), POLICY)
            assert (report.fetched, report.failed, report.stored) == (1, 1, 0)
            assert waiting.flags == set()
            later = poll_mailbox(session_factory, server.url(), POLICY)
    finally:
        broken.dispose()
    assert later.stored == 1
    assert waiting.flags == {"\\Seen"}
    assert texts(session_factory) == ["Не потеряйте меня."]


def test_stored_but_not_marked_seen_is_a_duplicate_next_time(
    session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    box = Mailbox(fail_next_store=True)
    twice = box.add(mail("<twice@mail.example>", "Один раз, пожалуйста."))
    with ImapStandIn(box) as server:
        first = poll_mailbox(session_factory, server.url(), POLICY)
        assert first.stored == 1
        assert twice.flags == set()
        second = poll_mailbox(session_factory, server.url(), POLICY)
    assert (second.fetched, second.duplicates, second.stored) == (1, 1, 0)
    assert first.tickets == second.tickets
    assert twice.flags == {"\\Seen"}
    assert texts(session_factory) == ["Один раз, пожалуйста."]


def test_wrong_password_missing_folder_and_bad_urls_are_clear_errors(
    session_factory: sessionmaker[Session], frozen_clock: clock.FrozenClock
) -> None:
    box = Mailbox()
    with ImapStandIn(box) as server:
        with pytest.raises(ImapError, match="refused the login"):
            poll_mailbox(session_factory, server.url(password="guess"), POLICY)
        with pytest.raises(ImapError, match="no mailbox Archive"):
            poll_mailbox(session_factory, server.url().replace("/INBOX", "/Archive"), POLICY)
    with pytest.raises(ImapError, match="cannot reach the IMAP server"):
        poll_mailbox(session_factory, server.url(), POLICY)  # the server is gone now
    with pytest.raises(ImapError, match="must look like imaps://"):
        imap_target("https://mail.example/")
    target = imap_target("imaps://desk%40shop.example:p%40ss@imap.shop.example/Support")
    assert (target.tls, target.port, target.user, target.password, target.mailbox) == (
        True, 993, "desk@shop.example", "p@ss", "Support",
    )  # fmt: skip
    _note_channel_error(session_factory, "нет связи / cannot reach")
    with session_factory() as session:
        health = session.get(ChannelHealth, "email")
        assert health is not None
        assert health.last_error == "нет связи / cannot reach"
