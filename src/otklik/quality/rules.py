"""The reply checker: the flags of docs/taxonomy.md in a draft, each with its character span.

Pure: values in (the draft, the customer's message, candidate articles, earlier replies of the
ticket), findings out. Phrases come from the lexicon; context rules then keep a flag only where
the taxonomy means it: stalling only when the reply names no owner, no next step and no time;
a refusal only when no reason, fact or alternative follows it; an apology only when its sentence
names nothing specific; a stock phrase under «не» («не просто передали») is not itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from otklik.quality import lexicon as lx
from otklik.quality.overlap import Article, Block, article_dumps, customer_quotes, repeated_templates
from otklik.quality.patterns import Match, find
from otklik.quality.text import Text, Token, analyse

_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")
_AFTER_REFUSAL = re.compile(r"^\s*[:—–-]")
_CLAUSE_BREAK = re.compile(r"[.,;:!?—–()«»\"]")


@dataclass(frozen=True, slots=True)
class Finding:
    """One flag: ``code`` from the taxonomy, ``reply[start:end]`` the flagged phrase, ``rule`` the
    detector that found it (``phrase``, ``kb_copy``, ``repeated`` or ``model``), ``source`` what it
    copies, ``confidence`` how often such a flag was right on outside-written replies (a rule's
    measured precision per code, the learned detector's calibrated probability)."""

    code: str
    start: int
    end: int
    rule: str = "phrase"
    source: str = ""
    confidence: float = 1.0


# --- context --------------------------------------------------------------------------------------


def _addressee(text: Text, index: int, customer_words: set[str]) -> bool:
    """A name that greets the customer («Здравствуйте, Светлана!») or is the customer's own."""
    token = text.tokens[index]
    if token.lemma in customer_words:
        return True
    if index == 0:
        return True
    previous = text.tokens[index - 1]
    return previous.lemma in lx.GREETINGS or previous.lower in {"день", "вечер", "утро"}


def _english_owner(text: Text, index: int) -> bool:
    token = text.tokens[index]
    if token.cyrillic or not token.capital or token.is_number or len(token.lower) < 3:
        return False
    if token.lower in lx.EN_NOT_NAMES or index + 1 >= len(text.tokens):
        return False
    if index > 0 and text.tokens[index - 1].lower in lx.GREETINGS:
        return False
    return text.tokens[index + 1].lower in lx.EN_OWNER_NEXT


def has_owner(text: Text, customer_message: str | None = None) -> bool:
    """Someone by name handles the case («Анна из финансового отдела», "Igor from the on-call team")."""
    customer_words = {t.lemma for t in analyse(customer_message).tokens if t.is_name} if customer_message else set()
    for index, token in enumerate(text.tokens):
        if token.is_name and not _addressee(text, index, customer_words):
            return True
        if _english_owner(text, index):
            return True
    return False


def _number(token: Token) -> bool:
    return token.is_number or any("NUMR" in g for g in token.grams) or token.lower in {"one", "two", "three", "an", "a"}


def has_time(text: Text, skip: frozenset[int] | set[int] = frozenset()) -> bool:
    """A concrete time: a date, a weekday, «сегодня», «до 15:00», «в течение трёх дней», "within an hour".
    «В ближайшее время» and "as soon as possible" are not."""
    tokens = text.tokens
    for index, token in enumerate(tokens):
        if index in skip:
            continue
        if _CLOCK.match(token.lower) or token.lemma in lx.TIME_WORDS:
            return True
        if token.lemma in lx.TIME_UNITS or token.lower in lx.TIME_UNITS:
            before = tokens[max(index - 3, 0) : index]
            if any(t.lemma in lx.VAGUE_TIME for t in before):
                continue
            if any(_number(t) or t.lemma in lx.TIME_LEADS for t in before):
                return True
    return False


def has_date(text: Text, first: int, last: int) -> bool:
    """A dated commitment among tokens ``first``..``last - 1``: a clock time («до 18:00»), a number
    with a month or a unit («15 марта», «за 2 часа»), or a deadline on a weekday or month («до
    пятницы», "by Friday"). «Сегодня» and «в ближайшее время» alone are not dates."""
    tokens = text.tokens
    for index in range(first, last):
        token = tokens[index]
        if _CLOCK.match(token.lower):
            return True
        if token.lemma not in lx.TIME_WORDS and token.lemma not in lx.TIME_UNITS and token.lower not in lx.TIME_UNITS:
            continue
        before = tokens[max(index - 2, first) : index]
        if any(t.is_number for t in before) or (index + 1 < last and tokens[index + 1].is_number):
            return True
        if token.lemma in lx.TIME_WORDS and any(t.lower in lx.DEADLINE_LEADS for t in before):
            return True
    return False


def _english_step(text: Text, index: int) -> bool:
    token = text.tokens[index]
    if token.cyrillic:
        return False
    sentence = text.sentence_of(index)
    if token.lower in lx.EN_IMPERATIVES and (index == sentence.first or text.tokens[index - 1].lower == "please"):
        return True
    if not token.lower.startswith(lx.EN_STEP_VERBS):
        return False
    window = [t.lower for t in text.tokens[max(index - 3, sentence.first) : index]]
    return ("we" in window or "i" in window) and "not" not in window


def _russian_step(text: Text, index: int) -> bool:
    token = text.tokens[index]
    if _negated_word(text, index):
        return False
    if any(t.lemma in lx.VAGUE_OBJECTS for t in text.tokens[index + 1 : index + 3]):
        return False  # «проверим информацию и вернёмся»: no step at all
    for lemma, grams in zip(token.lemmas, token.grams, strict=True):
        if lemma in lx.CUSTOMER_STEPS and "excl" in grams:
            return True
        if lemma in lx.NOT_STEPS or ("3per" in grams and "plur" in grams):
            continue
        if lemma in lx.STEP_VERBS and ("1per" in grams or ("VERB" in grams and "past" in grams) or "PRTS" in grams):
            return True
        if "VERB" in grams and "1per" in grams and "excl" not in grams and "incl" not in grams:
            return True  # «проверю», «закреплю»: the agent's own next step
        if "VERB" in grams and "past" in grams:
            before = {t.lower for t in text.tokens[max(index - 2, 0) : index]}
            if before & {"я", "мы"}:
                return True  # «я переключила», «мы нашли»: done
    return False


def step_indexes(text: Text) -> frozenset[int]:
    """Tokens that are a concrete step done or promised: computed once per draft when many spans
    ask ``has_step`` about the rest of the draft (the learned detector does, per sentence)."""
    return frozenset(
        index
        for index, token in enumerate(text.tokens)
        if (_russian_step(text, index) if token.cyrillic else _english_step(text, index))
    )


def has_step(text: Text, skip: set[int]) -> bool:
    """A concrete step done or promised («вернули 612 ₽», «проверю», «пришлите фото»), outside ``skip``."""
    for index, token in enumerate(text.tokens):
        if index in skip:
            continue
        if _russian_step(text, index) if token.cyrillic else _english_step(text, index):
            return True
    return False


def _negated_word(text: Text, index: int) -> bool:
    return index > 0 and text.tokens[index - 1].lower in {"не", "not"}


def _reasoned(text: Text, match: Match, skip: set[int]) -> bool:
    """A reason, a fact or an alternative anywhere in the reply: after the refusal, or before it
    when the «no» closes an explanation («Можно, но только в категориях …; одежда б/у запрещена»)."""
    tail = text.raw[match.end :]
    sentence = text.sentence_of(match.first)
    if _AFTER_REFUSAL.match(tail) and sentence.last - match.last > 3:
        return True
    region = [i for i in range(len(text.tokens)) if i not in skip and not match.first <= i <= match.last]
    for index in region:
        token = text.tokens[index]
        if token.is_number or token.lemma in lx.REASONS or token.lower in lx.REASONS:
            return True
        if index + 1 < len(text.tokens) and (token.lower, text.tokens[index + 1].lemma) in lx.REASON_PAIRS:
            return True
        if token.lemma in lx.ALTERNATIVES or token.lower in lx.ALTERNATIVES:
            if token.lower in {"но", "однако", "but", "however"}:
                continue  # «но» alone is not an alternative; what follows it is judged on its own
            return True
        if token.lemma == "мочь" and not _negated_word(text, index) and any("1per" in g for g in token.grams):
            return True
        if token.lower == "can" and index + 1 < len(text.tokens) and text.tokens[index + 1].lower != "not":
            return True
    return has_step(text, skip | set(range(0, match.last + 1)))


def thanks_only(customer_message: str | None) -> bool:
    """The customer thanks or praises and asks nothing: «передадим коллегам» then passes on the
    thanks, it does not stall a case."""
    if not customer_message or "?" in customer_message:
        return False
    return any(t.lemma in lx.THANKS or t.lower in lx.THANKS for t in analyse(customer_message).tokens)


def _facts_in(text: Text, first: int, last: int) -> bool:
    """A number, a date or a step done or promised among tokens ``first``..``last - 1``."""
    for index in range(first, last):
        token = text.tokens[index]
        if token.is_number or (_russian_step(text, index) if token.cyrillic else _english_step(text, index)):
            return True
    return has_date(text, first, last)


def _followed_by_facts(text: Text, match: Match, formulas: set[int]) -> bool:
    """A short apology whose next sentence says what happened or what was done («Приносим свои
    извинения. Заказ простоял на сортировке два дня, курьер привезёт его завтра до 14:00») is a
    sincere one. Not when it regrets hearing of it, nor when the next sentence is a formula too."""
    sentence = text.sentence_of(match.first)
    if any(t.lower in lx.HEARING or t.lemma in lx.HEARING for t in text.tokens[sentence.first : sentence.last]):
        return False
    following = next((s for s in text.sentences if s.first == sentence.last and s.last > s.first), None)
    if following is None or any(i in formulas for i in range(following.first, following.last)):
        return False
    return _facts_in(text, following.first, following.last)


def _generic_sentence(text: Text, match: Match, formulas: set[int]) -> bool:
    """Nothing specific in the match's sentence besides the formula: no number, at most one content word.
    Words of other formulas (``formulas``) say nothing specific either: «понимаем, как это неприятно,
    надеемся на скорое решение» is two stock phrases, not an apology about this case. (Blame is left
    out of them: «нам жаль, что у вас сложилось впечатление» is one blaming sentence, not a cliché.)"""
    sentence = text.sentence_of(match.first)
    content = 0
    for index in range(sentence.first, sentence.last):
        if match.first <= index <= match.last or index in formulas:
            continue
        token = text.tokens[index]
        if token.is_number or any("NUMR" in g for g in token.grams):
            return False
        if token.is_name or token.lemma in lx.GENERIC or token.lower in lx.GENERIC:
            continue
        content += 1
    return content < 2


# --- assembling ------------------------------------------------------------------------------------


def _indexes(matches: Iterable[Match]) -> set[int]:
    return {i for m in matches for i in range(m.first, m.last + 1)}


def _sentences_of(text: Text, matches: Iterable[Match]) -> set[int]:
    out: set[int] = set()
    for match in matches:
        sentence = text.sentence_of(match.first)
        out.update(range(sentence.first, sentence.last))
    return out


def _inside(match: Match, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= match.start and match.end <= end for start, end in spans)


def _overlaps(match: Match, others: Iterable[Match]) -> bool:
    return any(match.start < other.end and other.start < match.end for other in others)


def _stock(text: Text, match: Match, found: list[Match]) -> bool:
    """A "generic" formula is stock when its sentence names nothing specific and the next sentence
    does not go on to the facts."""
    others = [o for o in found if o is not match]
    formulas = _indexes(o for o in others if o.pattern.code != lx.BLAME)
    return _generic_sentence(text, match, formulas) and not _followed_by_facts(text, match, _indexes(others))


def phrase_matches(text: Text, customer_message: str | None = None) -> list[Match]:
    """Lexicon matches that survive the context rules."""
    return judged_matches(text, customer_message)[0]


def judged_matches(text: Text, customer_message: str | None = None) -> tuple[list[Match], list[Match]]:
    """Lexicon matches that survive the context rules, and those a context rule cleared (an apology
    followed by the facts, a refusal with its reason): the learned detector does not overrule those."""
    quotes = customer_quotes(text.raw, customer_message)
    found = [m for m in find(lx.index(), text) if not _inside(m, quotes)]
    kept = _context(text, customer_message, found)
    return kept, [m for m in found if m not in kept]


def _context(text: Text, customer_message: str | None, found: list[Match]) -> list[Match]:
    """The matches the taxonomy means: each code's context rule applied in turn."""
    matches = [m for m in found if m.pattern.tail != "generic" or _stock(text, m, found)]
    by_code: dict[str, list[Match]] = {code: [] for code in lx.CODES}
    for match in matches:
        by_code[match.pattern.code].append(match)
    # a regret about the customer's impression is blame, not a stock apology; «надеемся на понимание»
    # is blame, not hedging
    by_code[lx.CLICHE] = [m for m in by_code[lx.CLICHE] if not _overlaps(m, by_code[lx.BLAME])]
    by_code[lx.HEDGING] = [m for m in by_code[lx.HEDGING] if not _overlaps(m, by_code[lx.BLAME])]
    by_code[lx.STALLING] = [m for m in by_code[lx.STALLING] if not _overlaps(m, by_code[lx.BLAME])]
    stalls = by_code[lx.STALLING]
    if stalls:
        # a step promised in a hedged sentence («по возможности проверим») is not a step
        skip = _indexes(stalls) | _sentences_of(text, by_code[lx.HEDGING])
        # …and passing on thanks («передадим коллегам») stalls nothing
        answered = has_owner(text, customer_message) or has_step(text, skip) or has_time(text)
        if answered or thanks_only(customer_message):
            by_code[lx.STALLING] = []
    # what blame or a cliché says («читайте правила») is no reason for a refusal
    others = _sentences_of(text, by_code[lx.BLAME] + by_code[lx.CLICHE])
    others |= _indexes(m for code in (lx.HEDGING, lx.STALLING) for m in by_code[code])
    by_code[lx.REFUSAL] = [m for m in by_code[lx.REFUSAL] if not _reasoned(text, m, others)]
    return [m for code in lx.CODES for m in by_code[code]]


def _joined(reply: str, end: int, start: int) -> bool:
    if start < end:
        return True
    between = reply[end:start]
    return not _CLAUSE_BREAK.search(between) and len(between.split()) <= 3


def _merge(reply: str, findings: list[Finding]) -> list[Finding]:
    """Findings of one code that overlap, or stand in one clause at most two words apart
    («зарегистрировано и будет рассмотрено»), become one span (the first detector's name stays)."""
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.code, f.start, f.end)):
        last = merged[-1] if merged else None
        if last and last.code == finding.code and _joined(reply, last.end, finding.start):
            merged[-1] = Finding(
                last.code, last.start, max(last.end, finding.end), last.rule, last.source, last.confidence
            )
        else:
            merged.append(finding)
    return sorted(merged, key=lambda f: (f.start, f.end, f.code))


