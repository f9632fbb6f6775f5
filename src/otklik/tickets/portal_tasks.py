"""Jobs of the customer portal: delivering a sign-in link through the customer's channel, and
alerting the head of support when a lead lets an escalation's acknowledgement deadline pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from otklik.channels.base import ChannelNotConfigured, OutboundMessage
from otklik.channels.registry import adapter_for
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.i18n import translate
from otklik.core.jobs import Job, RetryLater, task
from otklik.core.secret import load_secret
from otklik.customers.models import PortalLink
from otklik.customers.portal import SEND_PORTAL_LINK, do_record_portal_link_delivery
from otklik.tickets.models import Ticket, TicketEscalation
from otklik.tickets.portal import ESCALATION_ACK_DUE, do_alert_unacknowledged, portal_link_url
from otklik.tickets.rules import Status

#: sign-in mails belong to no ticket (0); their Message-IDs live far above the linking codes'
#: (which share ticket 0), so a mail client never takes one for the other
MESSAGE_ID_BASE = 10**12


def portal_link_text(link: PortalLink, url: str) -> str:
    """The message with the link: the customer's language first, then the other one."""
    langs = ("en", "ru") if link.lang == "en" else ("ru", "en")
    minutes = max(int((link.expires_at - link.created_at).total_seconds() // 60), 1)
    return "\n\n".join(translate("portal_link.text", lang, url=url, minutes=minutes) for lang in langs)


def _give_up(session: Session, job: Job, error: str) -> None:
    link = session.get(PortalLink, int(job.payload["portal_link_id"]))
    if link is not None and link.delivery_state == "queued":
        do_record_portal_link_delivery(session, link, sent=False, error=error)


@task(SEND_PORTAL_LINK, io=True, max_attempts=4, on_failure=_give_up)
def handle_send_portal_link(session: Session, job: Job) -> datetime | None:
    """Send one sign-in link; a link that expired while the channel was down is not sent at all."""
    link = session.get(PortalLink, int(job.payload["portal_link_id"]))
    if link is None or link.delivery_state != "queued":
        return None
    if link.expires_at <= clock.now() or link.used_at is not None:
        do_record_portal_link_delivery(session, link, sent=False, error="истекла до отправки / expired before sending")
        return None
    settings = get_settings()
    try:
        adapter = adapter_for(link.channel, settings)
    except ChannelNotConfigured as exc:
        do_record_portal_link_delivery(session, link, sent=False, error=str(exc))
        return None
    url = portal_link_url(load_secret(settings), link)
    subject = " / ".join(translate("portal_link.subject", lang) for lang in ("ru", "en"))
    outbound = OutboundMessage(
        MESSAGE_ID_BASE + link.id, 0, link.channel, link.recipient, portal_link_text(link, url), subject=subject
    )
    result = adapter.send(outbound)
    if result.sent or result.permanent:
        do_record_portal_link_delivery(session, link, sent=result.sent, error=result.error)
        return None
    raise RetryLater(result.error or "channel did not confirm")


@task(ESCALATION_ACK_DUE)
def handle_escalation_ack_due(session: Session, job: Job) -> datetime | None:
    """The lead's deadline came: alert the head of support unless it was acknowledged (or the
    case is closed: nobody waits any more)."""
    escalation = session.get(TicketEscalation, int(job.payload["escalation_id"]))
    if escalation is None:
        return None
    ticket = session.get(Ticket, escalation.ticket_id)
    if ticket is None or ticket.status == Status.CLOSED.value:
        return None
    do_alert_unacknowledged(session, escalation, at=clock.now())
    return None
