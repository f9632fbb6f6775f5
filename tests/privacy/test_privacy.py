"""The customer's data (issue 14): a customer forgotten on request leaves nothing personal anywhere in
the database while the support figures of the past stay; retention erases closed tickets' words by
channel and age; both show first what they would do."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.backup.dump import export
from otklik.channels.base import InboundAttachment, InboundMessage
from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent
from otklik.core.errors import Conflict, DomainError
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.models import Customer, Identity
from otklik.messages.actions import do_receive_inbound, do_reply
from otklik.messages.models import Attachment, Message
from otklik.privacy.actions import do_apply_retention, do_forget_customer
from otklik.privacy.rules import ERASED, FORGOTTEN_NAME, Retention, parse_retention
from otklik.tickets.models import Ticket
from tests.conftest import Cast

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
ACTOR = Actor.system("tests")
SECRET_BYTES = b"%PDF-1.4 passport scan \x00\xff"


def mail(sender: str, name: str, text: str, key: str, attachment: bool = False) -> InboundMessage:
    return InboundMessage(
        channel=Channel.EMAIL, external_id=f"<{key}@mail.example>", sender_kind=IdentityKind.EMAIL,
        sender_value=sender, display_name=name, text=text, subject=f"Тема {key}",
        attachments=(InboundAttachment("паспорт.pdf", "application/pdf", SECRET_BYTES),) if attachment else (),
        source=f"From: {sender}\r\n\r\n{text}".encode(), source_type="message/rfc822",
    )  # fmt: skip


def closed(db: Session, ticket: Ticket, days_ago: int) -> None:
    ticket.status = "closed"
    ticket.closed_at = NOW - timedelta(days=days_ago)
    db.flush()


def everything(db: Session) -> str:
    """The whole database as the export writes it: where a forgotten person must not be found."""
    stream = io.BytesIO()
    export(db.connection(), stream)
    return gzip.decompress(stream.getvalue()).decode()


@pytest.fixture
def people(db: Session, cast: Cast) -> tuple[Ticket, Ticket]:
    """Ivan, with a closed case (a file, an agent's reply quoting him) and Maria, who stays."""
    words = "Паспорт 4510 123456 во вложении, заказ 98765"
    ivan = do_receive_inbound(db, mail("ivan.petrov@mail.example", "Иван Петров", words, "i1", attachment=True), at=NOW)
    do_reply(db, ivan.ticket, agent=cast.agent_marina.agent, text="Иван Петров, паспорт получили", public=True, at=NOW)
    maria = do_receive_inbound(db, mail("maria@mail.example", "Мария Сидорова", "Где посылка 55501?", "m1"), at=NOW)
    closed(db, ivan.ticket, 3)
    db.commit()
    return ivan.ticket, maria.ticket


def test_a_forgotten_customer_leaves_nothing_personal_and_the_figures_stay(
    db: Session, people: tuple[Ticket, Ticket]
) -> None:
    ivan, _maria = people
    before = (ivan.channel, ivan.status, ivan.category, ivan.created_at, ivan.closed_at, ivan.assignee_id)
    assert "ivan.petrov@mail.example" in everything(db)
    erased = do_forget_customer(db, ivan.customer_id, actor=ACTOR, at=NOW)
    db.commit()
    assert (erased.customers, erased.tickets, erased.messages, erased.identities) == (1, 1, 2, 1)
    dump = everything(db)
    for trace in (
        "ivan.petrov",
        "Иван",
        "Петров",
        "4510 123456",
        "98765",
        "паспорт.pdf",
        "Тема i1",
        "паспорт получили",
    ):
        assert trace not in dump, trace
    assert "cGFzc3BvcnQgc2Nhbi" not in dump  # the file's bytes, as the export writes them (base64)
    db.refresh(ivan)
    assert (ivan.channel, ivan.status, ivan.category, ivan.created_at, ivan.closed_at, ivan.assignee_id) == before
    assert ivan.subject == ERASED
    assert {m.text for m in db.scalars(select(Message).where(Message.ticket_id == ivan.id))} == {ERASED}
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0
    customer = db.get(Customer, ivan.customer_id)
    assert customer is not None
    assert customer.name == FORGOTTEN_NAME
    # Maria is untouched
    assert "Мария Сидорова" in dump
    assert "Где посылка 55501?" in dump
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "customer.forgotten")).one()
    assert event.data == {"customers": 1, "tickets": 1, "messages": 2, "files": 2, "identities": 1}


