"""Pure rules for customer identities: how each address is normalised, when two customers are one
person, what a linking code looks like, and per-sender rate limits."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from otklik.core.schemas import BLANKS
from otklik.core.taxonomy import IdentityKind

#: an address: a dot-atom local part or an RFC 5322 quoted string («"Millions Lottery"@example.com»)
_EMAIL = rf'(?:[^@{BLANKS}\x00"]+|"(?:[^"\\\r\n\x00]|\\[^\n\x00])+")@[^@{BLANKS}\x00]+\.[^@{BLANKS}\x00]+'
_PHONE = r"^[^0-9\x00]*(?:[0-9][^0-9\x00]*){10,15}$"
_HANDLE = rf"^[{BLANKS}]*@*[0-9A-Za-z_.]{{1,64}}[{BLANKS}]*$"
_ANY = rf"^[{BLANKS}]*[^{BLANKS}\x00][^\x00]*$"
_DIGITS = re.compile(r"[^0-9]+")
#: what a raw address of each kind must look like, blanks around it allowed: the API's schema states
#: these same patterns, so what it documents as valid is exactly what is taken
IDENTITY_PATTERNS: dict[IdentityKind, str] = {
    IdentityKind.EMAIL: rf"^[{BLANKS}]*{_EMAIL}[{BLANKS}]*$",
    IdentityKind.PHONE: _PHONE,
    IdentityKind.WHATSAPP: _PHONE,
    IdentityKind.VIBER: _ANY,  # a phone number or an opaque Viber user id
    IdentityKind.TELEGRAM: _HANDLE,
    IdentityKind.VK: _HANDLE,
    IdentityKind.PUBLIC_HANDLE: _ANY,
    IdentityKind.WEB: _ANY,
}


def normalise_identity(kind: IdentityKind, value: str) -> str | None:
    """The canonical form of ``value`` for ``kind``, or None when it cannot be one.

    Canonical forms make the same person match across channels: e-mail lower-cased,
    phone numbers as digits with a Russian leading 8 turned into 7, handles without '@'.
    """
    raw = value.strip()
    if not raw or len(value) > 320 or not re.search(IDENTITY_PATTERNS[kind], value):
        return None
    match kind:
        case IdentityKind.EMAIL:
            return raw.lower()
        case IdentityKind.PHONE | IdentityKind.WHATSAPP | IdentityKind.VIBER:
            digits = _DIGITS.sub("", raw)
            if kind is IdentityKind.VIBER and not (
                raw.lstrip("+").replace(" ", "").isdigit() and 10 <= len(digits) <= 15
            ):
                return raw  # Viber user ids are opaque strings, not always phones
            if len(digits) == 11 and digits.startswith("8"):
                digits = "7" + digits[1:]
            if len(digits) == 10 and digits.startswith("9"):
                digits = "7" + digits
            return digits
        case IdentityKind.TELEGRAM | IdentityKind.VK:
            return raw.lstrip("@").lower()
        case IdentityKind.PUBLIC_HANDLE:
            return raw.lower()
        case IdentityKind.WEB:
            return raw
    return None


# ---- one person across channels ---------------------------------------------------------

#: a one-time linking code as the customer types it: «OTK-7F3K2Q» (no 0/O, 1/I/L to misread)
LINK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LINK_CODE_LENGTH = 6
_LINK_CODE = re.compile(rf"OTK-?([{LINK_CODE_ALPHABET}]{{{LINK_CODE_LENGTH}}})")


def format_link_code(symbols: str) -> str:
    return f"OTK-{symbols}"


def parse_link_code(text: str) -> str | None:
    """The code when the message is exactly a linking code (case, spaces and a missing dash forgiven)."""
    compact = re.sub(r"\s+", "", text).upper()
    match = _LINK_CODE.fullmatch(compact)
    return format_link_code(match.group(1)) if match else None


#: kinds whose canonical value is a phone number: the same digits are the same phone
PHONE_KINDS = frozenset({IdentityKind.PHONE.value, IdentityKind.WHATSAPP.value, IdentityKind.VIBER.value})


def match_key(kind: str, value: str) -> str | None:
    """What makes two addresses the same person's: the e-mail, or the phone's digits whatever
    the messenger (phone, WhatsApp, Viber). Handles of other messengers match nothing else."""
    if kind == IdentityKind.EMAIL.value:
        return f"email:{value}"
    if kind in PHONE_KINDS and value.isdigit():
        return f"phone:{value}"
    return None


def merge_is_automatic(mine_verified: bool, theirs_verified: bool) -> bool:
    """Two customers sharing an address are merged without asking only when both sides proved
    it (verified); otherwise the agent is offered the merge: an unverified address proves nothing."""
    return mine_verified and theirs_verified


# ---- per-sender rate limits -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateWindow:
    """A fixed window: ``name`` (minute, day), its length in seconds and the most messages it allows."""

    name: str
    seconds: int
    limit: int

    def start(self, at: datetime) -> datetime:
        """The window ``at`` falls in, aligned to UTC midnight (so a day is a calendar day in UTC)."""
        midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = int((at - midnight).total_seconds()) // self.seconds * self.seconds
        return midnight + timedelta(seconds=elapsed)


@dataclass(frozen=True, slots=True)
class RateRefusal:
    """The limit that was hit and when the sender may write again."""

    window: RateWindow
    retry_after: int


def rate_verdict(counts: dict[str, int], windows: tuple[RateWindow, ...], at: datetime) -> RateRefusal | None:
    """None when every window's count (this message included) is within its limit; else the
    first window exceeded, with the whole seconds until it ends (at least 1)."""
    for window in windows:
        if counts.get(window.name, 0) > window.limit:
            ends = window.start(at) + timedelta(seconds=window.seconds)
            return RateRefusal(window, max(math.ceil((ends - at).total_seconds()), 1))
    return None
