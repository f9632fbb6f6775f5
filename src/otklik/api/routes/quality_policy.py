"""The reply policy over HTTP: each channel's warn/block levels (admins change them), agents'
dismissals of flags, and the drafted public answer to a public complaint (story 2)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from otklik.agents.rules import Role
from otklik.api.deps import DB, AuthDep, Lang, PathId
from otklik.core.taxonomy import Channel
from otklik.quality.actions import do_record_dismissal, do_set_policy
from otklik.quality.policy_schemas import DismissalIn, FeedbackOut, PolicyIn, PublicDraftOut
from otklik.quality.public import draft_public_answer
from otklik.quality.queries import policy_view
from otklik.tickets.queries import access_ticket

router = APIRouter(tags=["quality"])
#: the draft's language (``?lang=en``); the complaint's language when absent
DraftLang = Annotated[Literal["ru", "en"] | None, Query(alias="lang")]


@router.get("/settings/quality/{channel}")
def read_policy(channel: Channel, db: DB, auth: AuthDep) -> dict[str, Any]:
    """The levels in force on ``channel`` (``warn`` or ``block`` per flag) and their defaults."""
    return policy_view(db, channel)


@router.put("/settings/quality/{channel}")
def update_policy(channel: Channel, body: PolicyIn, db: DB, auth: AuthDep) -> dict[str, Any]:
    """Admins: choose ``warn`` or ``block`` for the named flags on ``channel`` (audited)."""
    auth.require(Role.ADMIN)
    do_set_policy(db, channel, {str(code): str(level) for code, level in body.levels.items()}, actor=auth.actor)
    db.commit()
    return policy_view(db, channel)


@router.post("/replies/dismissals", status_code=201, response_model=FeedbackOut)
def dismiss(body: DismissalIn, db: DB, auth: AuthDep) -> FeedbackOut:
    """Set aside flags of a draft as wrong, with a reason: audited, kept as a labelled example."""
    ticket = access_ticket(db, auth.principal, body.ticket_id) if body.ticket_id is not None else None
    row = do_record_dismissal(
        db,
        agent=auth.agent,
        reply=body.reply,
        codes=list(body.codes),
        reason=body.reason,
        ticket=ticket,
        customer_message=body.customer_message,
    )
    db.commit()
    return FeedbackOut(
        id=row.id,
        decision=row.decision,
        codes=row.disputed,
        reason=row.reason,
        ticket_id=row.ticket_id,
        created_at=row.created_at,
    )


@router.get(
    "/tickets/{ticket_id}/public-draft",
    response_model=PublicDraftOut,
    responses={409: {"description": "Not a public ticket / обращение не публичное"}},
)
def public_draft(ticket_id: PathId, db: DB, auth: AuthDep, lang: Lang, draft_lang: DraftLang = None) -> PublicDraftOut:
    """The short public answer to a public complaint — who has the case, its number, the private
    channel and a time — already checked (a good draft has no flags). Post it as a public reply."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    draft = draft_public_answer(db, ticket, lang=draft_lang, message_lang=lang)
    return PublicDraftOut.of(draft, lang)
