"""The one message catalogue outside the pages is Babel's: ``translate`` reads the compiled ``.mo``
(a key that only the catalogue knows works), English falls back to Russian, plurals are Russian ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from otklik.core import i18n
from otklik.core.errors import Conflict, NotFound
from otklik.core.i18n import translate, translate_plural


@pytest.fixture
def catalogue_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A locale directory of our own, compiled as ``pybabel compile`` compiles one."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._load.cache_clear()
    yield tmp_path
    i18n._load.cache_clear()


def _compile(root: Path, lang: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=lang, domain="otklik")
    for key, text in messages.items():
        catalog.add(key, text)
    target = root / lang / "LC_MESSAGES" / "otklik.mo"
    target.parent.mkdir(parents=True)
    with target.open("wb") as out:
        write_mo(out, catalog)


def test_translate_reads_the_compiled_catalogue(catalogue_in: Path) -> None:
    _compile(catalogue_in, "ru", {"only.here": "Только в каталоге, {name}", "ru.only": "Лишь по-русски"})
    _compile(catalogue_in, "en", {"only.here": "Only in the catalogue, {name}"})
    assert translate("only.here", "ru", name="Анна") == "Только в каталоге, Анна"
    assert translate("only.here", "en", name="Anna") == "Only in the catalogue, Anna"
    assert translate("ru.only", "en") == "Лишь по-русски"  # Russian first
    assert translate("only.here", "de", name="Anna") == "Только в каталоге, Anna"
    assert translate("ticket_not_found", "en") == "ticket_not_found"  # not in this catalogue: the key itself
    assert not hasattr(i18n, "CATALOGUE")


def test_the_shipped_catalogue_keeps_every_text_and_placeholder() -> None:
    assert translate("ticket_not_found", "ru", ticket_id=7) == "Обращение #7 не найдено."
    assert translate("ticket_not_found", "en", ticket_id=7) == "Ticket #7 was not found."
    assert translate("hold_in_past", "en") == "The promised time must be in the future (now is {now})."
    assert NotFound("article_not_found", article_id=3).message("en") == "Knowledge-base article #3 was not found."
    blocked = Conflict("solve_needs_agent_reply")
    assert "в поле text" in blocked.message("ru")
    assert "в поле text" not in blocked.message("ru", page=True)
    days = [translate_plural("count.day", "count.days", n, "ru") for n in (1, 3, 5, 11, 21)]
    assert days == ["1 день", "3 дня", "5 дней", "11 дней", "21 день"]
    assert translate_plural("count.day", "count.days", 1, "en") == "1 day"
    assert translate("link.went_public", "ru", days=days[1]) == "вышла в публичное поле через 3 дня"
