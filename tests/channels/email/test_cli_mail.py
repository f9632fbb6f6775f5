"""The commands themselves: ``otklik smtpd`` as a real process taking mail from smtplib and
stopping on SIGTERM, and ``otklik imap-poll`` against the IMAP stand-in, with clear errors.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from otklik.cli.main import app
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from otklik.messages.models import Attachment, Message, MessageSource
from otklik.tickets.models import Ticket
from tests.channels.email.conftest import US
from tests.channels.email.support import ImapStandIn, Mailbox, free_port, smtp_send
from tests.conftest import migrated_url

OTKLIK = Path(sys.executable).with_name("otklik")


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """A migrated SQLite file of its own: the commands open their own connections to it."""
    url = migrated_url("sqlite", str(tmp_path_factory.mktemp("cli-mail")), "cli")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture
def cli_env(cli_db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", cli_db[0])
    monkeypatch.setenv("OTKLIK_MAIL_FROM", US)
    get_settings.cache_clear()
    yield cli_db[0]
    get_settings.cache_clear()


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"otklik smtpd did not listen on {port} within {seconds} s")


def test_otklik_smtpd_takes_mail_from_smtplib_and_stops_on_sigterm(cli_db: tuple[str, Engine]) -> None:
    url, engine = cli_db
    port = free_port()
    env = {**os.environ, "OTKLIK_DATABASE_URL": url, "OTKLIK_MAIL_FROM": US}
    process = subprocess.Popen(
        [str(OTKLIK), "smtpd", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        mail = EmailMessage()
        mail["From"] = "=?koi8-r?B?8MXU0g==?= <petr@mail.example>"  # «Петр» in koi8-r, RFC 2047
        mail["To"] = US
        mail["Subject"] = "Заказ 9001 не пришёл"
        mail["Message-ID"] = "<cli-1@mail.example>"
        mail.set_content("Жду уже неделю.\n\nОтправлено с iPhone\n")
        mail.add_attachment(b"MZ\x90\x00", "application", "octet-stream", filename="virus.exe")
        code, text = smtp_send(port, mail)
        assert code == 250, text
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert "остановлен / mail listener stopped" in stderr.decode()
    with engine.connect() as conn:
        message = conn.execute(select(Message).where(Message.external_id == "<cli-1@mail.example>")).one()
        ticket = conn.execute(select(Ticket).where(Ticket.id == message.ticket_id)).one()
        source = conn.execute(select(MessageSource.content).where(MessageSource.message_id == message.id)).scalar()
        files = conn.execute(select(func.count()).select_from(Attachment).where(Attachment.message_id == message.id))
        assert files.scalar() == 0
    assert message.text.startswith("Жду уже неделю.\n\n[вложение не принято / attachment not accepted: virus.exe")
    assert "iPhone" not in message.text
    assert ticket.subject == "Заказ 9001 не пришёл"
    assert source is not None
    assert b"<cli-1@mail.example>" in source


def test_otklik_smtpd_on_a_busy_port_says_so(cli_env: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["smtpd", "--host", "127.0.0.1", "--port", str(port)])
    assert result.exit_code == 2
    assert f"не удалось слушать 127.0.0.1:{port} / Error: cannot listen" in result.output


def test_otklik_imap_poll_one_pass_and_its_errors(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.delenv("OTKLIK_IMAP_URL", raising=False)
    get_settings.cache_clear()
    missing = runner.invoke(app, ["imap-poll"])
    assert missing.exit_code == 2
    assert "задайте OTKLIK_IMAP_URL / Error: OTKLIK_IMAP_URL is not set" in missing.output

    box = Mailbox()
    mail = EmailMessage()
    mail["From"] = "Олег <oleg@mail.example>"
    mail["Subject"] = "Через IMAP"
    mail["Message-ID"] = "<cli-imap@mail.example>"
    mail.set_content("Письмо из ящика.")
    box.add(mail.as_bytes().replace(b"\n", b"\r\n"))
    with ImapStandIn(box) as server:
        monkeypatch.setenv("OTKLIK_IMAP_URL", server.url())
        get_settings.cache_clear()
        once = runner.invoke(app, ["imap-poll"])
        monkeypatch.setenv("OTKLIK_IMAP_URL", server.url(password="wrong"))
        get_settings.cache_clear()
        refused = runner.invoke(app, ["imap-poll"])
    assert once.exit_code == 0, once.output
    assert "получено 1, сохранено 1" in once.output
    assert "fetched 1, stored 1" in once.output
    assert box.mails[0].flags == {"\\Seen"}
    assert refused.exit_code == 2
    assert "IMAP-сервер не принял логин и пароль / the IMAP server refused the login" in refused.output
