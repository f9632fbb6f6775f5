"""kb_dump: a near-copy of a knowledge-base article that does not address the customer's question,
and the same template sent again to the same customer in one ticket.

Both detectors take plain values: the analysed reply, the customer's message, candidate articles
(from whatever ``ArticleSource`` the caller has) and the earlier replies of the ticket.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz

from otklik.quality.text import Text, analyse

COPY_SIMILARITY = 90.0  # partial_ratio of a reply sentence against an article: a pasted sentence
COPY_MIN_CHARS = 80  # a pasted block shorter than this is a quotation, not a dump
COPY_MIN_SHARE = 0.5  # …or it must be at least half of the reply
RELEVANCE = 0.6  # share of the question's content words the pasted block must share to answer it
FRAME_MIN_WORDS = 15  # the agent's own words around a quotation that make it a cited rule, not a dump
REPEAT_SIMILARITY = 88.0  # a reply sentence against an earlier reply of the same ticket
REPEAT_WHOLE = 85.0  # the whole reply against an earlier one
REPEAT_MIN_CHARS = 60
REPEAT_MIN_SHARE = 0.6
MIN_SENTENCE_WORDS = 5
_CONTENT_POS = frozenset({"NOUN", "VERB", "INFN", "ADJF", "ADJS", "PRTF", "PRTS"})
_STOP = frozenset(
    """about also been cannot could from have hello into just please should still thank thanks that their there
    they this what when where which will with would you your быть ваш весь вы где делать день добрый ещё
    здравствовать как какой когда который можно мой мочь мы наш новый нужно очень писать пожалуйста почему
    прийти просто свой сделать спасибо стать также уважаемый уже хотеть что это этот""".split()  # noqa: SIM905  (a word list reads better as text)
)
_SPACES = re.compile(r"\s+")
_QUOTED = re.compile(r"«([^«»]+)»|\"([^\"]+)\"|“([^“”]+)”|„([^„“]+)“")
QUOTE_SIMILARITY = 90.0  # partial_ratio of a quotation against the customer's message
QUOTE_MIN_WORDS = 3  # «Поставки» is a menu item; a quotation of the customer has words


@dataclass(frozen=True, slots=True)
class Article:
    """A knowledge-base article as the checker needs it: an id to name it and its text."""

    id: str
    text: str
    title: str = ""


class ArticleSource(Protocol):
    """Where candidate articles come from (the knowledge base, when it exists)."""

    def candidates(self, query: str, lang: str, limit: int) -> Sequence[Article]: ...


class NoArticles:
    """The source to use while there is no knowledge base: kb_dump then only sees repetition."""

    def candidates(self, query: str, lang: str, limit: int) -> Sequence[Article]:
        return ()


@dataclass(frozen=True, slots=True)
class Block:
    """Contiguous reply sentences found elsewhere: characters ``start``..``end`` of the reply."""

    start: int
    end: int
    source: str  # the article id, or ``reply:<n>`` for the n-th earlier reply


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.lower().replace("ё", "е")).strip()


def content_keys(text: Text) -> set[str]:
    """The content words of a text as five-letter lemma prefixes (выплата ~ выплатить)."""
    keys: set[str] = set()
    for token in text.tokens:
        if token.is_number or len(token.lower) < 3 or token.lemma in _STOP:
            continue
        if token.cyrillic:
            grams = token.grams[0]
            if grams and not (grams & _CONTENT_POS):
                continue
        elif len(token.lower) < 4:
            continue
        keys.add(token.lemma[:5])
    return keys


def _blocks(text: Text, against: str, threshold: float, source: str) -> list[Block]:
    """Runs of reply sentences (of at least ``MIN_SENTENCE_WORDS`` words) that ``against`` contains."""
    target = _norm(against)
    blocks: list[Block] = []
    run: list[tuple[int, int]] = []
    for sentence in text.sentences:
        words = sentence.last - sentence.first
        piece = text.raw[sentence.start : sentence.end]
        copied = words >= MIN_SENTENCE_WORDS and fuzz.partial_ratio(_norm(piece), target) >= threshold
        if copied:
            run.append((sentence.start, sentence.end))
        elif words >= MIN_SENTENCE_WORDS and run:  # a short sentence (a greeting) does not break a run
            blocks.append(Block(run[0][0], run[-1][1], source))
            run = []
    if run:
        blocks.append(Block(run[0][0], run[-1][1], source))
    return blocks


def _big(block: Block, text: Text, min_chars: int, min_share: float) -> bool:
    size = block.end - block.start
    body = max(len(text.raw.strip()), 1)
    return size >= min_chars and (size / body >= min_share or size >= 2 * min_chars)


def relevance(block_text: Text, question: Text) -> float:
    """Share of the question's content words found in the block (0 when the question has none)."""
    asked = content_keys(question)
    if not asked:
        return 0.0
    return len(asked & content_keys(block_text)) / len(asked)


