"""The labelled triage corpus shipped with the package: rows, splits and a digest that ties a
trained model file to the corpus it was trained on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from otklik.core.taxonomy import Category, Urgency

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus.jsonl"
UNSEEN = DATA / "unseen.jsonl"
SPLITS = ("train", "test", "unseen")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message. ``weight`` > 1 for agents' corrections, which outrank the corpus."""

    text: str
    category: str
    urgency: str
    lang: str = "ru"
    split: str = "train"
    source: str = "hand"
    weight: float = 1.0


def read(path: Path) -> list[Example]:
    """Rows of a JSONL corpus file; labels are checked against the taxonomy."""
    categories = {c.value for c in Category}
    urgencies = {u.value for u in Urgency}
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["category"] not in categories or row["urgency"] not in urgencies or row["split"] not in SPLITS:
            raise ValueError(f"{path.name}:{number}: unknown label or split in {row}")
        rows.append(
            Example(row["text"], row["category"], row["urgency"], row["lang"], row["split"], row.get("source", "hand"))
        )
    return rows


def load_split(split: str) -> list[Example]:
    """``train`` and ``test`` from the corpus, ``unseen`` from its own file."""
    if split == "unseen":
        return read(UNSEEN) if UNSEEN.exists() else []
    return [e for e in read(CORPUS) if e.split == split]


def digest() -> str:
    """sha256 of the corpus file: a model file names the corpus it was trained on."""
    return hashlib.sha256(CORPUS.read_bytes()).hexdigest()
