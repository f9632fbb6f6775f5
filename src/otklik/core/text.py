"""The process's language tools, loaded once and shared by triage, the bot, the knowledge base, the
reply checker and search: the Russian morphological analyser and the Snowball stemmers; and search
words as stems, so «поставку» finds «поставка» and "payouts" finds "payout".
"""

from __future__ import annotations

import re
import threading
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # ships no type information

_WORD = re.compile(r"[\w-]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

_analyser: list[Any] = []  # the one pymorphy3 analyser, once loaded
_analyser_lock = threading.Lock()
_stemmers = threading.local()


def morph() -> Any:  # pymorphy3 has no types
    """The process's one pymorphy3 analyser, loaded on first use (≈0.15 s and ≈19 MB each time it is
    loaded, which is why there is one). Its dictionaries are read-only, so every thread shares it."""
    if not _analyser:
        with _analyser_lock:
            if not _analyser:
                import pymorphy3  # type: ignore[import-untyped]  # pymorphy3 ships no type information

                _analyser.append(pymorphy3.MorphAnalyzer())
    return _analyser[0]


def stemmer(language: str) -> Any:  # the library has no types
    """This thread's Snowball stemmer of ``language`` ("russian", "english"). A stemmer keeps the word
    it is working on in itself, so two threads sharing one get each other's stems (or an IndexError);
    each thread has its own, a small object."""
    found = getattr(_stemmers, language, None)
    if found is None:
        found = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, found)
    return found


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
            stem = str(stemmer(language).stemWord(word.replace("ё", "е")))
            stem = stem if len(stem) >= 3 else word
        if stem not in stems:
            stems.append(stem)
    return stems[:limit]
