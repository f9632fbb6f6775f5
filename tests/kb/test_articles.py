"""Articles through the actions: versions, the index in step with the current version, stemming
search on SQLite FTS5 and PostgreSQL ``russian`` text search alike, seed import."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.core.actors import Actor
from otklik.core.audit import AuditEvent
from otklik.core.errors import InvalidInput
from otklik.kb.actions import check_article, do_create_article, do_update_article
from otklik.kb.models import Article
from otklik.kb.queries import current_version, list_versions, search
from otklik.kb.seed import do_import_seed, load_seed, parse

EDITOR = Actor.system("tests")


def article(db: Session, title: str, body: str, *, category: str = "shipping", lang: str = "ru") -> int:
    created = do_create_article(db, check_article(title, body, category, lang), actor=EDITOR)
    db.flush()
    return created.id


def found(db: Session, query: str, **kwargs: str) -> list[int]:
    return [hit.article_id for hit in search(db, query, **kwargs)]


def test_russian_stemming_finds_other_forms(db: Session) -> None:
    supply = article(db, "Поставка на склад", "Как привезти поставку и пройти приёмку на складе.")
    other = article(db, "Возврат товара", "Как вернуть товар надлежащего качества.", category="returns")
    assert found(db, "поставки") == [supply]
    assert found(db, "поставками на склады") == [supply]
    assert found(db, "приёмки") == [supply]
    assert found(db, "вернули") == [other]  # «вернуть» and «возврат» are one concept
    assert found(db, "алкоголь") == []


def test_an_edit_is_a_new_version_and_search_finds_only_the_new_text(db: Session) -> None:
    article_id = article(db, "Сроки приёмки", "Приёмка занимает до трёх дней, склад Коледино.")
    assert found(db, "коледино") == [article_id]
    entity = db.get_one(Article, article_id)
    text = "Приёмка занимает до пяти дней, склад Электросталь."
    changed = do_update_article(db, entity, check_article("Сроки приёмки", text, "shipping", "ru"), actor=EDITOR)
    assert changed
    assert entity.current_version == 2
    assert found(db, "электросталь") == [article_id]
    assert found(db, "коледино") == []
    assert [v.version for v in list_versions(db, article_id)] == [1, 2]
    assert "Коледино" in list_versions(db, article_id)[0].body  # the old text is kept, not searched
    assert current_version(db, entity).body.endswith("Электросталь.")
    same = do_update_article(
        db, entity, check_article("Сроки приёмки", current_version(db, entity).body, "shipping", "ru"), actor=EDITOR
    )
    assert not same
    assert entity.current_version == 2
    actions = list(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == article_id, AuditEvent.entity == "kb_article")
        )
    )
    assert actions == ["kb.article_created", "kb.article_updated"]


def test_unpublished_articles_are_not_found_and_filters_apply(db: Session) -> None:
    ru = article(db, "Слоты поставки", "Бронирование слота для поставки.")
    en = article(db, "Supply slots", "Booking a slot for a supply.", lang="en")
    assert found(db, "slot", lang="en") == [en]
    assert found(db, "слот", lang="ru") == [ru]
    assert found(db, "слот", category="returns") == []
    entity = db.get_one(Article, ru)
    do_update_article(
        db,
        entity,
        check_article(entity.title, current_version(db, entity).body, "shipping", "ru"),
        actor=EDITOR,
        published=False,
    )
    assert found(db, "слот") == []
    assert (
        db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == ru).order_by(AuditEvent.id)).all()[-1]
        == "kb.article_unpublished"
    )


@pytest.mark.parametrize(
    ("title", "body", "category", "lang", "field"),
    [
        ("  ", "text", "shipping", "ru", "title"),
        ("T", " ", "shipping", "ru", "body"),
        ("T", "text", "weather", "ru", "category"),
        ("T", "text", "shipping", "de", "lang"),
        ("T" * 301, "text", "shipping", "ru", "title"),
    ],
)
def test_bad_input_names_its_field(title: str, body: str, category: str, lang: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_article(title, body, category, lang)
    assert refused.value.field == field


def test_the_seed_set_imports_once_and_then_changes_nothing(db: Session) -> None:
    seed = load_seed()
    assert len(seed) >= 40
    assert {a.lang for a in seed} == {"ru", "en"}
    first = do_import_seed(db, seed, actor=EDITOR)
    assert (first.created, first.updated) == (len(seed), 0)
    again = do_import_seed(db, seed, actor=EDITOR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(seed))
    assert found(db, "поставки")  # the seed is searchable


def test_seed_parser_refuses_a_bad_header() -> None:
    with pytest.raises(ValueError, match="expected"):
        parse("@@ only-a-slug\n# Title\nbody")
    with pytest.raises(ValueError, match="Title"):
        parse("@@ a | ru | shipping\nno title line")
    (one,) = parse("# comment\n@@ a | ru | shipping\n\n# Заголовок\nтекст\nещё")
    assert (one.slug, one.title, one.body) == ("a", "Заголовок", "текст\nещё")
