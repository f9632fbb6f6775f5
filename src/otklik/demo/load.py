"""Placeholder replaced by the demo loader."""

from __future__ import annotations

from sqlalchemy.orm import Session


def load_demo(session: Session) -> str:
    """Load the demo; returns a one-line summary."""
    raise NotImplementedError
