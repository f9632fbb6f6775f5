"""Pure rules for customer identities: how each kind of address is normalised and checked."""

from __future__ import annotations

import re

from otklik.core.taxonomy import IdentityKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DIGITS = re.compile(r"\D+")


def normalise_identity(kind: IdentityKind, value: str) -> str | None:
    """The canonical form of ``value`` for ``kind``, or None when it cannot be one.

    Canonical forms make the same person match across channels: e-mail lower-cased,
    phone numbers as digits with a Russian leading 8 turned into 7, handles without '@'.
    """
    raw = value.strip()
    if not raw or len(raw) > 320:
        return None
    match kind:
        case IdentityKind.EMAIL:
            email = raw.lower()
            return email if _EMAIL.match(email) else None
        case IdentityKind.PHONE | IdentityKind.WHATSAPP | IdentityKind.VIBER:
            if kind is IdentityKind.VIBER and not raw.lstrip("+").replace(" ", "").isdigit():
                return raw  # Viber user ids are opaque strings, not always phones
            digits = _DIGITS.sub("", raw)
            if len(digits) == 11 and digits.startswith("8"):
                digits = "7" + digits[1:]
            if len(digits) == 10 and digits.startswith("9"):
                digits = "7" + digits
            return digits if 10 <= len(digits) <= 15 else None
        case IdentityKind.TELEGRAM | IdentityKind.VK:
            handle = raw.lstrip("@").lower()
            return handle if re.fullmatch(r"[0-9a-z_.]{1,64}", handle) else None
        case IdentityKind.PUBLIC_HANDLE:
            return raw.lower()
        case IdentityKind.WEB:
            return raw
    return None