def test_the_same_address_writing_again_is_a_stranger(db: Session, people: tuple[Ticket, Ticket]) -> None:
    ivan, _maria = people
    do_forget_customer(db, ivan.customer_id, actor=ACTOR, at=NOW)
    again = do_receive_inbound(db, mail("ivan.petrov@mail.example", "Иван", "Снова я", "i2"), at=NOW)
    assert again.ticket.customer_id != ivan.customer_id
    assert again.ticket.id != ivan.id


def test_a_customer_with_a_case_in_progress_is_refused_and_a_dry_run_changes_nothing(
    db: Session, people: tuple[Ticket, Ticket]
) -> None:
    ivan, maria = people
    with pytest.raises(Conflict) as refused:
        do_forget_customer(db, maria.customer_id, actor=ACTOR, at=NOW)
    assert f"#{maria.id}" in refused.value.message("en")
    shown = do_forget_customer(db, ivan.customer_id, actor=ACTOR, dry_run=True, at=NOW)
    assert (shown.tickets, shown.messages, shown.ticket_ids) == (1, 2, [ivan.id])
    assert "ivan.petrov@mail.example" in everything(db)
    assert db.scalar(select(func.count()).select_from(Identity).where(Identity.customer_id == ivan.customer_id)) == 1


def test_retention_erases_closed_tickets_past_their_channel_s_time_only(db: Session, cast: Cast) -> None:
    old_mail = do_receive_inbound(db, mail("a@mail.example", "Анна", "Старое письмо 777", "r1"), at=NOW).ticket
    new_mail = do_receive_inbound(db, mail("b@mail.example", "Борис", "Недавнее письмо 888", "r2"), at=NOW).ticket
    telegram = do_receive_inbound(
        db, InboundMessage(Channel.TELEGRAM, "r3", IdentityKind.TELEGRAM, "4242", "Старый чат 999"), at=NOW
    ).ticket
    still_open = do_receive_inbound(db, mail("c@mail.example", "Вера", "Открытое 111", "r4"), at=NOW).ticket
    closed(db, old_mail, 800)
    closed(db, new_mail, 100)
    closed(db, telegram, 800)
    still_open.created_at = NOW - timedelta(days=900)
    policy = Retention({"email": 730})
    shown = do_apply_retention(db, policy, actor=ACTOR, dry_run=True, at=NOW)
    assert (shown.ticket_ids, shown.messages) == ([old_mail.id], 1)
    assert "Старое письмо 777" in everything(db)
    done = do_apply_retention(db, policy, actor=ACTOR, at=NOW)
    assert done.ticket_ids == [old_mail.id]
    dump = everything(db)
    assert "Старое письмо 777" not in dump
    for kept in ("Недавнее письмо 888", "Старый чат 999", "Открытое 111"):
        assert kept in dump
    assert do_apply_retention(db, policy, actor=ACTOR, at=NOW).tickets == 0  # erased once


def test_the_retention_setting_is_read_strictly() -> None:
    channels = frozenset(c.value for c in Channel)
    policy = parse_retention("email=730, telegram=365, *=1095", channels)
    assert policy.keep_for("email") == timedelta(days=730)
    assert policy.keep_for("vk") == timedelta(days=1095)
    assert parse_retention("", channels).keep_for("email") is None
    for wrong in ("mail=30", "email=0", "email=soon"):
        with pytest.raises(DomainError):
            parse_retention(wrong, channels)


def test_the_daily_job_applies_the_configured_retention(
    db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch, frozen_clock: object
) -> None:
    from otklik.core.config import get_settings
    from otklik.core.jobs import Job
    from otklik.privacy.tasks import apply_retention

    old = do_receive_inbound(db, mail("d@mail.example", "Дина", "Давнее письмо 321", "j1")).ticket
    old.status, old.closed_at = "closed", old.created_at - timedelta(days=40)
    db.flush()
    job = Job(kind="privacy.retention", payload={})
    apply_retention(db, job)  # unset: words are kept
    assert old.subject != ERASED
    monkeypatch.setenv("OTKLIK_RETENTION", "email=30")
    get_settings.cache_clear()
    try:
        apply_retention(db, job)
    finally:
        monkeypatch.delenv("OTKLIK_RETENTION")
        get_settings.cache_clear()
    db.refresh(old)
    assert old.subject == ERASED
