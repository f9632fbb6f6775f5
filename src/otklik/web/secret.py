"""The desk secret that signs visitor tokens and ticket links: kept in ``otklik.core.secret`` (the
worker signs customer portal links too), named here for the web side's existing imports."""

from __future__ import annotations

from otklik.core.secret import MIN_LENGTH, load_secret, read_or_create

__all__ = ["MIN_LENGTH", "load_secret", "read_or_create"]
