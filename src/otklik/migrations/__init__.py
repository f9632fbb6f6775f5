"""Alembic migrations; ``otklik migrate`` runs them (see ``otklik.core.migrate``)."""
