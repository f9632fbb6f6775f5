"""Customers, their organisations and their identities on every channel."""
