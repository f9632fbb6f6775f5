"""Fixtures for the mail tests: our outbound relay (a sink) and the inbound SMTP listener."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.adapters.email_parse import MailPolicy
from otklik.cli.mail import MailHandler, start_listener
from otklik.core.config import get_settings
from tests.channels.email.support import Sink, free_port

US = "support@shop.example"


@pytest.fixture
def relay(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    """The SMTP relay replies leave through (OTKLIK_SMTP_URL), keeping what it gets."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("OTKLIK_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setenv("OTKLIK_MAIL_FROM", US)
    get_settings.cache_clear()
    yield sink
    controller.stop()
    get_settings.cache_clear()


@pytest.fixture
def listener(session_factory: sessionmaker[Session]) -> Iterator[int]:
    """``otklik smtpd``'s handler on a real socket, storing into the test's database; yields the port."""
    controller = start_listener(MailHandler(session_factory, MailPolicy(our_address=US)), "127.0.0.1", free_port())
    yield int(controller.port)
    controller.stop()
