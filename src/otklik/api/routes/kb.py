"""The knowledge base: create, edit (each edit is a new version), read, versions, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from otklik.api.deps import DB, AuthDep, PathId, QueryId, Search
from otklik.core.taxonomy import Category
from otklik.kb import actions
from otklik.kb.models import Article
from otklik.kb.queries import current_version, get_article, get_version, list_articles_query, list_versions, search
from otklik.kb.schemas import ArticleIn, ArticleOut, ArticlePage, ArticleSummary, VersionList, VersionOut

#: versions are a 32-bit integer column: a larger number names no version (and PostgreSQL refuses it)
VersionNumber = Annotated[int | None, Query(ge=1, le=2**31 - 1)]

router = APIRouter(prefix="/kb/articles", tags=["kb"])
Lang = Annotated[str | None, Query(pattern="^(ru|en)$")]


@router.post("", status_code=201, response_model=ArticleOut)
def create(body: ArticleIn, db: DB, auth: AuthDep) -> ArticleOut:
    """A new article (version 1), published unless ``published`` is false; searchable at once."""
    draft = actions.check_article(body.title, body.body, body.category.value, body.lang)
    published = True if body.published is None else body.published
    actions.check_publish(auth.principal.role, publishing=published)
    article = actions.do_create_article(db, draft, actor=auth.actor, published=published, author_agent_id=auth.agent.id)
    db.commit()
    return ArticleOut.of(article, current_version(db, article))


@router.put("/{article_id}", response_model=ArticleOut)
def update(article_id: PathId, body: ArticleIn, db: DB, auth: AuthDep) -> ArticleOut:
    """Replace the text: a change becomes the new current version (the search finds only it)."""
    article = get_article(db, article_id)
    draft = actions.check_article(body.title, body.body, body.category.value, body.lang)
    # publishing it, or changing what is already published
    actions.check_publish(auth.principal.role, publishing=bool(body.published) or article.published)
    actions.do_update_article(
        db, article, draft, actor=auth.actor, published=body.published, author_agent_id=auth.agent.id
    )
    db.commit()
    return ArticleOut.of(article, current_version(db, article))


@router.get("/{article_id}", response_model=ArticleOut)
def read(article_id: PathId, db: DB, auth: AuthDep, version: VersionNumber = None) -> ArticleOut:
    """The current version, or ``version`` N."""
    article = get_article(db, article_id)
    shown = get_version(db, article_id, version) if version is not None else current_version(db, article)
    return ArticleOut.of(article, shown)


@router.get("/{article_id}/versions", response_model=VersionList)
def versions(article_id: PathId, db: DB, auth: AuthDep) -> VersionList:
    article = get_article(db, article_id)
    return VersionList(items=[VersionOut.of(v, article.current_version) for v in list_versions(db, article_id)])


@router.get("", response_model=ArticlePage)
def list_(
    db: DB,
    auth: AuthDep,
    q: Search = None,
    lang: Lang = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: QueryId = None,
) -> ArticlePage:
    """With ``q``: published articles matching it, best first (Russian stemming: «поставки» finds
    «поставка»). Without: every article, newest first, ``cursor`` being the last id seen."""
    code = category.value if category is not None else None
    if q:
        hits = search(db, q, lang=lang, category=code, limit=limit)
        found = {a.id: a for a in db.scalars(list_articles_query().where(Article.id.in_([h.article_id for h in hits])))}
        items = [ArticleSummary.of(found[h.article_id], h.rank) for h in hits if h.article_id in found]
        return ArticlePage(items=items, next_cursor=None)
    rows = list(db.scalars(list_articles_query(lang=lang, category=code, cursor=cursor).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return ArticlePage(items=[ArticleSummary.of(a) for a in rows], next_cursor=str(rows[-1].id) if more else None)