def _framed(text: Text, blocks: Sequence[Block], question: Text) -> bool:
    """The reply's own words outside the pasted ``blocks`` answer the question: the article is
    quoted to back an answer («приведу требования из инструкции: … По вашей поставке причина — …»),
    not pasted instead of one. Needs at least ``FRAME_MIN_WORDS`` words of the agent's own."""
    own = text.raw
    for block in sorted(blocks, key=lambda b: b.start, reverse=True):
        own = own[: block.start] + " " + own[block.end :]
    rest = analyse(own, text.lang)
    return len(rest.tokens) >= FRAME_MIN_WORDS and relevance(rest, question) >= RELEVANCE


def article_dumps(text: Text, customer_message: str | None, articles: Sequence[Article]) -> list[Block]:
    """Pasted article blocks that share too little with the customer's question to answer it, and
    that the reply does not frame with an answer of its own.

    Without the customer's message nothing is flagged: whether a text answers cannot be judged."""
    if not customer_message or not articles:
        return []
    question = analyse(customer_message)
    found: list[Block] = []
    for article in articles:
        blocks = [
            block
            for block in _blocks(text, article.text, COPY_SIMILARITY, article.id)
            if _big(block, text, COPY_MIN_CHARS, COPY_MIN_SHARE)
        ]
        if not blocks or _framed(text, blocks, question):
            continue
        for block in blocks:
            pasted = analyse(text.raw[block.start : block.end], text.lang)
            if relevance(pasted, question) < RELEVANCE:
                found.append(block)
    return found


def customer_quotes(raw: str, customer_message: str | None) -> list[tuple[int, int]]:
    """Character spans of quotations of the customer's own message in the reply («Вы пишете:
    «надеюсь, вы сами разберётесь»»). A phrase inside one is the customer's, not the agent's."""
    if not customer_message:
        return []
    target = _norm(customer_message)
    spans: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(raw):
        group = next(g for g in range(1, 5) if match.group(g) is not None)
        quoted = _norm(match.group(group))
        if len(quoted.split()) >= QUOTE_MIN_WORDS and fuzz.partial_ratio(quoted, target) >= QUOTE_SIMILARITY:
            spans.append(match.span(group))
    return spans


def repeated_templates(text: Text, earlier_replies: Sequence[str]) -> list[Block]:
    """Blocks of the reply that repeat an earlier reply of the same ticket almost word for word."""
    found: list[Block] = []
    body = text.raw.strip()
    for number, earlier in enumerate(earlier_replies, 1):
        if len(earlier.strip()) < REPEAT_MIN_CHARS:
            continue
        if len(body) >= REPEAT_MIN_CHARS and fuzz.ratio(_norm(body), _norm(earlier)) >= REPEAT_WHOLE:
            found.append(Block(0, len(text.raw), f"reply:{number}"))
            continue
        for block in _blocks(text, earlier, REPEAT_SIMILARITY, f"reply:{number}"):
            if _big(block, text, REPEAT_MIN_CHARS, REPEAT_MIN_SHARE):
                found.append(block)
    return found
