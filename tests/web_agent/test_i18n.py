"""Russian first, English second: complete and fresh Babel catalogues, localised dates and plurals;
the pinned htmx and our own assets served by the app."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from otklik.core.i18n import LOCALE_DIR as CORE_LOCALE_DIR
from otklik.web.agent.assets import HTMX_SHA256
from otklik.web.ui import LOCALE_DIR, format_relative, format_when, ntr, tr

LANGS = ("ru", "en")


def _po(lang: str) -> object:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=lang)


def _plain(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_is_translated_and_the_mo_is_fresh(lang: str) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as source:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    catalog = _po(lang)
    messages = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}  # type: ignore[attr-defined]
    assert set(messages) >= template, f"run scripts/i18n.sh: {sorted(template - set(messages))[:5]}"
    empty = [key for key, m in messages.items() if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert not empty, f"untranslated in {lang}: {empty[:5]}"
    assert not [key for key, m in messages.items() if "fuzzy" in m.flags]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as source:
        compiled = {m.id if isinstance(m.id, str) else m.id[0]: _plain(m.string) for m in read_mo(source) if m.id}
    assert compiled == {key: _plain(m.string) for key, m in messages.items()}, (
        "the .mo is stale: run scripts/i18n.sh compile"
    )


def _keyed(catalog: Any) -> dict[object, object]:
    return {m.id if isinstance(m.id, str) else m.id[0]: _plain(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("lang", LANGS)
def test_the_message_catalogue_is_complete_and_its_mo_is_fresh(lang: str) -> None:
    """The one catalogue outside the pages (``otklik.core.i18n``, domain ``otklik``): the same keys in
    Russian and English, every one translated, none fuzzy, and the committed ``.mo`` what the ``.po`` says."""
    catalogues = {}
    for each in LANGS:
        with (CORE_LOCALE_DIR / each / "LC_MESSAGES" / "otklik.po").open("rb") as source:
            catalogues[each] = read_po(source, locale=each)
    catalog = catalogues[lang]
    messages = _keyed(catalog)
    assert set(messages) == set(_keyed(catalogues["ru"])) == set(_keyed(catalogues["en"]))
    empty = [key for key, text in messages.items() if not (all(text) if isinstance(text, tuple) else text)]
    assert not empty, f"untranslated in {lang}: {empty[:5]}"
    assert not [m.id for m in catalog if m.id and "fuzzy" in m.flags]
    with (CORE_LOCALE_DIR / lang / "LC_MESSAGES" / "otklik.mo").open("rb") as source:
        compiled = _keyed(read_mo(source))
    assert compiled == messages, "the .mo is stale: run scripts/i18n.sh compile"


def test_every_page_string_is_marked() -> None:
    """No visible English sentence sits in a template outside ``_()`` (a crude but useful net)."""
    root = Path(__file__).resolve().parents[2] / "src" / "otklik" / "web" / "templates"
    for template in [*root.glob("agent/*.html"), *root.glob("admin/*.html")]:
        text = re.sub(r"\{[{%#].*?[}%#]\}", "", template.read_text(), flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        words = [w for w in re.findall(r"[A-Za-z][a-z]{3,}(?: [a-z]{2,})+", text) if w not in {"Ctrl Enter"}]
        assert not words, f"{template.name}: {words[:3]}"


def test_russian_plurals_and_dates() -> None:
    phrases = [ntr("ru", "%(num)d remark on this draft", "%(num)d remarks on this draft", n) for n in (1, 3, 5, 21)]
    assert phrases == [
        "1 замечание к черновику",
        "3 замечания к черновику",
        "5 замечаний к черновику",
        "21 замечание к черновику",
    ]
    assert ntr("en", "%(num)d remark on this draft", "%(num)d remarks on this draft", 2) == "2 remarks on this draft"
    moment = datetime(2026, 12, 26, 9, 0, tzinfo=UTC)
    assert format_when(moment, "ru") == "26 дек., 12:00"  # Moscow time
    assert format_when(moment, "en") == "26 Dec, 12:00"
    assert format_relative(moment + timedelta(minutes=30), "ru", now=moment) == "через 30 минут"
    assert format_relative(moment - timedelta(hours=2), "en", now=moment) == "2 hours ago"
    assert tr("ru", "Typing: %(names)s", names="Анна") == "Печатает: Анна"


def test_russian_is_the_default_and_english_is_chosen(client: TestClient, as_marina: str) -> None:
    assert "Мои" in client.get("/agent/queues/mine").text
    switched = client.get("/ui/lang/en?next=/agent/queues/team", follow_redirects=False)
    assert switched.headers["location"] == "/agent/queues/team"
    page = client.get("/agent/queues/mine").text
    assert '<html lang="en">' in page
    assert "Mine" in page
    assert "Unassigned" in page
    assert '<html lang="ru">' in client.get("/agent/queues/mine?lang=ru").text
    assert client.get("/ui/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/agent"


def test_htmx_is_the_pinned_release_served_by_the_app(client: TestClient) -> None:
    answer = client.get("/static/ui/htmx.min.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert hashlib.sha256(answer.content).hexdigest() == HTMX_SHA256
    for name, kind in (("agent.js", "text/javascript"), ("agent.css", "text/css")):
        served = client.get(f"/static/ui/{name}")
        assert served.status_code == 200
        assert served.headers["content-type"].startswith(kind)
    assert client.get("/static/ui/secret.py").status_code == 404
    assert client.get("/static/ui/..%2Fui.py").status_code == 404


def test_no_external_resource_is_ever_loaded(client: TestClient, as_marina: str) -> None:
    page = client.get("/agent/queues/mine").text
    assert not re.search(r'(src|href)="(https?:)?//', page)
