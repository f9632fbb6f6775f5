"""The seed help articles shipped in ``kb/data/articles`` and their import (``otklik kb import``).

A file holds articles as ``@@ slug | lang | category``, then ``# Title``, then the body up to the
next ``@@``; lines starting with ``#`` before the first article are comments. Import is idempotent
by slug: a new slug becomes an article, a changed text becomes a new version, the same text
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from otklik.core.actors import Actor
from otklik.kb.actions import check_article, do_create_article, do_update_article
from otklik.kb.queries import get_by_slug

ARTICLES = Path(__file__).parent / "data" / "articles"


@dataclass(frozen=True, slots=True)
class SeedArticle:
    slug: str
    lang: str
    category: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def parse(text: str, source: str = "<text>") -> list[SeedArticle]:
    """Articles of one seed file; ``ValueError`` names the line of a malformed header."""
    out: list[SeedArticle] = []
    head: tuple[str, str, str] | None = None
    lines: list[str] = []

    def close() -> None:
        if head is None:
            return
        body_lines = list(lines)
        while body_lines and not body_lines[0].strip():
            body_lines.pop(0)
        if not body_lines or not body_lines[0].startswith("# "):
            raise ValueError(f"{source}: article {head[0]} has no '# Title' line")
        title = body_lines[0][2:].strip()
        body = "\n".join(body_lines[1:]).strip()
        out.append(SeedArticle(head[0], head[1], head[2], title, body))

    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("@@"):
            close()
            parts = [p.strip() for p in line[2:].split("|")]
            if len(parts) != 3 or not all(parts):
                raise ValueError(f"{source}:{number}: expected '@@ slug | lang | category'")
            head = (parts[0], parts[1], parts[2])
            lines = []
        elif head is not None:
            lines.append(line)
    close()
    return out


def load_seed(folder: Path = ARTICLES) -> list[SeedArticle]:
    """Every seed article, in file and then file-order; slugs are unique."""
    articles: list[SeedArticle] = []
    for path in sorted(folder.glob("*.txt")):
        articles.extend(parse(path.read_text(encoding="utf-8"), path.name))
    slugs = [a.slug for a in articles]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ValueError(f"duplicate seed slugs: {', '.join(duplicates)}")
    return articles


def do_import_seed(session: Session, articles: list[SeedArticle], *, actor: Actor) -> ImportSummary:
    """Create or update the seed articles by slug (see the module docstring). Emits the
    ``kb.article_*`` events of ``otklik.kb.actions`` for what changes."""
    created = updated = unchanged = 0
    for seed in articles:
        draft = check_article(seed.title, seed.body, seed.category, seed.lang)
        existing = get_by_slug(session, seed.slug)
        if existing is None:
            do_create_article(session, draft, actor=actor, slug=seed.slug)
            created += 1
        elif do_update_article(session, existing, draft, actor=actor):
            updated += 1
        else:
            unchanged += 1
    return ImportSummary(created, updated, unchanged)
