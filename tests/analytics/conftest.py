"""The parity tests use the stand-in channels and the worker round of the reply-policy tests."""

from tests.quality_policy.conftest import run, sent

__all__ = ["run", "sent"]
