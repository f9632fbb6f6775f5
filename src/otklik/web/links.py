"""The follow link a customer gets for a ticket: ``<desk>/t/<signed token>``."""

from __future__ import annotations

from fastapi import Request

from otklik.channels.webvisitor import ticket_link_token
from otklik.core.config import get_settings
from otklik.web.common import WebState


def follow_url(request: Request, state: WebState, ticket_id: int) -> str:
    """Absolute, on ``OTKLIK_PUBLIC_BASE_URL`` when set (behind a proxy), else on the address called."""
    base = get_settings().public_base_url or str(request.base_url)
    return f"{base.rstrip('/')}/t/{ticket_link_token(state.secret(), ticket_id)}"
