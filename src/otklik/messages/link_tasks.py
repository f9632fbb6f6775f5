"""Jobs of links and mentions: delivering a linking code through the customer's channel, and
polling the configured public feeds for new mentions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from otklik.channels.actions import do_note_error, do_note_inbound
from otklik.channels.adapters.public import FeedError, fetch_feed, parse_feed
from otklik.channels.base import ChannelNotConfigured, OutboundMessage
from otklik.channels.registry import adapter_for
from otklik.core.config import get_settings
from otklik.core.errors import DomainError
from otklik.core.i18n import translate
from otklik.core.jobs import Job, RetryLater, task
from otklik.customers.links import SEND_LINK_CODE, do_record_link_code_delivery
from otklik.customers.models import LinkCode
from otklik.messages.mentions import do_receive_mention

log = logging.getLogger("otklik.public")
POLL_FEEDS = "public.poll_feeds"


def link_code_text(code: LinkCode) -> str:
    """The message with the code, in Russian and then English."""
    return "\n\n".join(translate("link_code.text", lang, value=code.code) for lang in ("ru", "en"))


def _give_up(session: Session, job: Job, error: str) -> None:
    code = session.get(LinkCode, int(job.payload["link_code_id"]))
    if code is not None and code.delivery_state == "queued":
        do_record_link_code_delivery(session, code, sent=False, error=error)


@task(SEND_LINK_CODE, io=True, max_attempts=6, on_failure=_give_up)
def handle_send_link_code(session: Session, job: Job) -> datetime | None:
    """Send one linking code through its channel; the code's row says whether it went."""
    code = session.get(LinkCode, int(job.payload["link_code_id"]))
    if code is None or code.delivery_state != "queued":
        return None
    try:
        adapter = adapter_for(code.channel, get_settings())
    except ChannelNotConfigured as exc:
        do_record_link_code_delivery(session, code, sent=False, error=str(exc))
        return None
    subject = " / ".join(translate("link_code.subject", lang) for lang in ("ru", "en"))
    # ticket 0 never exists: the code belongs to no ticket, and its Message-ID cannot clash with a reply's
    outbound = OutboundMessage(code.id, 0, code.channel, code.recipient, link_code_text(code), subject=subject)
    result = adapter.send(outbound)
    if result.sent or result.permanent:
        do_record_link_code_delivery(session, code, sent=result.sent, error=result.error)
        return None
    raise RetryLater(result.error or "channel did not confirm")


def feed_urls(raw: str) -> list[str]:
    return [url.strip() for url in raw.split(",") if url.strip()]


def poll_feed(session: Session, url: str) -> tuple[int, int]:
    """Read one feed and take in its new entries, each on its own; returns (stored, refused).

    A feed that cannot be read is noted on the public channel's health, never raised: the
    other feeds are still read.
    """
    try:
        mentions = parse_feed(fetch_feed(url), url)
    except FeedError as exc:
        log.warning("public feed %s: %s", url, exc)
        do_note_error(session, "public", f"{url}: {exc}")
        return 0, 0
    stored = refused = 0
    for inbound in mentions:
        try:
            with session.begin_nested():
                if not do_receive_mention(session, inbound).intake.duplicate:
                    stored += 1
        except DomainError as exc:
            refused += 1
            log.warning("public feed %s: entry %s refused: %s", url, inbound.external_id, exc.message("en"))
            do_note_error(session, "public", f"{url} {inbound.external_id}: {exc.message('en')}")
    if stored:
        do_note_inbound(session, "public")
    return stored, refused


@task(POLL_FEEDS, io=True, every=timedelta(minutes=5))
def handle_poll_feeds(session: Session, job: Job) -> datetime | None:
    """Every configured feed (``OTKLIK_PUBLIC_FEED_URLS``), every five minutes."""
    for url in feed_urls(get_settings().public_feed_urls):
        poll_feed(session, url)
    return None
