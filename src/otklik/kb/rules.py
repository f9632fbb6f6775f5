"""Who may put words in the bot's mouth: pure rules of the knowledge base."""

from __future__ import annotations


def publishers(setting: str) -> frozenset[str]:
    """The roles named by ``OTKLIK_KB_PUBLISHERS`` (comma-separated); admins always."""
    return frozenset(role.strip().lower() for role in setting.split(",") if role.strip()) | {"admin"}


def may_publish(role: str, setting: str) -> bool:
    """Whether ``role`` may publish an article or change a published one (the bot sends what is
    published, word for word); anyone may write and edit drafts."""
    return role in publishers(setting)
