"""The knowledge base's entries in the shared message catalogue (Russian first, English second).

Kept beside the domain that raises them and added to ``otklik.core.i18n.CATALOGUE`` when the
domain is imported, which every code path raising them does first.
"""

from __future__ import annotations

from otklik.core.i18n import CATALOGUE

ENTRIES: dict[str, dict[str, str]] = {
    "article_not_found": {
        "ru": "Статья базы знаний #{article_id} не найдена.",
        "en": "Knowledge-base article #{article_id} was not found.",
    },
    "article_version_not_found": {
        "ru": "У статьи #{article_id} нет версии {version}.",
        "en": "Article #{article_id} has no version {version}.",
    },
    "article_slug_taken": {
        "ru": "Ключ статьи «{slug}» уже занят статьёй #{article_id}.",
        "en": "The article key '{slug}' is already used by article #{article_id}.",
    },
}

for _code, _entry in ENTRIES.items():
    CATALOGUE.setdefault(_code, _entry)
