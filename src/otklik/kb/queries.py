"""Reading the knowledge base: articles, their versions, and full-text search.

Search matches the query's normalised terms (``otklik.kb.text``) against the index of current
versions: FTS5 ``MATCH`` ranked by ``bm25`` (title weighs 3) on SQLite, ``websearch_to_tsquery``
with the ``russian`` configuration ranked by ``ts_rank`` (title is weight A) on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select, text
from sqlalchemy.orm import Session

from otklik.core.errors import NotFound
from otklik.kb.models import Article, ArticleVersion
from otklik.kb.text import terms

_SAFE = re.compile(r"[^a-zа-я0-9]+")
MAX_TERMS = 32


@dataclass(frozen=True, slots=True)
class Hit:
    """An article found by search, with its engine's rank (higher is better; not comparable across engines)."""

    article_id: int
    rank: float


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """An article's current version as the index has it."""

    article_id: int
    version: int
    title: str
    body: str
    category: str
    lang: str
    search_title: str
    search_body: str


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound("article_not_found", article_id=article_id)
    return article


def get_version(session: Session, article_id: int, version: int) -> ArticleVersion:
    found = session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id, ArticleVersion.version == version)
    ).first()
    if found is None:
        raise NotFound("article_version_not_found", article_id=article_id, version=version)
    return found


def current_version(session: Session, article: Article) -> ArticleVersion:
    return get_version(session, article.id, article.current_version)


def list_versions(session: Session, article_id: int) -> list[ArticleVersion]:
    return list(
        session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.version)
        )
    )


def get_by_slug(session: Session, slug: str) -> Article | None:
    return session.scalars(select(Article).where(Article.slug == slug)).first()


def list_articles_query(
    *, lang: str | None = None, category: str | None = None, published: bool | None = None, cursor: int | None = None
) -> Select[Article]:
    """Articles newest first; ``cursor`` is the last id seen (keyset pagination)."""
    query = select(Article).order_by(Article.id.desc())
    if lang is not None:
        query = query.where(Article.lang == lang)
    if category is not None:
        query = query.where(Article.category == category)
    if published is not None:
        query = query.where(Article.published.is_(published))
    if cursor is not None:
        query = query.where(Article.id < cursor)
    return query


def query_terms(query: str) -> list[str]:
    """The distinct index terms of a search query, safe for either engine's query syntax."""
    seen: dict[str, None] = {}
    for term in terms(query):
        for part in _SAFE.split(term):
            if part:
                seen.setdefault(part, None)
    return list(seen)[:MAX_TERMS]


def search(
    session: Session,
    query: str,
    *,
    lang: str | None = None,
    category: str | None = None,
    limit: int = 20,
    published_only: bool = True,
) -> list[Hit]:
    """Published articles matching any term of ``query``, best first (see the module docstring)."""
    return search_terms(
        session, query_terms(query), lang=lang, category=category, limit=limit, published_only=published_only
    )


def search_terms(
    session: Session,
    wanted: Sequence[str],
    *,
    lang: str | None = None,
    category: str | None = None,
    limit: int = 20,
    published_only: bool = True,
) -> list[Hit]:
    """Like ``search`` for terms already normalised (``query_terms``)."""
    safe = [part for term in wanted for part in _SAFE.split(term) if part][:MAX_TERMS]
    if not safe:
        return []
    where = ["1 = 1"]
    params: dict[str, object] = {"limit": limit}
    if published_only:
        where.append("a.published")
    if lang is not None:
        where.append("a.lang = :lang")
        params["lang"] = lang
    if category is not None:
        where.append("a.category = :category")
        params["category"] = category
    filters = " AND ".join(where)
    if session.get_bind().dialect.name == "postgresql":
        params["q"] = " or ".join(safe)
        # ``filters`` holds only the fixed clauses above; every value is a bound parameter
        sql = (
            "SELECT a.id, ts_rank(a.search_vector, q.query) AS rank "  # noqa: S608
            "FROM kb_articles a, websearch_to_tsquery('russian', :q) AS q(query) "
            f"WHERE a.search_vector @@ q.query AND {filters} ORDER BY rank DESC, a.id LIMIT :limit"
        )
    else:
        params["q"] = " OR ".join(f'"{t}"' for t in safe)
        sql = (
            "SELECT a.id, -bm25(kb_fts, 3.0, 1.0) AS rank "  # noqa: S608  (fixed clauses, bound values)
            "FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid "
            f"WHERE kb_fts MATCH :q AND {filters} ORDER BY rank DESC, a.id LIMIT :limit"
        )
    rows = session.execute(text(sql), params).all()
    return [Hit(int(row[0]), float(row[1])) for row in rows]


def indexed_docs(session: Session, ids: Sequence[int] | None = None, *, lang: str | None = None) -> list[IndexedDoc]:
    """The current version of published articles (all, or those in ``ids``), as indexed."""
    query = (
        select(ArticleVersion, Article.lang)
        .join(Article, (Article.id == ArticleVersion.article_id) & (Article.current_version == ArticleVersion.version))
        .where(Article.published.is_(True))
        .order_by(Article.id)
    )
    if ids is not None:
        if not ids:
            return []
        query = query.where(Article.id.in_(list(ids)))
    if lang is not None:
        query = query.where(Article.lang == lang)
    return [
        IndexedDoc(v.article_id, v.version, v.title, v.body, v.category, article_lang, v.search_title, v.search_body)
        for v, article_lang in session.execute(query).all()
    ]


def index_signature(session: Session) -> tuple[int, ...]:
    """Changes whenever an article is added, edited, published or unpublished: the bot rebuilds
    its statistics when it moves. One aggregate over ``kb_articles``: count, newest id, versions,
    published ids, title lengths (two rolled-back histories may reuse ids) and the latest change."""
    row = session.execute(
        select(
            func.count(Article.id),
            func.max(Article.id),
            func.sum(Article.current_version),
            func.sum(case((Article.published.is_(True), Article.id), else_=0)),
            func.sum(func.length(Article.title)),
            func.max(Article.updated_at),
        )
    ).one()
    latest = row[5]
    return (*(int(value or 0) for value in row[:5]), int(latest.timestamp() * 1e6) if latest else 0)
