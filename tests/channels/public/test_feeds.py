"""Public feeds: RSS 2.0 and Atom parsed into mentions, hostile XML refused, and the periodic poll
reading a feed served on 127.0.0.1 — twice, storing each post once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.channels.adapters.public import FeedError, fetch_feed, parse_feed
from otklik.core import jobs
from otklik.core.config import get_settings
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.messages.link_tasks import POLL_FEEDS, poll_feed
from otklik.worker import registry as tasks
from tests.conftest import Cast

tasks.load()
FIXTURES = Path(__file__).parent / "fixtures"
RSS = (FIXTURES / "otzovik.rss.xml").read_bytes()
ATOM = (FIXTURES / "vc.atom.xml").read_bytes()


def test_rss_items_become_mentions() -> None:
    first, second = parse_feed(RSS, "https://otzovik.test/feed")  # the empty third item is skipped
    assert first.channel is Channel.PUBLIC
    assert (first.external_id, first.sender_kind, first.sender_value) == (
        "otzovik-review-77", IdentityKind.PUBLIC_HANDLE, "svetlana_shop",
    )  # fmt: skip
    assert first.url == "https://otzovik.test/review/77"
    assert first.sent_at == datetime(2026, 12, 7, 7, 15, tzinfo=UTC)
    assert (
        first.text
        == "Две недели не платят продавцам\n\nВыплата «в обработке» уже 14 дней.\nПоддержка молчит & не отвечает."
    )
    assert (second.external_id, second.url) == ("https://otzovik.test/review/78", "https://otzovik.test/review/78")
    assert second.sender_value == "Покупатель Пётр"
    assert second.sent_at is None  # an unreadable date is left out, not guessed


def test_atom_entries_become_mentions() -> None:
    hacked, anonymous = parse_feed(ATOM, "https://vc.test/comments.atom")
    assert (hacked.external_id, hacked.url, hacked.sender_value) == (
        "urn:vc-test:comment:501", "https://vc.test/c/501", "friend_of_buyer",
    )  # fmt: skip
    assert hacked.sent_at == datetime(2026, 12, 7, 4, 30, tzinfo=UTC)
    assert hacked.text.endswith("Другу взломали аккаунт и потратили подарочный сертификат.")
    assert anonymous.sender_value == "vc.test"  # the feed's own author stands in


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss version="2.0"><channel/></rss>', "DOCTYPE"),
        (b'<!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss/>', "DOCTYPE"),
        (b"<rss><channel><item></rss>", "not well-formed"),
        (b"<html><body>nope</body></html>", "neither RSS 2.0 nor Atom"),
        (b"", "not well-formed"),
    ],
)
def test_hostile_or_foreign_documents_are_refused(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(body, "https://site.test/feed")


PAGES: dict[str, bytes] = {"/rss": RSS, "/atom": ATOM}


class Feeds(BaseHTTPRequestHandler):
    """The public site: serves the fixtures (and whatever a test adds to ``PAGES``)."""

    def do_GET(self) -> None:
        body = PAGES.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(body or b"missing")

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_reads_only_what_is_there(site: str) -> None:
    assert fetch_feed(f"{site}/rss") == RSS
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch_feed(f"{site}/gone")
    with pytest.raises(FeedError, match="only http"):
        fetch_feed("file:///etc/passwd")


def test_the_periodic_poll_stores_each_post_once(
    client: TestClient,
    cast: Cast,
    site: str,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTKLIK_PUBLIC_FEED_URLS", f"{site}/rss, {site}/atom ,{site}/gone")
    get_settings.cache_clear()
    try:
        for _ in range(2):  # the second round finds nothing new
            with session_factory() as session, session.begin():
                jobs.schedule(session, POLL_FEEDS, {}, key=f"periodic:{POLL_FEEDS}")
            assert jobs.run_due(session_factory, worker="test") >= 1
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    tickets = client.get("/api/v1/tickets?channel=public", headers=cast.admin_olga.headers).json()["items"]
    assert len(tickets) == 4
    assert all(t["is_public"] for t in tickets)
    health = client.get("/api/v1/settings/channels/health", headers=cast.admin_olga.headers).json()["items"]
    public = next(c for c in health if c["channel"] == "public")
    assert "HTTP 404" in public["last_error"]


def test_one_bad_entry_never_costs_the_others(session_factory: sessionmaker[Session], site: str) -> None:
    items = [("good-1", "Поддержка не отвечает"), ("too-long", "x" * 100_001)]
    PAGES["/bad"] = (
        '<rss version="2.0"><channel><title>t</title>'
        + "".join(f"<item><guid>{g}</guid><author>a@b.test (Автор)</author><description>{d}</description></item>"
                  for g, d in items)
        + "</channel></rss>"
    ).encode()  # fmt: skip
    try:
        with session_factory() as session, session.begin():
            assert poll_feed(session, f"{site}/bad") == (1, 1)
            assert poll_feed(session, f"{site}/bad") == (0, 1)  # the good one is not stored twice
    finally:
        del PAGES["/bad"]
