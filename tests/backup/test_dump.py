"""Export and import of everything (issue 14): the demo desk plus mail with an attachment, out of
SQLite, into PostgreSQL, and out again gives the same file byte for byte; back into SQLite too. A
restore goes into an empty database only, all or nothing, and a damaged file is named as such."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from otklik.agents.actions import do_create_token
from otklik.agents.models import Agent
from otklik.backup.dump import export_file, read_header, restore, tables
from otklik.channels.base import InboundAttachment, InboundMessage
from otklik.cli.main import app
from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.db import make_engine, make_session_factory, unit_of_work
from otklik.core.errors import InvalidInput
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.demo.load import load_demo
from otklik.kb.queries import search
from otklik.kb.seed import do_import_seed, load_seed
from otklik.messages.pipeline import receive_now
from otklik.tickets.models import Ticket
from tests.conftest import PG_URL, drop_postgres_database, migrated_url

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\x00\xff\xfe binary \x00 bytes"


def filled(url: str) -> None:
    """The demo desk, the help articles, a token, and a mail with an attachment through the pipeline."""
    engine = make_engine(url)
    previous = clock.install(clock.FrozenClock(NOW))
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            load_demo(session)
            do_import_seed(session, load_seed(), actor=Actor.system("tests"))
            agent = session.scalars(select(Agent).order_by(Agent.id)).first()
            assert agent is not None
            do_create_token(session, agent, actor=Actor.system("tests"))
        with make_session_factory(engine)() as session:
            mail = InboundMessage(
                channel=Channel.EMAIL, external_id="<act-7@shop.example>", sender_kind=IdentityKind.EMAIL,
                sender_value="ivan@shop.example", text="Акт во вложении", subject="Акт приёмки",
                attachments=(InboundAttachment("акт.pdf", "application/pdf", PDF),),
                source=b"From: ivan@shop.example\r\n\r\n\xd0\x90\xd0\xba\xd1\x82", source_type="message/rfc822",
            )  # fmt: skip
            [receipt] = receive_now(session, [mail])
            assert not isinstance(receipt, Exception)
    finally:
        clock.install(previous)
        engine.dispose()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export of a filled SQLite desk."""
    folder = tmp_path_factory.mktemp("export")
    url = migrated_url("sqlite", str(folder), "source")
    filled(url)
    engine = make_engine(url)
    path = folder / "desk.jsonl.gz"
    with engine.connect() as connection:
        export_file(connection, path)
    engine.dispose()
    return path


def lines(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rb") as stream:
        return [json.loads(line) for line in stream]


def restored(path: Path, url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as connection:
        restore(connection, path)
    return engine


def test_the_export_holds_every_kind_of_value(source: Path) -> None:
    header, *rows = lines(source)
    counts = header["counts"]
    assert isinstance(counts, dict)
    assert {t.name for t in tables()} == set(counts)
    assert counts["tickets"] > 100
    assert (counts["attachments"], counts["api_tokens"]) == (1, 1)
    assert sum(counts.values()) == len(rows)
    [attachment] = [r["r"] for r in rows if r["t"] == "attachments"]
    assert isinstance(attachment, dict)
    assert attachment["filename"] == "акт.pdf"


def test_sqlite_to_postgresql_and_back_gives_the_same_export(source: Path, tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("needs PostgreSQL (OTKLIK_TEST_POSTGRES_URL); CI sets it")
    pg_url = migrated_url("postgresql", str(tmp_path), "restored")
    try:
        engine = restored(source, pg_url)
        again = tmp_path / "again.jsonl.gz"
        with engine.connect() as connection:
            export_file(connection, again)
        assert again.read_bytes() == source.read_bytes()
        with make_session_factory(engine)() as session:  # ids go on after the restored ones
            top = session.scalar(select(func.max(Ticket.id)))
            [receipt] = receive_now(session, [fresh_message()])
            assert not isinstance(receipt, Exception)
            assert receipt.ticket_id is not None
            assert receipt.ticket_id > (top or 0)
        engine.dispose()
        back_url = migrated_url("sqlite", str(tmp_path), "back")
        back = restored(again, back_url)
        third = tmp_path / "third.jsonl.gz"
        with back.connect() as connection:
            export_file(connection, third)
        back.dispose()
        assert third.read_bytes() == source.read_bytes()
    finally:
        drop_postgres_database(pg_url)


def fresh_message() -> InboundMessage:
    return InboundMessage(
        channel=Channel.TELEGRAM, external_id="after-restore-1", sender_kind=IdentityKind.TELEGRAM,
        sender_value="555", text="Новый вопрос после переезда",
    )  # fmt: skip


def test_the_cli_restores_with_the_search_index_rebuilt(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = migrated_url("sqlite", str(tmp_path), "cli")
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    from otklik.core.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["import", str(source)])
        assert result.exit_code == 0, result.output
        assert "Восстановлено / restored" in result.output
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            assert search(session, "возврат товара", lang="ru")  # found only through the rebuilt index
        engine.dispose()
        again = CliRunner().invoke(app, ["import", str(source)])
        assert again.exit_code == 2
        assert "только в пустую базу" in again.output
        assert "only into an empty database" in again.output
    finally:
        get_settings.cache_clear()


def test_a_database_that_holds_data_is_refused_before_anything_is_written(source: Path, tmp_path: Path) -> None:
    url = migrated_url("sqlite", str(tmp_path), "busy")
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        do_import_seed(session, load_seed(), actor=Actor.system("tests"))
    with engine.begin() as connection, pytest.raises(InvalidInput) as refused:
        restore(connection, source)
    assert refused.value.code == "database_not_empty"
    assert "kb_articles" in refused.value.message("en")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Ticket)) == 0
    engine.dispose()


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        (lambda text: b"not gzip at all", "not gzip"),
        (lambda text: text.replace(b'"format":"otklik-export"', b'"format":"zendesk"'), "header"),
        (lambda text: text.replace(b'"version":1', b'"version":9'), "version 9"),
        (lambda text: text + b'{"t":"tickets","r":\n', "line"),
        (lambda text: text.replace(b'"t":"tickets"', b'"t":"zendesk_tickets"', 1), "table zendesk_tickets"),
    ],
)
def test_a_damaged_or_foreign_file_is_named_and_nothing_lands(
    source: Path, tmp_path: Path, damage: object, detail: str
) -> None:
    with gzip.open(source, "rb") as stream:
        text = stream.read()
    broken = tmp_path / "broken.jsonl.gz"
    made = damage(text)  # type: ignore[operator]
    broken.write_bytes(made if made == b"not gzip at all" else gzip.compress(made))
    url = migrated_url("sqlite", str(tmp_path), "damaged")
    engine = make_engine(url)
    with pytest.raises(InvalidInput) as refused, engine.begin() as connection:
        restore(connection, broken)
    assert detail in refused.value.message("en")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Ticket)) == 0
    engine.dispose()


def test_the_header_can_be_read_alone(source: Path) -> None:
    header = read_header(source)
    assert header.rows == len(lines(source)) - 1
