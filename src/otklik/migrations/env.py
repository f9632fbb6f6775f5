"""Alembic environment: the URL comes from the config object or from OTKLIK_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from otklik import models  # noqa: F401  (registers every table on Base.metadata)
from otklik.core.config import get_settings
from otklik.core.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """SQLite does not report the names of foreign keys added in place (migration 0002),
    so comparing them there only produces false drift; PostgreSQL compares them fully."""
    sqlite = context.get_context().dialect.name == "sqlite"
    if sqlite and _sqlite_only_search(name, type_):
        return False
    return not (type_ == "foreign_key_constraint" and sqlite)


def _sqlite_only_search(name: str | None, type_: str) -> bool:
    """The knowledge base's full-text index on SQLite is the FTS5 table ``kb_fts`` (and the shadow
    tables FTS5 keeps beside it), made by migration 0006 with no model to compare it to; the GIN
    index of the PostgreSQL ``tsvector`` does not exist there (``ddl_if``)."""
    if type_ == "table":
        return (name or "").startswith("kb_fts")
    return type_ == "index" and name == "ix_kb_articles_search_vector"


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]  # Alembic types this loosely
        target_metadata=target_metadata,
        include_object=_include,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
