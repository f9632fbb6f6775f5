"""Delivery of replies: the worker hands each queued public reply to its channel's adapter.

The message says ``sent`` only when the channel accepted it; a temporary failure is
retried with backoff; a permanent one, or the last retry, marks it ``failed`` with the
reason and tells the ticket's owner, so no failed delivery is silent. And the inbound journal is
pruned of items built long ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from otklik.channels.actions import do_note_error
from otklik.channels.base import ChannelNotConfigured, DeliveryResult
from otklik.channels.registry import adapter_for
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.jobs import Job, RetryLater, task
from otklik.messages.actions import DELIVER, do_await_confirmation, do_record_delivery, outbound_for
from otklik.messages.models import Delivery, JournalItem, JournalState, Message


def _give_up(session: Session, job: Job, error: str) -> None:
    message = session.get(Message, int(job.payload["message_id"]))
    if message is not None and message.delivery_state == Delivery.QUEUED.value:
        do_record_delivery(session, message, DeliveryResult(False, error=error, permanent=True))


def _note_retry(session: Session, job: Job, error: str) -> None:
    message = session.get(Message, int(job.payload["message_id"]))
    if message is not None:
        do_note_error(session, message.channel, f"{error} (попытка {job.attempts} / attempt {job.attempts})")


@task(DELIVER, io=True, max_attempts=6, on_failure=_give_up, on_retry=_note_retry)
def handle_deliver(session: Session, job: Job) -> datetime | None:
    """Send one queued reply; raises ``RetryLater`` on a temporary failure."""
    message = session.get(Message, int(job.payload["message_id"]))
    if message is None or message.delivery_state != Delivery.QUEUED.value:
        return None  # already delivered (a retry after a crash) or gone
    try:
        adapter = adapter_for(message.channel, get_settings())
        outbound = outbound_for(session, message)
    except ChannelNotConfigured as exc:
        do_record_delivery(session, message, DeliveryResult(False, error=str(exc), permanent=True))
        return None
    result = adapter.send(outbound)
    if result.awaiting:
        do_await_confirmation(session, message, result.error or "")
        return None
    if result.sent or result.permanent:
        do_record_delivery(session, message, result)
        return None
    raise RetryLater(result.error or "channel did not confirm")


#: how long built items stay in the inbound journal (a redelivery after that meets the stored message)
KEEP_BUILT = timedelta(days=7)


@task("intake.prune_journal", every=timedelta(hours=6), max_attempts=3)
def prune_journal(session: Session, job: Job) -> datetime | None:
    """Built items older than ``KEEP_BUILT`` leave the journal (the messages they became keep
    deduplicating redeliveries); failed ones stay until someone has looked at them."""
    cutoff = clock.now() - KEEP_BUILT
    session.execute(
        delete(JournalItem).where(JournalItem.state == JournalState.BUILT.value, JournalItem.built_at < cutoff)
    )
    return None
