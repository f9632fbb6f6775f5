"""Search words as stems, so «поставку» finds «поставка» and "payouts" finds "payout"."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # ships no type information

_WORD = re.compile(r"[\w-]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@cache
def _stemmer(language: str) -> Any:  # the library has no types
    return snowballstemmer.stemmer(language)


def search_stems(query: str, *, limit: int = 8) -> list[str]:
    """The distinct stems of the words of ``query`` (Russian or English by script), lower-cased.

    Words of one or two letters are kept whole: their stems would match nearly everything.
    """
    stems: list[str] = []
    for word in _WORD.findall(query.lower()):
        if len(word) <= 2:
            stem = word
        else:
            language = "russian" if _CYRILLIC.search(word) else "english"
            stem = str(_stemmer(language).stemWord(word.replace("ё", "е")))
            stem = stem if len(stem) >= 3 else word
        if stem not in stems:
            stems.append(stem)
    return stems[:limit]
