"""The one write path of the knowledge base: create, edit (a new version), publish; each audited,
each keeping the full-text index in step with the article's current version.

Actions flush and never commit. Events: ``kb.article_created``, ``kb.article_updated`` (a new
version), ``kb.article_published`` / ``kb.article_unpublished``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from otklik.core import audit, clock
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.errors import Conflict, Forbidden, InvalidInput
from otklik.core.taxonomy import Category
from otklik.kb.models import Article, ArticleVersion
from otklik.kb.rules import may_publish, publishers
from otklik.kb.text import index_text

LANGS = ("ru", "en")
MAX_TITLE = 300
MAX_BODY = 50_000
MAX_SLUG = 120


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """Checked input of an article: what a version holds."""

    title: str
    body: str
    category: str
    lang: str


def check_publish(role: str, *, publishing: bool) -> None:
    """``Forbidden`` when ``role`` would publish (or change a published article) without the grant of
    ``OTKLIK_KB_PUBLISHERS``: what is published, the bot sends to customers as it stands."""
    setting = get_settings().kb_publishers
    if publishing and not may_publish(role, setting):
        raise Forbidden("kb_publish_forbidden", roles=", ".join(sorted(publishers(setting))))


def check_article(title: str, body: str, category: str, lang: str) -> ArticleDraft:
    """Trimmed, validated input; ``InvalidInput`` names the first field that is wrong."""
    clean_title = " ".join(title.split())
    if not clean_title:
        raise InvalidInput("invalid_field", field="title", reason="пусто / empty")
    if len(clean_title) > MAX_TITLE:
        raise InvalidInput("invalid_field", field="title", reason=f"1–{MAX_TITLE} символов / characters")
    clean_body = body.strip()
    if not clean_body:
        raise InvalidInput("invalid_field", field="body", reason="пусто / empty")
    if len(clean_body) > MAX_BODY:
        raise InvalidInput("invalid_field", field="body", reason=f"1–{MAX_BODY} символов / characters")
    if category not in {c.value for c in Category}:
        codes = ", ".join(c.value for c in Category)
        raise InvalidInput("invalid_field", field="category", reason=f"одна из / one of: {codes}")
    if lang not in LANGS:
        raise InvalidInput("invalid_field", field="lang", reason="ru | en")
    return ArticleDraft(clean_title, clean_body, category, lang)


def do_create_article(
    session: Session,
    draft: ArticleDraft,
    *,
    actor: Actor,
    published: bool = True,
    slug: str | None = None,
    author_agent_id: int | None = None,
    at: datetime | None = None,
) -> Article:
    """A new article with version 1, indexed. Emits ``kb.article_created``."""
    moment = at or clock.now()
    if slug is not None:
        slug = _check_slug(session, slug)
    article = Article(
        slug=slug,
        title=draft.title,
        category=draft.category,
        lang=draft.lang,
        published=published,
        current_version=1,
        created_at=moment,
        updated_at=moment,
    )
    session.add(article)
    session.flush()
    version = _add_version(session, article, draft, 1, author_agent_id, moment)
    _index(session, article, version)
    audit.record(
        session,
        actor=actor,
        action="kb.article_created",
        entity="kb_article",
        entity_id=article.id,
        data={"version": 1, "title": draft.title, "category": draft.category, "lang": draft.lang, "slug": slug},
        at=moment,
    )
    return article


def do_update_article(
    session: Session,
    article: Article,
    draft: ArticleDraft,
    *,
    actor: Actor,
    published: bool | None = None,
    author_agent_id: int | None = None,
    at: datetime | None = None,
) -> bool:
    """Edit an article: a changed title, body, category or language becomes a new current version
    (the index then holds the new text only); ``published`` switches visibility. Returns whether a
    version was added. Emits ``kb.article_updated`` and/or ``kb.article_published`` /
    ``kb.article_unpublished``; an edit that changes nothing emits nothing."""
    moment = at or clock.now()
    current = current_version_of(session, article)
    changed = (current.title, current.body, current.category, current.lang) != (
        draft.title,
        draft.body,
        draft.category,
        draft.lang,
    )
    if changed:
        number = article.current_version + 1
        version = _add_version(session, article, draft, number, author_agent_id, moment)
        article.current_version = number
        article.title, article.category, article.lang = draft.title, draft.category, draft.lang
        article.updated_at = moment
        session.flush()
        _index(session, article, version)
        audit.record(
            session,
            actor=actor,
            action="kb.article_updated",
            entity="kb_article",
            entity_id=article.id,
            data={"version": number, "from_version": current.version, "title": draft.title},
            at=moment,
        )
    if published is not None and published != article.published:
        article.published = published
        article.updated_at = moment
        audit.record(
            session,
            actor=actor,
            action="kb.article_published" if published else "kb.article_unpublished",
            entity="kb_article",
            entity_id=article.id,
            data={"version": article.current_version},
            at=moment,
        )
    session.flush()
    return changed


def do_reindex(session: Session) -> int:
    """Rebuild the full-text index from every article's current version (after the normaliser
    changed); returns how many articles were indexed. Emits nothing: no content changes."""
    count = 0
    for article in session.scalars(select(Article).order_by(Article.id)):
        version = current_version_of(session, article)
        version.search_title = index_text(version.title)
        version.search_body = index_text(version.body)
        _index(session, article, version)
        count += 1
    session.flush()
    return count


def current_version_of(session: Session, article: Article) -> ArticleVersion:
    return session.scalars(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article.id, ArticleVersion.version == article.current_version
        )
    ).one()


def _check_slug(session: Session, slug: str) -> str:
    slug = slug.strip()
    if not slug or len(slug) > MAX_SLUG:
        raise InvalidInput("invalid_field", field="slug", reason=f"1–{MAX_SLUG} символов / characters")
    holder = session.scalar(select(Article.id).where(Article.slug == slug))
    if holder is not None:
        raise Conflict("article_slug_taken", field="slug", slug=slug, article_id=holder)
    return slug


def _add_version(
    session: Session, article: Article, draft: ArticleDraft, number: int, author_agent_id: int | None, at: datetime
) -> ArticleVersion:
    version = ArticleVersion(
        article_id=article.id,
        version=number,
        title=draft.title,
        body=draft.body,
        category=draft.category,
        lang=draft.lang,
        search_title=index_text(draft.title),
        search_body=index_text(draft.body),
        author_agent_id=author_agent_id,
        created_at=at,
    )
    session.add(version)
    session.flush()
    return version


def _index(session: Session, article: Article, version: ArticleVersion) -> None:
    """Put ``version`` in the full-text index as the article's only entry (the old text leaves it)."""
    if session.get_bind().dialect.name == "postgresql":
        russian: ColumnElement[Any] = literal_column("'russian'::regconfig")
        vector = func.setweight(func.to_tsvector(russian, version.search_title), literal_column("'A'")).op("||")(
            func.setweight(func.to_tsvector(russian, version.search_body), literal_column("'B'"))
        )
        session.execute(update(Article).where(Article.id == article.id).values(search_vector=vector))
        return
    session.execute(text("DELETE FROM kb_fts WHERE rowid = :id"), {"id": article.id})
    session.execute(
        text("INSERT INTO kb_fts (rowid, title, body) VALUES (:id, :title, :body)"),
        {"id": article.id, "title": version.search_title, "body": version.search_body},
    )