def _trim(text: Text, block: Block) -> tuple[int, int]:
    """A block without its surrounding spaces."""
    piece = text.raw[block.start : block.end]
    start = block.start + len(piece) - len(piece.lstrip())
    return start, block.start + len(piece.rstrip())


_SUBJECTS = frozenset({"мы", "я", "we", "i"})


def _extend(text: Text, match: Match) -> tuple[int, int]:
    """The span of a phrase with its subject («мы понимаем…») and, for a hedge, the verb it hedges
    («постараемся разобраться»), when they stand right next to it."""
    tokens = text.tokens
    start, end = match.start, match.end
    before = tokens[match.first - 1] if match.first > 0 else None
    if before and before.lemma in _SUBJECTS and not text.raw[before.end : start].strip():
        start = before.start
    after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
    if (
        match.pattern.code == lx.HEDGING
        and after
        and any("INFN" in g for g in after.grams)
        and not text.raw[end : after.start].strip()
    ):
        end = after.end
    return start, end


def find_flags(
    reply: str,
    *,
    customer_message: str | None = None,
    lang: str | None = None,
    articles: Sequence[Article] = (),
    earlier_replies: Sequence[str] = (),
    learned: bool = True,
) -> list[Finding]:
    """Every flag in ``reply``, ordered by position. ``articles`` are candidate knowledge-base
    articles (a near-copy of one that does not answer ``customer_message`` is kb_dump);
    ``earlier_replies`` are the agent replies already sent in this ticket (sending one again is
    kb_dump too). With ``learned`` (the default) the sentences the shipped model flags join the
    lexicon's findings (``learned.learned_findings``); without it, the rules alone. Spans are
    offsets into ``reply``."""
    text = analyse(reply, lang)
    kept, cleared = judged_matches(text, customer_message)
    findings = rule_findings(text, customer_message, articles, earlier_replies, kept)
    if learned and text.tokens:
        # imported here: the model's features reuse this module's context rules
        from otklik.quality.learned import learned_findings
        from otklik.quality.model import get_model

        model = get_model()
        scored = model.score(text, customer_message)
        # the lexicon's own hits stand: the model adds what it misses and takes nothing away
        findings = [replace(f, confidence=model.rule_precision.get(f.code, 1.0)) for f in findings]
        spared = [Finding(m.pattern.code, m.start, m.end) for m in cleared]
        added = learned_findings(scored, model.codes, model.thresholds, findings + spared)
        findings += [f for f in added if not (f.code == lx.BLAME and _exonerates(reply[f.start : f.end]))]
    return _merge(text.raw, findings)


_EXONERATING = re.compile(r"\b(?:вы|you)\s+(?:не|ни в чем не|not|did not|didn'?t|have not|haven'?t)\b", re.I)


def _exonerates(sentence: str) -> bool:
    """«Вы не ошиблись», "you did nothing wrong": a sentence that clears the customer is no blame,
    however much its words look like it (the learned detector reads words, not negation)."""
    return bool(_EXONERATING.search(sentence))


def rule_findings(
    text: Text,
    customer_message: str | None,
    articles: Sequence[Article],
    earlier_replies: Sequence[str],
    matches: Sequence[Match] | None = None,
) -> list[Finding]:
    """The lexicon's phrases that survive the context rules (``matches`` when already judged),
    and the overlap detector's kb_dump."""
    kept = phrase_matches(text, customer_message) if matches is None else matches
    findings = [Finding(m.pattern.code, *_extend(text, m)) for m in kept]
    for block in article_dumps(text, customer_message, articles):
        findings.append(Finding(lx.KB_DUMP, *_trim(text, block), rule="kb_copy", source=block.source))
    for block in repeated_templates(text, earlier_replies):
        findings.append(Finding(lx.KB_DUMP, *_trim(text, block), rule="repeated", source=block.source))
    return findings
