"""Builds the triage corpus files from the hand-written sources and the templates, deterministically.

``python -m otklik.triage.compose`` rewrites ``data/corpus.jsonl`` (train + test) and
``data/unseen.jsonl``. Hand-written messages are split by a hash of their text (about 45 % go
to ``test``); template-filled messages only ever go to ``train``, so the held-out set is all
hand-written. The unseen set is hand-written apart, after the model was tuned.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

from otklik.triage.templates import (
    ASIDES_RU,
    BODIES,
    BODIES_EN,
    CLOSERS_EN,
    CLOSERS_RU,
    FILLERS,
    OPENERS_EN,
    OPENERS_RU,
)

DATA = Path(__file__).parent / "data"
URGENCY_CODES = {"U": "urgent", "N": "normal", "L": "low"}
TEST_SHARE = 45  # percent of hand-written messages held out
TEMPLATE_COUNT = 640
SEED = 20261126
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def lang_of(text: str) -> str:
    """``ru`` when the text has Cyrillic letters, else ``en``."""
    return "ru" if _CYRILLIC.search(text) else "en"


def _split_of(text: str) -> str:
    bucket = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE else "train"


def read_handwritten(folder: Path) -> list[dict[str, str]]:
    """Rows from ``folder/*.txt``: ``U|N|L | text`` (category from the file name) or
    ``category U|N|L | text`` (``mixed.txt``); ``\\n`` in a text is a line break."""
    rows = []
    for path in sorted(folder.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            head, _, text = line.partition(" | ")
            parts = head.split()
            category = parts[0] if len(parts) == 2 else path.stem
            urgency = URGENCY_CODES[parts[-1]]
            text = text.strip().replace("\\n", "\n")
            if not text:
                raise ValueError(f"{path.name}:{number}: empty text")
            rows.append(
                {"text": text, "lang": lang_of(text), "category": category, "urgency": urgency, "source": "hand"}
            )
    return rows


def _fill(template: str, rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(FILLERS[m.group(1)]), template)


def _typos(text: str, rng: random.Random, rate: float) -> str:
    """Drop, double or swap letters in some words, as people type on phones."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) < 5 or not word.isalpha() or rng.random() > rate:
            continue
        pos = rng.randrange(1, len(word) - 2)
        match rng.randrange(3):
            case 0:
                words[i] = word[:pos] + word[pos + 1 :]
            case 1:
                words[i] = word[:pos] + word[pos] + word[pos:]
            case _:
                words[i] = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    return " ".join(words)


def _style(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.06:
        text = text.upper() + rng.choice(("!!!", "!!", "???", ""))
    elif roll < 0.40:
        text = text.lower().rstrip(".")
    elif roll < 0.50:
        text = text.replace(",", "").replace(".", "")
    if rng.random() < 0.25:
        text = _typos(text, rng, 0.25)
    return text


def template_rows(count: int = TEMPLATE_COUNT, seed: int = SEED) -> list[dict[str, str]]:
    """``count`` template-filled messages, about 12 % English, drawn evenly over the label pairs."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible corpus, not a secret)
    keys_ru = sorted(BODIES)
    keys_en = sorted(BODIES_EN)
    rows = []
    for index in range(count):
        english = index % 10 == 0
        keys = keys_en if english else keys_ru
        category, urgency = keys[index % len(keys)] if rng.random() < 0.5 else rng.choice(keys)
        bodies = (BODIES_EN if english else BODIES)[(category, urgency)]
        body = _fill(rng.choice(bodies), rng)
        body = body[0].upper() + body[1:]
        if english:
            text = rng.choice(OPENERS_EN) + body + rng.choice((".", "!", "", "?")) + rng.choice(CLOSERS_EN)
        else:
            text = rng.choice(OPENERS_RU) + body + rng.choice((".", "!", "", "!!", ".")) + rng.choice(CLOSERS_RU)
            if urgency != "low" and rng.random() < 0.15:
                text += " " + _fill(rng.choice(ASIDES_RU), rng)
        text = _style(text.strip(), rng)
        rows.append(
            {"text": text, "lang": lang_of(text), "category": category, "urgency": urgency, "source": "template"}
        )
    return rows


def build() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The corpus (train + test) and the unseen set, each row with an ``id`` and ``split``."""
    corpus = []
    seen: set[str] = set()
    for row in read_handwritten(DATA / "handwritten"):
        seen.add(row["text"].lower())
        corpus.append({**row, "split": _split_of(row["text"])})
    for row in template_rows():
        if row["text"].lower() in seen:
            continue  # a template that happens to equal a hand-written message would leak into test
        seen.add(row["text"].lower())
        corpus.append({**row, "split": "train"})
    unseen = [{**row, "split": "unseen"} for row in read_handwritten(DATA / "unseen")]
    for prefix, rows in (("c", corpus), ("u", unseen)):
        for number, row in enumerate(rows, 1):
            row["id"] = f"{prefix}{number:05d}"
    return corpus, unseen


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    keys = ("id", "split", "lang", "category", "urgency", "source", "text")
    lines = [json.dumps({k: row[k] for k in keys}, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    corpus, unseen = build()
    write_jsonl(DATA / "corpus.jsonl", corpus)
    write_jsonl(DATA / "unseen.jsonl", unseen)
    splits = {s: sum(1 for r in corpus if r["split"] == s) for s in ("train", "test")}
    print(f"corpus: {len(corpus)} ({splits}), unseen: {len(unseen)}")


if __name__ == "__main__":
    main()
