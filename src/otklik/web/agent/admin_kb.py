"""Admin: the knowledge base — articles listed, written and edited (each edit a new version)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from otklik.core.taxonomy import Category
from otklik.kb.actions import check_article, do_create_article, do_update_article
from otklik.kb.models import Article
from otklik.kb.queries import get_article, list_articles_query
from otklik.web.agent.admin import _page, _save
from otklik.web.agent.deps import AdminDep, Desk, Fields, FormDep, PathId
from otklik.web.common import DB
from otklik.web.ui import LANGS, N_

router = APIRouter(include_in_schema=False)
LIST = 200
#: an article's language, named in the reader's (a Russian page says «английский», not «English»)
LANG_NAMES = {"ru": N_("Russian"), "en": N_("English")}


def kb_page(db: Session, desk: Desk, *, editing: Article | None = None, status: int = 200, error: str = "",
            saved: bool = False) -> Response:  # fmt: skip
    articles = list(db.scalars(list_articles_query().limit(LIST)))
    return _page(desk, "kb", status=status, error=error, saved=saved, articles=articles, editing=editing,
                 categories=list(Category), langs=LANGS, lang_names=LANG_NAMES)  # fmt: skip


@router.get("/admin/kb")
def kb(desk: AdminDep, db: DB, saved: int = 0) -> Response:
    return kb_page(db, desk, saved=bool(saved))


@router.get("/admin/kb/{article_id}")
def kb_edit(article_id: PathId, desk: AdminDep, db: DB, saved: int = 0) -> Response:
    return kb_page(db, desk, editing=get_article(db, article_id), saved=bool(saved))


def _draft(form: Fields) -> tuple[str, str, str, str]:
    return form.get("title")[:400], form.get("body")[:60_000], form.get("category"), form.get("lang")


@router.post("/admin/kb")
def kb_create(desk: AdminDep, form: FormDep, db: DB) -> Response:
    def change() -> None:
        draft = check_article(*_draft(form))
        do_create_article(db, draft, actor=desk.actor, published=form.flag("published"), author_agent_id=desk.agent.id)

    return _save(db, desk, change, "/admin/kb", lambda e, s: kb_page(db, desk, status=s, error=e))


@router.post("/admin/kb/{article_id}")
def kb_update(article_id: PathId, desk: AdminDep, form: FormDep, db: DB) -> Response:
    article = get_article(db, article_id)

    def change() -> None:
        draft = check_article(*_draft(form))
        do_update_article(
            db, article, draft, actor=desk.actor, published=form.flag("published"), author_agent_id=desk.agent.id
        )

    return _save(db, desk, change, f"/admin/kb/{article_id}",
                 lambda e, s: kb_page(db, desk, editing=article, status=s, error=e))  # fmt: skip
