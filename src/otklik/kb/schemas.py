"""API shapes of the knowledge base."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from otklik.core.schemas import NON_BLANK, StrictIn
from otklik.core.taxonomy import Category
from otklik.kb.actions import MAX_BODY, MAX_TITLE
from otklik.kb.models import Article, ArticleVersion


class ArticleIn(StrictIn):
    """A new article, or the next version of one (``PUT``)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE, pattern=NON_BLANK)
    body: str = Field(min_length=1, max_length=MAX_BODY, pattern=NON_BLANK)
    category: Category
    lang: str = Field(pattern="^(ru|en)$")
    published: bool | None = None


class ArticleOut(BaseModel):
    id: int
    title: str
    body: str
    category: str
    lang: str
    published: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, article: Article, version: ArticleVersion) -> ArticleOut:
        return cls(
            id=article.id,
            title=version.title,
            body=version.body,
            category=version.category,
            lang=version.lang,
            published=article.published,
            version=version.version,
            created_at=article.created_at,
            updated_at=article.updated_at,
        )


class VersionOut(BaseModel):
    version: int
    title: str
    body: str
    category: str
    lang: str
    author_agent_id: int | None
    created_at: datetime
    current: bool

    @classmethod
    def of(cls, version: ArticleVersion, current: int) -> VersionOut:
        return cls(
            version=version.version,
            title=version.title,
            body=version.body,
            category=version.category,
            lang=version.lang,
            author_agent_id=version.author_agent_id,
            created_at=version.created_at,
            current=version.version == current,
        )


class VersionList(BaseModel):
    items: list[VersionOut]


class ArticleSummary(BaseModel):
    id: int
    title: str
    category: str
    lang: str
    published: bool
    version: int
    updated_at: datetime
    #: the search engine's relevance (higher is better), null when listing without ``q``
    rank: float | None = None

    @classmethod
    def of(cls, article: Article, rank: float | None = None) -> ArticleSummary:
        return cls(
            id=article.id,
            title=article.title,
            category=article.category,
            lang=article.lang,
            published=article.published,
            version=article.current_version,
            updated_at=article.updated_at,
            rank=None if rank is None else round(rank, 6),
        )


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None
