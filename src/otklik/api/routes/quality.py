"""The reply checker over HTTP: ``POST /api/v1/replies/check`` (docs/shared api-contract)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from otklik.api.deps import DB, AuthDep
from otklik.core.i18n import pick_lang
from otklik.messages.models import Direction
from otklik.messages.queries import list_messages
from otklik.quality.checker import check_reply
from otklik.quality.overlap import Article
from otklik.quality.schemas import CheckIn, CheckOut
from otklik.quality.text import detect_lang
from otklik.tickets.queries import access_ticket

router = APIRouter(tags=["quality"])
TIMELINE = 500  # messages of a ticket read for earlier replies


@router.post("/replies/check")
def check(body: CheckIn, request: Request, db: DB, auth: AuthDep) -> CheckOut:
    """Flags of docs/taxonomy.md in a draft reply, each with its span, explanation and suggestion.
    With ``ticket_id`` the ticket's earlier replies are compared too (a repeated template is
    kb_dump), and its last customer message stands in for a missing ``customer_message``."""
    customer_message, earlier = body.customer_message, []
    if body.ticket_id is not None:
        access_ticket(db, auth.principal, body.ticket_id)
        timeline = list_messages(db, body.ticket_id, limit=TIMELINE)
        earlier = [m.text for m in timeline if m.direction == Direction.OUTBOUND and m.public]
        inbound = [m.text for m in timeline if m.direction == Direction.INBOUND]
        customer_message = customer_message or (inbound[-1] if inbound else None)
    reply_lang = body.lang or detect_lang(body.reply)
    result = check_reply(
        body.reply,
        customer_message=customer_message,
        public=body.public,
        lang=reply_lang,
        message_lang=pick_lang(request.headers.get("accept-language"), default=reply_lang),
        articles=[Article(a.id, a.text, a.title) for a in body.articles],
        earlier_replies=earlier,
    )
    return CheckOut.of(result)
