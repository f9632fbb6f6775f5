"""The inbound journal and the pipeline that builds tickets from it (issue 13), on real databases with
real commits: an item is acknowledged when its append commits, built afterwards lane by lane, in
the order it came, once, and an item that cannot be built is moved aside with its reason."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.base import InboundMessage
from otklik.channels.models import ChannelHealth
from otklik.core import clock
from otklik.core.db import make_engine, make_session_factory
from otklik.core.errors import DomainError
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages import journal, pipeline
from otklik.messages.journal import Appended
from otklik.messages.models import JournalItem, JournalState, Message
from otklik.messages.tasks import prune_journal
from tests.conftest import BACKENDS, PG_URL, migrated_url, unique


@pytest.fixture(scope="module", params=BACKENDS)
def factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    url = migrated_url(request.param, str(tmp_path_factory.mktemp("journal")), "journal")
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()
    if request.param == "postgresql":
        assert PG_URL
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        admin.dispose()


def telegram(sender: str, words: str, external_id: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TELEGRAM,
        external_id=external_id or unique("tg"),
        sender_kind=IdentityKind.TELEGRAM,
        sender_value=sender,
        text=words,
    )


def sender() -> str:
    return unique("seller").replace("-", "_")


def accept(factory: sessionmaker[Session], *inbounds: InboundMessage) -> list[Appended | DomainError]:
    with factory() as session:
        result = pipeline.accept(session, list(inbounds))
        session.commit()
    return result


def stored(factory: sessionmaker[Session], external_id: str) -> Message | None:
    with factory() as session:
        return session.scalars(select(Message).where(Message.external_id == external_id)).first()


def item(factory: sessionmaker[Session], item_id: int) -> JournalItem:
    with factory() as session:
        found = session.get(JournalItem, item_id)
        assert found is not None
        return found


def test_an_item_is_acknowledged_by_its_append_and_built_afterwards(factory: sessionmaker[Session]) -> None:
    inbound = telegram(sender(), "Поставка 7733 не принята, стою у склада")
    (appended,) = accept(factory, inbound)
    assert isinstance(appended, Appended)
    assert appended.new
    # acknowledged: journaled and committed, but nothing is built yet
    assert item(factory, appended.item_id).state == JournalState.PENDING.value
    assert stored(factory, inbound.external_id) is None

    assert pipeline.build_pending(factory) >= 1
    built = item(factory, appended.item_id)
    message = stored(factory, inbound.external_id)
    assert message is not None
    assert (built.state, built.ticket_id, built.message_id) == ("built", message.ticket_id, message.id)
    assert built.built_at is not None
    assert built.body["text"] == inbound.text  # the item keeps what the channel handed over


def test_a_redelivery_meets_its_journaled_twin_and_builds_nothing_more(factory: sessionmaker[Session]) -> None:
    inbound = telegram(sender(), "Где выплата за ноябрь?")
    (first,) = accept(factory, inbound)
    twice = accept(factory, inbound, inbound)  # redelivered, and twice within one delivery
    assert isinstance(first, Appended)
    assert [(a.item_id, a.new) for a in twice if isinstance(a, Appended)] == [(first.item_id, False)] * 2
    pipeline.build_pending(factory)
    with factory() as session:
        copies = session.scalar(
            select(func.count()).select_from(Message).where(Message.external_id == inbound.external_id)
        )
        items = session.scalar(
            select(func.count()).select_from(JournalItem).where(JournalItem.key == inbound.external_id)
        )
    assert (copies, items) == (1, 1)


def test_what_intake_could_never_store_is_refused_before_the_acknowledgement(factory: sessionmaker[Session]) -> None:
    empty = telegram(sender(), "   \n ")
    bad_address = InboundMessage(
        channel=Channel.EMAIL, external_id=unique("<m") + "@x>", sender_kind=IdentityKind.EMAIL,
        sender_value="не адрес", text="Здравствуйте",
    )  # fmt: skip
    good = telegram(sender(), "Добрый день, карточка не проходит модерацию")
    results = accept(factory, empty, bad_address, good)
    assert [type(r).__name__ for r in results] == ["InvalidInput", "InvalidInput", "Appended"]
    assert [r.code for r in results if isinstance(r, DomainError)] == ["text_empty", "invalid_identity"]
    with factory() as session:
        keys = set(session.scalars(select(JournalItem.key)))
    assert empty.external_id not in keys
    assert journal.key_of(good) in keys


def test_a_mail_reusing_a_message_id_for_other_words_is_another_item(factory: sessionmaker[Session]) -> None:
    def mail(words: str) -> InboundMessage:
        return InboundMessage(
            channel=Channel.EMAIL, external_id="<same@list.example>", sender_kind=IdentityKind.EMAIL,
            sender_value=f"{sender()}@example.ru", text=words, subject="Вопрос",
        )  # fmt: skip

    first, second = mail("Первое письмо"), mail("Совсем другое письмо")
    one, other, again = accept(factory, first, second, first)
    ids = [a.item_id if isinstance(a, Appended) else None for a in (one, other, again)]
    assert None not in ids
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]


def test_one_senders_messages_are_built_once_each_and_in_the_order_they_came_with_two_builders(
    factory: sessionmaker[Session],
) -> None:
    talker = sender()
    words = [f"Сообщение номер {n} про поставку 5512" for n in range(40)]
    for word in words:  # one delivery each, as a messenger sends them
        accept(factory, telegram(talker, word))
    for n in range(30):  # other senders in every lane
        accept(factory, telegram(sender(), f"Вопрос {n} о выплате"))
    gate = threading.Barrier(2)
    errors: list[BaseException] = []

    def builder() -> None:
        try:
            gate.wait(timeout=30)
            while pipeline.build_pending(factory, limit=7):
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=builder) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    with factory() as session:
        assert pipeline.pending_lanes(session) == []
        rows = session.execute(
            select(Message.text, Message.ticket_id)
            .join(JournalItem, JournalItem.message_id == Message.id)
            .where(JournalItem.body["sender_value"].as_string() == talker)
            .order_by(Message.id)
        ).all()
    assert [row.text for row in rows] == words  # each once, in the order they came
    assert len({row.ticket_id for row in rows}) == 1


def test_an_item_that_cannot_be_built_is_moved_aside_with_its_reason_and_its_lane_goes_on(
    factory: sessionmaker[Session],
) -> None:
    talker = sender()
    good = telegram(talker, "А это сообщение в порядке")
    broken = journal.serialise(telegram(talker, "x")) | {"text": "  "}  # journaled by an older, laxer intake
    with factory() as session:
        bad = JournalItem(
            channel="telegram", key=unique("old"), lane=journal.lane_of(good), body=broken,
            state="pending", attempts=0, received_at=clock.now(),
        )  # fmt: skip
        session.add(bad)
        session.commit()
        bad_id = bad.id
    (after,) = accept(factory, good)
    assert isinstance(after, Appended)
    while pipeline.build_pending(factory):
        pass
    failed, built = item(factory, bad_id), item(factory, after.item_id)
    assert failed.state == "failed"
    assert failed.error is not None
    assert "empty" in failed.error
    assert built.state == "built"
    with factory() as session:
        health = session.get(ChannelHealth, "telegram")
        assert health is not None
        assert health.last_error is not None
        assert bad.key in health.last_error


def test_a_lane_another_builder_holds_is_left_to_it(factory: sessionmaker[Session]) -> None:
    with factory() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("lanes are advisory locks on PostgreSQL; SQLite has one writer at a time")
    inbound = telegram(sender(), "Штраф списали второй раз")
    (appended,) = accept(factory, inbound)
    assert isinstance(appended, Appended)
    with factory() as holder:
        assert pipeline.take_lane(holder, appended.lane)  # another builder, mid-batch
        with factory() as session:
            assert pipeline.build_lane(session, appended.lane) is None
        assert item(factory, appended.item_id).state == "pending"
        holder.rollback()  # its transaction ends: the lane is free
    pipeline.build_pending(factory)
    assert item(factory, appended.item_id).state == "built"


def test_built_items_leave_the_journal_after_a_week_and_failed_ones_stay(factory: sessionmaker[Session]) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def old(state: str, days: int) -> int:
        with factory() as session:
            row = JournalItem(
                channel="telegram", key=unique("prune"), lane=0, body={}, state=state, attempts=0,
                received_at=now - timedelta(days=days), built_at=now - timedelta(days=days),
            )  # fmt: skip
            session.add(row)
            session.commit()
            return row.id

    gone, kept, failed = old("built", 8), old("built", 6), old("failed", 30)
    previous = clock.install(clock.FrozenClock(now))
    try:
        with factory() as session:
            prune_journal(session, None)  # type: ignore[arg-type]  # the handler reads no job field
            session.commit()
    finally:
        clock.install(previous)
    with factory() as session:
        left = set(session.scalars(select(JournalItem.id).where(JournalItem.id.in_([gone, kept, failed]))))
    assert left == {kept, failed}


def test_the_journal_keeps_what_a_channel_handed_over_byte_for_byte() -> None:
    from otklik.channels.base import InboundAttachment

    original = InboundMessage(
        channel=Channel.EMAIL, external_id="<a@b>", sender_kind=IdentityKind.EMAIL, sender_value="a@b.ru",
        text="Счёт во вложении", display_name="Анна", subject="Счёт", url=None,
        sent_at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        attachments=(InboundAttachment("счёт.pdf", "application/pdf", b"%PDF-\x00\xff"),),
        thread_refs=("<x@y>",), ticket_hint=10234, placeholder=False, edit_of=None,
        source=b"From: a@b.ru\r\n\r\n\xd0\x9f", source_type="message/rfc822",
    )  # fmt: skip
    assert journal.restore(journal.serialise(original)) == original


def test_a_batch_never_waits_for_the_channel_health_row_another_transaction_holds(
    factory: sessionmaker[Session],
) -> None:
    """The deadlock the bench found: a delivery job held ``channel_health`` while it waited for a
    customer row a batch held, and the batch waited for ``channel_health``. A batch now notes the
    channel's health only when the row is free; the next batch notes it."""
    with factory() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("row locks between connections: PostgreSQL (SQLite has one writer at a time)")
    accept(factory, telegram(sender(), "Первое слово, чтобы строка здоровья канала была"))
    pipeline.build_pending(factory)
    (appended,) = accept(factory, telegram(sender(), "Курьер приедет через час, а поставка не собрана"))
    assert isinstance(appended, Appended)
    with factory() as session:  # noted long enough ago that the batch wants to note it again
        health = session.get(ChannelHealth, "telegram")
        assert health is not None
        health.last_inbound_at = clock.now() - timedelta(hours=1)
        session.commit()
    with factory() as delivery:
        delivery.execute(text("SET LOCAL lock_timeout = '5s'"))
        held = delivery.scalars(
            select(ChannelHealth).where(ChannelHealth.channel == "telegram").with_for_update()
        ).one()
        noted_before = held.last_inbound_at
        finished = threading.Event()

        def batch() -> None:
            with factory() as session:
                session.execute(text("SET lock_timeout = '3s'"))  # waiting would fail the batch, not hang
                pipeline.build_lane(session, appended.lane)
                session.commit()
            finished.set()

        builder = threading.Thread(target=batch)
        builder.start()
        builder.join(timeout=20)
        assert finished.is_set()  # done while the row stayed held
        delivery.rollback()
    assert item(factory, appended.item_id).state == "built"
    with factory() as session:
        health = session.get(ChannelHealth, "telegram")
        assert health is not None
        assert health.last_inbound_at == noted_before  # skipped, not waited for


def test_two_first_events_of_a_channel_at_once_make_one_health_row_and_no_error(
    factory: sessionmaker[Session],
) -> None:
    """Found by the backend-cut test: two batches noting a channel's very first message at once both
    inserted its health row, and one request answered 500 on the primary key."""
    from otklik.channels.actions import do_note_error

    with factory() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite takes one writer at a time: two first events cannot meet")
    gate = threading.Barrier(2)
    errors: list[BaseException] = []

    def first_event(n: int) -> None:
        try:
            with factory() as session:
                session.execute(select(func.count()).select_from(ChannelHealth))  # the transaction has begun
                gate.wait(timeout=10)
                do_note_error(session, "viber", f"first event {n}")
                session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_event, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with factory() as session:
        row = session.get(ChannelHealth, "viber")
        assert row is not None
        assert row.last_error in {"first event 0", "first event 1"}
