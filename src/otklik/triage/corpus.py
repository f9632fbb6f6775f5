"""The labelled triage corpus shipped with the package: rows, splits and a digest that ties a
trained model file to the corpus it was trained on.

Training reads the hand-written rows of ``corpus.jsonl`` and ``written.jsonl`` (messages written
for training by people who never saw the model, in many voices); the old template rows stay in
the file for the record but no longer train. ``test`` and ``unseen`` are the project's own
held-out sets; ``foreign`` (``tests/data/foreign/triage.jsonl`` in the source tree) was written
and labelled outside the project and is never trained or tuned on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from otklik.core.taxonomy import Category, Urgency

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus.jsonl"
WRITTEN = DATA / "written.jsonl"
UNSEEN = DATA / "unseen.jsonl"
FOREIGN = Path(__file__).resolve().parents[3] / "tests" / "data" / "foreign" / "triage.jsonl"
SPLITS = ("train", "test", "unseen", "foreign")
#: sources that train the model: written by people, not generated
TRAINING_SOURCES = frozenset({"hand", "written"})


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
    """``train``: the written rows of the corpus and ``written.jsonl``; ``test`` from the corpus;
    ``unseen`` and ``foreign`` from their own files (``foreign`` only in a source checkout)."""
    if split == "unseen":
        return read(UNSEEN) if UNSEEN.exists() else []
    if split == "foreign":
        return read(FOREIGN) if FOREIGN.exists() else []
    rows = [e for e in read(CORPUS) if e.split == split]
    if split == "train":
        rows = [e for e in rows if e.source in TRAINING_SOURCES] + (read(WRITTEN) if WRITTEN.exists() else [])
    return rows


def digest() -> str:
    """sha256 of the training files: a model file names the corpus it was trained on."""
    hashed = hashlib.sha256(CORPUS.read_bytes())
    if WRITTEN.exists():
        hashed.update(WRITTEN.read_bytes())
    return hashed.hexdigest()
