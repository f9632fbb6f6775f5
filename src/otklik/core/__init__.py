"""Shared foundations: settings, database, clock, errors, audit, outbox, taxonomy."""
