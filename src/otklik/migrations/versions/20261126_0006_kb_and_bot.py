"""Knowledge base and self-service bot: articles with versions, the full-text index, the bot's turns.

Reviewed after autogenerate. The index differs by dialect and is written by ``otklik.kb.actions``
(normalising is Python, so no trigger could do it):

* PostgreSQL: ``kb_articles.search_vector`` (``tsvector``, ``russian`` configuration) with a GIN index;
* SQLite: the FTS5 virtual table ``kb_fts`` (rowid = article id; columns ``title`` and ``body``),
  left out of ``alembic check`` by ``migrations/env.py`` since no model describes it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import otklik.core.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = otklik.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "kb_articles",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_articles_slug")),
    )
    with op.batch_alter_table("kb_articles", schema=None) as batch_op:
        batch_op.create_index("ix_kb_articles_lang_published", ["lang", "published"], unique=False)
    if postgres:
        op.create_index(
            "ix_kb_articles_search_vector", "kb_articles", ["search_vector"], unique=False, postgresql_using="gin"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')")
    op.create_table(
        "kb_article_versions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("search_title", sa.Text(), nullable=False),
        sa.Column("search_body", sa.Text(), nullable=False),
        sa.Column("author_agent_id", ID, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_article_versions_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_agent_id"],
            ["agents.id"],
            name=op.f("fk_kb_article_versions_author_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article_versions")),
        sa.UniqueConstraint("article_id", "version", name=op.f("uq_kb_article_versions_article_id_version")),
    )
    op.create_table(
        "bot_turns",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("upto_message_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", ID, nullable=True),
        sa.Column("article_id", ID, nullable=True),
        sa.Column("article_version", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("triage", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["kb_articles.id"], name=op.f("fk_bot_turns_article_id_kb_articles"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_bot_turns_message_id_messages"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_bot_turns_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_turns")),
    )
    with op.batch_alter_table("bot_turns", schema=None) as batch_op:
        batch_op.create_index("ix_bot_turns_ticket_id_id", ["ticket_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bot_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_bot_turns_ticket_id_id")
    op.drop_table("bot_turns")
    op.drop_table("kb_article_versions")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_kb_articles_search_vector", table_name="kb_articles", postgresql_using="gin")
    else:
        op.execute("DROP TABLE IF EXISTS kb_fts")
    with op.batch_alter_table("kb_articles", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_articles_lang_published")
    op.drop_table("kb_articles")
