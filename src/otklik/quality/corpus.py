"""The labelled corpus of drafted replies (``data/*.jsonl``) and the evaluation of the checker on it.

``corpus.jsonl`` holds train/dev/heldout, ``unseen.jsonl`` the unseen split; ``written.jsonl`` (split
``written``, articles in ``written_articles.jsonl``) holds replies an outside writer wrote for training,
many of them good replies that used to draw false alarms. It is a split of its own so that the
figures of the other splits stay what they were. ``written2.jsonl`` (splits ``written2`` for
training and ``written2_check``, the ids divisible by 4, never trained on) holds a second outside
writer's replies, brought in by ``otklik.quality.importing``. ``foreign`` (``tests/data/foreign/quality.jsonl``
in the source tree, each item carrying the articles it quotes) was written and labelled outside
the project and is never tuned on.

A predicted flag counts as correct when a gold flag of the same code overlaps its span (each gold
flag is matched once); a good reply is one with no gold flag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from otklik.quality.lexicon import CODES
from otklik.quality.overlap import Article
from otklik.quality.rules import Finding, find_flags

SPLITS = ("train", "dev", "heldout", "unseen", "written", "written2", "written2_check")
_ITEM_FILES = ("corpus.jsonl", "unseen.jsonl", "written.jsonl", "written2.jsonl")
_ARTICLE_FILES = ("articles.jsonl", "written_articles.jsonl", "written2_articles.jsonl")
FOREIGN = Path(__file__).resolve().parents[3] / "tests" / "data" / "foreign" / "quality.jsonl"


@dataclass(frozen=True, slots=True)
class GoldFlag:
    code: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    split: str
    lang: str
    public: bool
    reply: str
    customer_message: str | None
    earlier_replies: tuple[str, ...]
    articles: tuple[str, ...]
    flags: tuple[GoldFlag, ...]

    @property
    def good(self) -> bool:
        return not self.flags


def _item(row: dict[str, Any]) -> Item:
    return Item(
        id=row["id"],
        split=row["split"],
        lang=row["lang"],
        public=bool(row["public"]),
        reply=row["reply"],
        customer_message=row.get("customer_message"),
        earlier_replies=tuple(row.get("earlier_replies") or ()),
        articles=tuple(row.get("articles") or ()),
        flags=tuple(GoldFlag(f["code"], f["start"], f["end"]) for f in row["flags"]),
    )


def _lines(name: str) -> Iterable[str]:
    data = resources.files("otklik.quality").joinpath("data", name)
    if not data.is_file():
        return ()
    return (line for line in data.read_text(encoding="utf-8").splitlines() if line.strip())


def load_items(splits: Sequence[str] = SPLITS) -> list[Item]:
    """Items of the named splits from the packaged corpus files."""
    rows = [json.loads(line) for name in _ITEM_FILES for line in _lines(name)]
    return [_item(row) for row in rows if row["split"] in splits]


def load_foreign() -> tuple[list[Item], dict[str, Article]]:
    """The foreign split and the articles its replies quote (ids prefixed by the item's), or
    nothing outside a source tree."""
    if not FOREIGN.exists():
        return [], {}
    items: list[Item] = []
    articles: dict[str, Article] = {}
    for line in FOREIGN.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        own = {f"{row['id']}/{a['id']}": a for a in row.get("articles") or ()}
        articles.update({key: Article(key, a["body"], a["title"]) for key, a in own.items()})
        items.append(_item(row | {"articles": list(own)}))
    return items, articles


def load_articles() -> dict[str, Article]:
    """The articles the corpus pastes from, by id."""
    rows = [json.loads(line) for name in _ARTICLE_FILES for line in _lines(name)]
    return {row["id"]: Article(row["id"], row["body"], row["title"]) for row in rows}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Per-flag counts, the micro average, and how many good replies got any flag."""

    items: int = 0
    good: int = 0
    good_flagged: int = 0
    exact_spans: int = 0
    per_code: dict[str, Counts] = field(default_factory=lambda: {code: Counts() for code in CODES})
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (item id, "fp"/"fn", code: text)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.per_code.values():
            total.tp += counts.tp
            total.fp += counts.fp
            total.fn += counts.fn
        return total

    @property
    def good_flag_rate(self) -> float:
        return self.good_flagged / self.good if self.good else 0.0


Checker = Callable[[Item], list[Finding]]


def corpus_checker(articles: dict[str, Article]) -> Checker:
    """The checker as an item sees it: its message, its articles and its ticket's earlier replies."""

    def run(item: Item) -> list[Finding]:
        return find_flags(
            item.reply,
            customer_message=item.customer_message,
            lang=item.lang,
            articles=[articles[a] for a in item.articles],
            earlier_replies=item.earlier_replies,
        )

    return run


def evaluate(items: Iterable[Item], checker: Checker) -> Report:
    report = Report()
    for item in items:
        report.items += 1
        found = checker(item)
        if item.good:
            report.good += 1
            report.good_flagged += bool(found)
        unmatched = list(item.flags)
        for finding in found:
            gold = next(
                (g for g in unmatched if g.code == finding.code and g.start < finding.end and finding.start < g.end),
                None,
            )
            counts = report.per_code[finding.code]
            if gold is None:
                counts.fp += 1
                report.errors.append((item.id, "fp", f"{finding.code}: {item.reply[finding.start : finding.end]}"))
                continue
            unmatched.remove(gold)
            counts.tp += 1
            report.exact_spans += (gold.start, gold.end) == (finding.start, finding.end)
        for gold in unmatched:
            report.per_code[gold.code].fn += 1
            report.errors.append((item.id, "fn", f"{gold.code}: {item.reply[gold.start : gold.end]}"))
    return report
