"""Bringing an outside writer's replies into the packaged corpus: flags given as verbatim text get
their offsets, articles their item-prefixed ids, and each reply its split.

    python -m otklik.quality.importing replies.jsonl written2

A fixed share of the ids (every number divisible by 4) goes to ``<name>_check``: never trained
on, it tells how the checker does on a new writer's wordings.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
_NUMBER = re.compile(r"(\d+)\D*$")


def split_of(item_id: str, name: str) -> str:
    """``<name>_check`` for ids whose number is divisible by 4, else ``name``."""
    found = _NUMBER.search(item_id)
    return f"{name}_check" if found and int(found.group(1)) % 4 == 0 else name


def locate(reply: str, flags: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Offsets of each flag's verbatim text, the first occurrence not already taken by the same code.
    A text that is not in the reply is an error in the source: it raises."""
    out: list[dict[str, Any]] = []
    for flag in flags:
        text = flag["text"].strip()
        start = reply.find(text)
        while start >= 0 and any(f["code"] == flag["code"] and f["start"] == start for f in out):
            start = reply.find(text, start + 1)
        if start < 0 or not text:
            raise ValueError(f"flag text not in the reply: {text!r}")
        out.append({"code": flag["code"], "start": start, "end": start + len(text), "text": text})
    return out


def convert(row: dict[str, Any], name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One source row as a corpus row, and its articles as article rows."""
    articles = [
        {"id": f"{row['id']}-{a['id']}", "title": a.get("title", ""), "body": a["body"]}
        for a in row.get("articles") or ()
    ]
    item = {
        "id": row["id"],
        "split": split_of(row["id"], name),
        "lang": row["lang"],
        "public": bool(row["public"]),
        "reply": row["reply"],
        "customer_message": row.get("customer_message"),
        "earlier_replies": list(row.get("earlier_replies") or ()),
        "articles": [a["id"] for a in articles],
        "flags": locate(row["reply"], row["flags"]),
    }
    return item, articles


def write(source: Path, name: str, data: Path = DATA) -> tuple[int, int]:
    """Write ``<name>.jsonl`` and ``<name>_articles.jsonl`` from ``source``; returns the counts of
    replies and articles. Rows that are not valid JSON (a file still being written) are skipped."""
    items: list[str] = []
    articles: list[str] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        item, own = convert(row, name)
        items.append(json.dumps(item, ensure_ascii=False))
        articles += [json.dumps(a, ensure_ascii=False) for a in own]
    (data / f"{name}.jsonl").write_text("".join(f"{line}\n" for line in items), encoding="utf-8")
    (data / f"{name}_articles.jsonl").write_text("".join(f"{line}\n" for line in articles), encoding="utf-8")
    return len(items), len(articles)


if __name__ == "__main__":
    replies, found = write(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "written2")
    print(f"{replies} replies, {found} articles")
