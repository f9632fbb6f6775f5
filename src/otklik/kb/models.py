"""Knowledge-base tables: an article and its versions; editing adds a version, the current one is searched.

The full-text index is dialect-specific: on PostgreSQL the ``search_vector`` column (``tsvector``,
``russian`` configuration, GIN index); on SQLite the FTS5 virtual table ``kb_fts`` created by
migration 0006 (rowid = article id). Both hold the normalised text of ``otklik.kb.text`` and are
written by the actions only, never by triggers: normalising is Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

from otklik.core.db import Base, BigIntPK, UTCDateTime


class SearchVector(TypeDecorator[Any]):
    """``tsvector`` on PostgreSQL. SQLite keeps its index in ``kb_fts`` and leaves this column empty."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class Article(Base):
    """A help article. Title, body, category and language live in versions; this row points at
    the current one and says whether the article is published (only published ones are searched)."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        Index("ix_kb_articles_lang_published", "lang", "published"),
        Index("ix_kb_articles_search_vector", "search_vector", postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    #: a stable key for articles that come from a seed file (``otklik kb import``), else null
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    search_vector: Mapped[Any] = mapped_column(SearchVector, nullable=True, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.version", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> ArticleVersion:
        return next(v for v in reversed(self.versions) if v.version == self.current_version)


class ArticleVersion(Base):
    """One state of an article. ``search_text`` is what the index was given for it."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    search_title: Mapped[str] = mapped_column(Text)
    search_body: Mapped[str] = mapped_column(Text)
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship(back_populates="versions")
