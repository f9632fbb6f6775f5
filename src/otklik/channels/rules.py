"""Pure channel rules: default inactivity windows (contract: live chat 30 minutes)."""

from __future__ import annotations

from datetime import datetime

from otklik.core.taxonomy import Channel

MINUTE = 60
HOUR = 60 * MINUTE

#: how long a ``solved`` ticket waits for the customer before it closes by itself
DEFAULT_INACTIVITY_SECONDS: dict[Channel, int] = {
    Channel.WEBCHAT: 30 * MINUTE,
    Channel.TELEGRAM: 24 * HOUR,
    Channel.VK: 24 * HOUR,
    Channel.WHATSAPP: 24 * HOUR,
    Channel.VIBER: 24 * HOUR,
    Channel.EMAIL: 72 * HOUR,
    Channel.WEBFORM: 72 * HOUR,
    Channel.PUBLIC: 72 * HOUR,
}

#: bounds an admin may set: one second (acceptance checks) to 30 days
MIN_INACTIVITY_SECONDS = 1
MAX_INACTIVITY_SECONDS = 30 * 24 * HOUR


def health_state(
    *,
    last_inbound_at: datetime | None,
    last_outbound_at: datetime | None,
    last_error_at: datetime | None,
    credentials_rejected_at: datetime | None,
) -> str:
    """``red`` when keys are refused or the latest event is an error; ``green`` after traffic; else ``idle``."""
    if credentials_rejected_at is not None:
        return "red"
    last_ok = max((t for t in (last_inbound_at, last_outbound_at) if t is not None), default=None)
    if last_error_at is not None and (last_ok is None or last_error_at >= last_ok):
        return "red"
    return "green" if last_ok is not None else "idle"
