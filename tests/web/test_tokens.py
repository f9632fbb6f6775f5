"""Visitor tokens and ticket links: signed, purpose-bound, and the secret that signs them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from otklik.channels.webvisitor import (
    FormContacts,
    form_inbound,
    new_visitor_id,
    sign,
    ticket_link_token,
    ticket_of_link,
    verify,
    visitor_of,
    visitor_token,
)
from otklik.core.config import Settings, get_settings
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.web.presence import TYPING_TTL, TypingBoard
from otklik.web.secret import load_secret, read_or_create
from otklik.web.sse import Event, frame
from tests.web.conftest import VISITORS

KEY = b"unit-test-secret-0123456789"


def test_tokens_round_trip_and_refuse_everything_else() -> None:
    visitor = new_visitor_id(bytes(range(16)))
    assert visitor == "wv_AAECAwQFBgcICQoLDA0ODw"
    token = visitor_token(KEY, visitor)
    assert visitor_of(KEY, token) == visitor
    assert visitor_of(KEY, f" {token} ") == visitor
    link = ticket_link_token(KEY, 10234)
    assert ticket_of_link(KEY, link) == 10234
    assert link.startswith("10234.")
    for forged in (
        token[:-1] + ("B" if token[-1] == "A" else "A"),
        token.replace("wv_", "wf_"),
        visitor_token(b"another-secret-0123456789", visitor),
        link,  # a ticket link is not a visitor token
        "",
        ".",
        "wv_AAECAwQFBgcICQoLDA0ODw",
        token + "." + token,
        "x" * 500,
    ):
        assert visitor_of(KEY, forged) is None, forged
    assert ticket_of_link(KEY, token) is None
    assert ticket_of_link(KEY, sign(KEY, "ticket-link", "0")) is None
    assert ticket_of_link(KEY, sign(KEY, "ticket-link", "-1")) is None
    assert verify(KEY, "ticket-link", sign(KEY, "visitor", "10234")) is None
    with pytest.raises(ValueError, match="no dot"):
        sign(KEY, "visitor", "a.b")
    with pytest.raises(ValueError, match="12 random bytes"):
        new_visitor_id(b"short")


def test_form_message_always_opens_its_own_identity_and_states_the_contacts() -> None:
    contacts = FormContacts(name="Анна", email="anna@example.ru", phone=None)
    labels = {"name": "Имя", "email": "E-mail", "phone": "Телефон"}
    inbound = form_inbound("wf_submission-one-0001", "  Помогите  ", contacts=contacts, labels=labels)
    assert (inbound.channel, inbound.sender_kind, inbound.sender_value) == (
        Channel.WEBFORM,
        IdentityKind.WEB,
        "wf_submission-one-0001",
    )
    assert inbound.external_id == "webform:wf_submission-one-0001"
    assert inbound.display_name == "Анна"
    assert inbound.text == "Помогите\n\n—\nИмя: Анна\nE-mail: anna@example.ru"


def test_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = read_or_create(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create(path) == first
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert load_secret(Settings(secret_key=None, secret_key_file=str(path))) == first
    assert load_secret(Settings(secret_key="configured-secret-0123")) == b"configured-secret-0123"
    with pytest.raises(RuntimeError, match="at least 16"):
        load_secret(Settings(secret_key="short"))
    path.write_text("tiny\n")
    with pytest.raises(RuntimeError, match="no usable secret"):
        read_or_create(path)


def test_app_without_a_configured_secret_makes_one_under_var(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyfile = tmp_path / "secret_key"
    monkeypatch.delenv("OTKLIK_SECRET_KEY")
    monkeypatch.setenv("OTKLIK_SECRET_KEY_FILE", str(keyfile))
    get_settings.cache_clear()
    token = client.post(VISITORS).json()["token"]
    assert keyfile.exists()
    assert visitor_of(keyfile.read_text().strip().encode(), token) is not None


def test_typing_fades_by_itself() -> None:
    from datetime import UTC, datetime

    board, now = TypingBoard(), datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    board.agent(7, "Марина", now)
    board.customer(7, True, now)
    assert (board.agent_typing(7, now), board.customer_typing(7, now)) == ("Марина", True)
    assert board.agent_typing(8, now) is None
    later = now + TYPING_TTL
    assert (board.agent_typing(7, later), board.customer_typing(7, later)) == (None, False)
    board.agent(7, "Марина", now)
    board.agent(7, None, now)
    assert board.agent_typing(7, now) is None


def test_sse_frames_keep_each_event_on_one_data_line() -> None:
    text = frame(Event("message", {"text": "строка 1\nстрока 2\r\n<b>"}, id=42))
    assert text == 'id: 42\nevent: message\ndata: {"text":"строка 1\\nстрока 2\\r\\n<b>"}\n\n'
    assert frame(Event("typing", {"typing": False, "name": None})) == (
        'event: typing\ndata: {"typing":false,"name":null}\n\n'
    )
