"""Pure channel rules: default inactivity windows (contract: live chat 30 minutes)."""

from __future__ import annotations

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
