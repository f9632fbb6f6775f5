"""Password hashing (argon2), API tokens (random, stored as SHA-256) and the sign-in attempt limit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from otklik.core.config import Settings
from otklik.core.limiter import Limiter, Rate

_hasher = PasswordHasher()
TOKEN_PREFIX = "otk_"  # noqa: S105  (a label, not a secret)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or damaged hash never matches."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh bearer token with 256 bits of randomness."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store and look up: a token this random needs no slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login_wait(limiter: Limiter, address: str, email: str, *, settings: Settings, now: datetime) -> int:
    """Spend one sign-in attempt of the address+e-mail and of the address: the seconds to wait, or 0.

    The agent pages and the API spend from the same buckets, so changing doors buys no more guesses.
    """
    per_account = limiter.hit(
        f"login:{address}:{email.strip().lower()}", now, Rate(settings.login_rate_burst, settings.login_rate_per_minute)
    )
    per_address = limiter.hit(f"login:{address}", now, Rate(settings.login_ip_burst, settings.login_ip_per_minute))
    return max(per_account, per_address)
