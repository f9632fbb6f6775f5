"""Text of a draft reply as the detectors see it: tokens with character spans, their lemmas and
grammemes (pymorphy3 for Russian, light normalisation for English) and sentence spans (razdel).

Pure and deterministic; the morphological analyser is loaded once per process and every word form
is analysed once (a bounded cache), so a reply costs a dictionary look-up per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import razdel  # type: ignore[import-untyped]  # razdel ships no type information

from otklik.core.text import morph

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+(?:[.,:]\d+)*", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})
#: English contraction tails as separate tokens ("we'll" → we + will, "can't" → can + not)
_EN_TAILS = {"ll": "will", "re": "are", "ve": "have", "t": "not", "m": "am", "d": "would", "s": "'s"}
#: irregular English forms the patterns care about
_EN_FORMS = {
    "won": "will",
    "don": "do",
    "doesn": "do",
    "didn": "do",
    "isn": "be",
    "aren": "be",
    "wasn": "be",
    "weren": "be",
    "couldn": "could",
    "wouldn": "would",
    "shouldn": "should",
    "hasn": "have",
    "haven": "have",
}
#: a first parse that is wrong for support texts
_RU_OVERRIDES = {"стоит": "стоить", "жаль": "жаль", "нельзя": "нельзя", "сожалению": "сожаление"}
MAX_CHARS = 8000  # a longer draft is judged by its first 8000 characters: bounded latency


@dataclass(frozen=True, slots=True)
class Token:
    """One word or number of the reply. ``lemmas`` holds every plausible normal form; ``grams``
    the grammemes of each of them (parallel tuples); ``lower`` the surface form in lower case."""

    start: int
    end: int
    lower: str
    lemmas: tuple[str, ...]
    grams: tuple[frozenset[str], ...]
    capital: bool
    cyrillic: bool

    @property
    def lemma(self) -> str:
        return self.lemmas[0]

    def has(self, lemma: str) -> bool:
        return lemma in self.lemmas

    def grams_of(self, lemma: str) -> list[frozenset[str]]:
        return [g for lem, g in zip(self.lemmas, self.grams, strict=True) if lem == lemma]

    @property
    def is_name(self) -> bool:
        """A capitalised Russian first name («Анна», «Роману»)."""
        return self.capital and self.cyrillic and any("Name" in g for g in self.grams)

    @property
    def is_number(self) -> bool:
        return self.lower[0].isdigit()


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    first: int  # index of its first token
    last: int  # index past its last token


@dataclass(frozen=True, slots=True)
class Text:
    """An analysed reply."""

    raw: str
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]
    lang: str

    def sentence_of(self, index: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.first <= index < sentence.last:
                return sentence
        return self.sentences[-1]


@lru_cache(maxsize=100_000)
def ru_analyse(form: str) -> tuple[tuple[str, ...], tuple[frozenset[str], ...]]:
    """Normal forms (``ё`` → ``е``) and grammemes of a lower-case Russian word form, best first."""
    lemmas: list[str] = []
    grams: list[frozenset[str]] = []
    override = _RU_OVERRIDES.get(form)
    for parse in morph().parse(form)[:4]:
        if parse.score < 0.02 and lemmas:
            continue
        lemmas.append(parse.normal_form.replace("ё", "е"))
        grams.append(frozenset(str(parse.tag).replace(" ", ",").split(",")))
    if override is not None and override not in lemmas:
        lemmas.insert(0, override)
        grams.insert(0, frozenset())
    if not lemmas:
        return (form,), (frozenset(),)
    return tuple(lemmas), tuple(grams)


def en_lemma(form: str) -> str:
    """English is matched on lower-case forms and prefixes; only contractions are undone here."""
    return _EN_FORMS.get(form, form)


def detect_lang(text: str) -> str:
    """``ru`` when Cyrillic letters make up at least a third of the letters, else ``en``."""
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    return "ru" if cyr and cyr * 2 >= lat else ("en" if lat else "ru")


def _tokens(raw: str) -> list[Token]:
    text = raw.translate(_APOSTROPHES)
    out: list[Token] = []
    for match in _WORD.finditer(text):
        word = match.group()
        lower = word.lower()
        start, end = match.span()
        cyrillic = bool(_CYRILLIC.search(word))
        if cyrillic:
            lemmas, grams = ru_analyse(lower)
        elif lower in _EN_TAILS and start > 0 and text[start - 1] == "'":
            lemmas, grams = (_EN_TAILS[lower],), (frozenset(),)
        else:
            lemmas, grams = (en_lemma(lower),), (frozenset(),)
        out.append(Token(start, end, lower, lemmas, grams, word[0].isupper(), cyrillic))
    return out


def _sentences(raw: str, tokens: list[Token]) -> tuple[Sentence, ...]:
    spans = [(s.start, s.stop) for s in razdel.sentenize(raw)] or [(0, len(raw))]
    out: list[Sentence] = []
    index = 0
    for start, end in spans:
        first = index
        while index < len(tokens) and tokens[index].start < end:
            index += 1
        out.append(Sentence(start, end, first, index))
    if index < len(tokens):  # defensive: a tail razdel did not cover belongs to the last sentence
        last = out[-1]
        out[-1] = Sentence(last.start, len(raw), last.first, len(tokens))
    return tuple(out)


def analyse(raw: str, lang: str | None = None) -> Text:
    """Tokens, lemmas and sentences of ``raw`` (cut at ``MAX_CHARS``); ``lang`` is detected when
    not given. Offsets always refer to ``raw`` itself."""
    raw = raw[:MAX_CHARS]
    tokens = _tokens(raw)
    return Text(raw, tuple(tokens), _sentences(raw, tokens), lang or detect_lang(raw))
