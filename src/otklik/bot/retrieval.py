"""Which article answers *this* question, and how sure that is.

1. The question's index terms (``otklik.kb.text``); a word neither the dictionary nor the knowledge
   base knows is corrected to the nearest knowledge-base word (rapidfuzz), so «вазврат» finds
   «возврат».
2. Candidates come from the full-text index (``otklik.kb.queries.search_terms``).
   Candidates also come from meaning: the articles whose sentence vectors (the multilingual
   Universal Sentence Encoder of ``otklik.core.embeddings``) lie nearest the question's, so a
   paraphrase that shares no word with the article still finds it.
3. Each candidate is scored in Python against statistics of the whole knowledge base, the same on
   SQLite and PostgreSQL: idf-weighted coverage of the question's terms by the article (title
   counts whole, body by saturated term frequency, BM25-style), how much of the title the question
   says, shared word pairs, and the cosine of the question's vector with the article's and with
   its nearest sentence (the two rankings fused in one weighted sum).
4. A logistic model over the best candidate's features (its score, its lead over the runner-up,
   the share of the question the knowledge base has never heard of…) gives the calibrated
   probability that the best article answers the question. Weights and threshold come from the
   tuning split (``otklik bot tune``) and are stored in ``data/calibration.json``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from otklik.core.embeddings import SENTENCE_DIM, Vector, sentences
from otklik.kb.queries import IndexedDoc, index_signature, indexed_docs, search_terms
from otklik.kb.text import CONCEPTS, STOP, Lemmas, lemmas_instance, split_unknown, term_of, terms, words

CALIBRATION = Path(__file__).parent / "data" / "calibration.json"
CANDIDATES = 30
#: articles added as candidates by meaning alone
SEMANTIC_CANDIDATES = 5
K1 = 1.2
B = 0.75
#: the features the calibration model reads, in order
FEATURES = (
    "rank",
    "lead",
    "coverage",
    "passage",
    "match",
    "unknown",
    "title_precision",
    "pairs",
    "length",
    "semantic",
    "semantic_phrase",
    "semantic_lead",
)
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Doc:
    """An article as the scorer sees it."""

    article_id: int
    version: int
    title: str
    category: str
    lang: str
    title_terms: frozenset[str]
    body_tf: dict[str, int]
    length: int
    pairs: frozenset[tuple[str, str]]
    #: the terms of each sentence or list item of the body, with the title's
    passages: tuple[frozenset[str], ...] = ()
    #: the title, and each sentence, list item or listed question of the body, alone
    phrases: tuple[frozenset[str], ...] = ()
    #: sentence vector of the whole article, and of its title and each sentence (rows)
    vector: Vector | None = None
    phrase_vectors: Vector | None = None
    #: what the vectors are made of: the whole article, then its title and sentences
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scored:
    doc: Doc
    rank: float
    coverage: float
    passage: float
    match: float
    title_coverage: float
    title_precision: float
    pairs: float
    #: cosine of the question's vector with the article's, and with its nearest sentence
    semantic: float = 0.0
    semantic_phrase: float = 0.0


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The outcome for one question: the best article (if any), its features and confidence."""

    terms: tuple[str, ...]
    best: Scored | None
    runner_up: Scored | None
    features: dict[str, float]
    confidence: float
    corrected: dict[str, str]
    #: a part of a two-part question the best article does not answer (None: every part is)
    unanswered_part: str | None = None


@dataclass(frozen=True, slots=True)
class Calibration:
    """Ranking weights, the logistic model over ``FEATURES`` and the answer threshold."""

    rank_weights: dict[str, float]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias
        for name, mean, scale, weight in zip(FEATURES, self.mean, self.scale, self.weights, strict=True):
            z += weight * (features[name] - mean) / (scale or 1.0)
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "rank_weights": self.rank_weights,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        if list(data["features"]) != list(FEATURES):
            raise ValueError("calibration.json was made for other features; run `otklik bot tune`")
        return cls(
            rank_weights={k: float(v) for k, v in data["rank_weights"].items()},
            mean=tuple(float(x) for x in data["mean"]),
            scale=tuple(float(x) for x in data["scale"]),
            weights=tuple(float(x) for x in data["weights"]),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
        )


#: before tuning: a ranking that favours titles, and a model that trusts coverage
DEFAULT_CALIBRATION = Calibration(
    rank_weights={"title_coverage": 0.3, "title_precision": 0.2, "pairs": 0.2},
    mean=(0.0,) * len(FEATURES),
    scale=(1.0,) * len(FEATURES),
    weights=(4.0, 4.0, 2.0, 1.0, 2.0, -6.0, 1.0, 1.0, 0.0, 2.0, 1.0, 1.0),
    bias=-5.0,
    threshold=0.8,
)


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    """The tuned calibration shipped with the package (the default until ``otklik bot tune`` ran)."""
    if not CALIBRATION.exists():
        return DEFAULT_CALIBRATION
    return Calibration.from_json(json.loads(CALIBRATION.read_text(encoding="utf-8")))


class Corpus:
    """Statistics of the published articles of one language, and each article's terms."""

    def __init__(self, docs: Sequence[IndexedDoc], lang: str, analyser: Lemmas | None = None) -> None:
        lem = analyser or lemmas_instance()
        self.lang = lang
        self.docs: dict[int, Doc] = {}
        df: Counter[str] = Counter()
        # spellings a typo may be corrected to: the articles' word forms and lemmas, and stop words
        self.spellings: dict[str, str] = {w: "" for w in STOP if len(w) > 3}
        for item in docs:
            if item.lang != lang:
                continue
            title = item.search_title.split()
            body = item.search_body.split()
            heading = frozenset(title)
            phrases = tuple(
                p for p in (frozenset(terms(sentence, lem)) for sentence in _SENTENCE.split(item.body)) if p
            )
            passages = tuple(heading | p for p in phrases)
            sentences = [item.title, *(s for s in _SENTENCE.split(item.body) if s.strip())]
            doc = Doc(
                article_id=item.article_id,
                version=item.version,
                title=item.title,
                category=item.category,
                lang=item.lang,
                title_terms=frozenset(title),
                body_tf=dict(Counter(body)),
                length=len(body),
                pairs=frozenset(itertools.pairwise(title)) | frozenset(itertools.pairwise(body)),
                passages=passages or (heading,),
                phrases=(heading, *phrases),
                vector=None,
                phrase_vectors=None,
                texts=(f"{item.title}\n{item.body}", *sentences),
            )
            self.docs[doc.article_id] = doc
            df.update(doc.title_terms | doc.body_tf.keys())
            for token in set(words(f"{item.title} {item.body}")):
                for word in split_unknown(token, lem):
                    term = term_of(word, lem)
                    if term is not None and len(word) > 3:
                        self.spellings.setdefault(word, term)
                        self.spellings.setdefault(lem.lemma(word), term)
        for source, folded in CONCEPTS.items():
            stemmed = lem.stem(folded)
            if stemmed in df:
                self.spellings.setdefault(source, stemmed)
        self._encode_docs()
        self.size = len(self.docs)
        self._ids = list(self.docs)
        self._matrix = (
            np.vstack([d.vector for d in self.docs.values() if d.vector is not None])
            if self.docs
            else np.zeros((0, SENTENCE_DIM), dtype=np.float32)
        )
        self.df = dict(df)
        self.avg_length = sum(d.length for d in self.docs.values()) / max(self.size, 1)
        self.vocabulary = frozenset(self.df)
        self._choices = list(self.spellings)
        self._unseen_idf = math.log(1.0 + (self.size + 0.5) / 0.5)
        self._idf = {t: math.log(1.0 + (self.size - n + 0.5) / (n + 0.5)) for t, n in self.df.items()}
        self._title_weight = {d.article_id: sum(self._idf[t] for t in d.title_terms) for d in self.docs.values()}

    def _encode_docs(self) -> None:
        """Every article's sentence vectors, encoded in one batch (the encoder keeps them)."""
        texts = [t for doc in self.docs.values() for t in doc.texts]
        if not texts:
            return
        matrix = sentences().encode(texts)
        row = 0
        for article_id, doc in list(self.docs.items()):
            count = len(doc.texts)
            block = matrix[row : row + count]
            row += count
            self.docs[article_id] = dataclasses.replace(doc, vector=block[0], phrase_vectors=block[1:])

    def nearest(self, question: Vector, count: int = SEMANTIC_CANDIDATES) -> list[int]:
        """Ids of the ``count`` articles nearest ``question``: the cosine with the whole article
        plus the cosine with its nearest sentence."""
        if not self._ids or not question.any():
            return []
        whole = self._matrix @ question
        best_sentence = np.asarray(
            [
                float((doc.phrase_vectors @ question).max()) if doc.phrase_vectors is not None else 0.0
                for doc in self.docs.values()
            ]
        )
        closeness = whole + best_sentence
        order = np.argsort(-closeness, kind="stable")[:count]
        return [self._ids[int(i)] for i in order if closeness[int(i)] > 0]

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unseen_idf)

    def correct(self, word: str, lemma: str, analyser: Lemmas) -> str | None:
        """The knowledge-base spelling of an unknown word (a typo), or None to keep it as it is;
        ``""`` means the word is a misspelt stop word."""
        if len(word) < 4 or word.isdigit() or analyser.known(word):
            return None
        best: tuple[str, float] | None = None
        for probe in {word, lemma}:
            found = process.extractOne(probe, self._choices, scorer=fuzz.ratio, score_cutoff=80)
            if found is not None and (best is None or found[1] > best[1]):
                best = (str(found[0]), float(found[1]))
        return None if best is None else self.spellings[best[0]]

    def score(
        self,
        query: Sequence[str],
        weights: dict[str, float],
        doc: Doc,
        rank_weights: dict[str, float],
        question: Vector | None = None,
    ) -> Scored:
        """``query``: the question's terms in order; ``weights``: idf of each distinct term;
        ``question``: its unit vector (None: no semantic part)."""
        total = sum(weights.values()) or 1.0
        norm = K1 * (1 - B + B * doc.length / (self.avg_length or 1.0))
        matched = title_hit = 0.0
        for term, weight in weights.items():
            if term in doc.title_terms:
                matched += weight
                title_hit += weight
            elif term in doc.body_tf:
                tf = doc.body_tf[term]
                matched += weight * (0.6 + 0.4 * tf / (tf + norm))
        title_total = self._title_weight.get(doc.article_id) or 1.0
        title_precision = sum(self._idf[t] for t in doc.title_terms if t in weights) / title_total
        wanted_pairs = list(itertools.pairwise(query))
        pairs = sum(1 for p in wanted_pairs if p in doc.pairs) / len(wanted_pairs) if wanted_pairs else 0.0
        coverage = matched / total
        passage = max(sum(w for t, w in weights.items() if t in p) for p in doc.passages) / total
        match = max(
            2 * sum(w for t, w in weights.items() if t in p) / (total + sum(self.idf(t) for t in p))
            for p in doc.phrases
        )
        semantic = semantic_phrase = 0.0
        if question is not None and doc.vector is not None and doc.phrase_vectors is not None:
            semantic = float(doc.vector @ question)
            semantic_phrase = float((doc.phrase_vectors @ question).max())
        rank = (
            coverage
            + rank_weights.get("semantic", 0.0) * semantic
            + rank_weights.get("semantic_phrase", 0.0) * semantic_phrase
            + rank_weights.get("passage", 0.0) * passage
            + rank_weights.get("match", 0.0) * match
            + rank_weights.get("title_coverage", 0.0) * (title_hit / total)
            + rank_weights.get("title_precision", 0.0) * title_precision
            + rank_weights.get("pairs", 0.0) * pairs
        )
        return Scored(
            doc, rank, coverage, passage, match, title_hit / total, title_precision, pairs, semantic, semantic_phrase
        )


def features_of(
    corpus: Corpus, query: Sequence[str], best: Scored | None, runner_up: Scored | None
) -> dict[str, float]:
    """What the calibration reads about the best candidate (``runner_up``: the next by rank)."""
    unique = list(dict.fromkeys(query))
    total = sum(corpus.idf(t) for t in unique) or 1.0
    unknown = sum(corpus.idf(t) for t in unique if t not in corpus.vocabulary) / total
    if best is None:
        return dict.fromkeys(FEATURES, 0.0) | {"unknown": unknown, "length": min(len(unique), 8) / 8}
    return {
        "rank": best.rank,
        "lead": best.rank - (runner_up.rank if runner_up else 0.0),
        "coverage": best.coverage,
        "passage": best.passage,
        "match": best.match,
        "unknown": unknown,
        "title_precision": best.title_precision,
        "pairs": best.pairs,
        "length": min(len(unique), 8) / 8,
        "semantic": best.semantic,
        "semantic_phrase": best.semantic_phrase,
        "semantic_lead": best.semantic - (runner_up.semantic if runner_up else 0.0),
    }


#: ``(terms, lang) -> candidate article ids``: the full-text index, or everything in memory
CandidateSource = Callable[[Sequence[str], str], Sequence[int]]


def query_terms(text: str, corpus: Corpus, analyser: Lemmas | None = None) -> tuple[list[str], dict[str, str]]:
    """The question's terms in order, typos corrected against ``corpus``; and the corrections made."""
    lem = analyser or lemmas_instance()
    out: list[str] = []
    corrected: dict[str, str] = {}
    for token in words(text):
        for word in split_unknown(token, lem):
            term = term_of(word, lem)
            if term is not None and term in corpus.vocabulary:
                out.append(term)
                continue
            fixed = corpus.correct(word, lem.lemma(word), lem)
            if fixed is not None:
                corrected[word] = fixed
                term = fixed or None  # "" is a misspelt stop word
            if term is not None:
                out.append(term)
    return out, corrected


def retrieve(
    text: str, corpus: Corpus, candidates: CandidateSource, calibration: Calibration | None = None
) -> Retrieval:
    """The best article of ``corpus`` for ``text`` and the calibrated probability that it answers it."""
    cal = calibration or shipped_calibration()
    wanted, corrected = query_terms(text, corpus)
    scored = rank_candidates(corpus, text, wanted, candidates, cal.rank_weights)
    best = scored[0] if scored else None
    runner_up = scored[1] if len(scored) > 1 else None
    features = features_of(corpus, wanted, best, runner_up)
    confidence = cal.probability(features) if best is not None else 0.0
    missing = unanswered_part(corpus, text, best.doc) if best is not None else None
    return Retrieval(tuple(wanted), best, runner_up, features, round(confidence, 4), corrected, missing)


def rank_candidates(
    corpus: Corpus, text: str, wanted: Sequence[str], candidates: CandidateSource, rank_weights: dict[str, float]
) -> list[Scored]:
    """The articles found by words (``candidates``) and by meaning, best first."""
    question = sentences().one(text)
    weights = {t: corpus.idf(t) for t in dict.fromkeys(wanted)}
    found = candidate_docs(corpus, question, wanted, candidates)
    return sorted(
        (corpus.score(wanted, weights, doc, rank_weights, question) for doc in found),
        key=lambda s: (-s.rank, s.doc.article_id),
    )


def candidate_docs(corpus: Corpus, question: Vector, wanted: Sequence[str], candidates: CandidateSource) -> list[Doc]:
    """The articles that share the question's words (``candidates``), then those nearest in meaning."""
    ids = list(candidates(wanted, corpus.lang)) if wanted else []
    ids += [i for i in corpus.nearest(question) if i not in ids]
    return [corpus.docs[i] for i in ids if i in corpus.docs]


#: where a question turns to a second ask: «…, и можно ли …», «? А как …», "… and can I …"
_SECOND_ASK = re.compile(
    r"(?:\?\s+(?:(?:и|а|а также|а еще|also|and)\s+)?|[,;]\s*(?:и|а|а также|а еще|ещё|also|and)\s+"
    r"|\s(?:и|а также|а еще|and also|and)\s+)"
    r"(?=(?:можно ли|можно|как|где|когда|сколько|почему|зачем|нужно ли|нужно|есть ли|что|какие|какой|кто|"
    r"могу ли|могу|вы|у вас|can|could|how|where|when|what|why|is there|do you|does|is it|should)\b)",
    re.IGNORECASE,
)
#: a part is answered when one passage of the article holds this share of its terms' weight…
PART_COVERAGE = 0.5
#: …or one sentence lies this close to it in meaning (a near restatement). Chosen on the second
#: shop's two-part questions: every partly answered one caught, 8 of 10 fully answered ones kept;
#: there the share of weight decided every case, the sentence vectors none.
PART_SIMILARITY = 0.8


def question_parts(text: str) -> list[str]:
    """The asks of a question, split where a second one begins (one part when there is one)."""
    pieces = [p.strip(" ,;.?!") for p in _SECOND_ASK.split(text)]
    return [p for p in pieces if p]


def unanswered_part(corpus: Corpus, text: str, doc: Doc, analyser: Lemmas | None = None) -> str | None:
    """The first part of a several-part question that ``doc`` does not answer, or None.

    A part counts only when it has two terms of its own; it is answered when one passage of the
    article holds ``PART_COVERAGE`` of its idf weight or one sentence is ``PART_SIMILARITY`` close.
    """
    parts = question_parts(text)
    if len(parts) < 2 or doc.phrase_vectors is None:
        return None
    encoder = sentences()
    for part in parts:
        wanted, _ = query_terms(part, corpus, analyser)
        weights = {t: corpus.idf(t) for t in dict.fromkeys(wanted)}
        if len(weights) < 2:
            continue
        total = sum(weights.values())
        coverage = max(sum(w for t, w in weights.items() if t in p) for p in doc.passages) / total
        closeness = float((doc.phrase_vectors @ encoder.one(part)).max())
        if coverage < PART_COVERAGE and closeness < PART_SIMILARITY:
            return part
    return None


def memory_candidates(corpus: Corpus) -> CandidateSource:
    """Every article sharing a term with the question (what the full-text index returns, unranked)."""

    def source(terms: Sequence[str], lang: str) -> list[int]:
        wanted = set(terms)
        return [d.article_id for d in corpus.docs.values() if wanted & (d.title_terms | d.body_tf.keys())]

    return source


def index_candidates(session: Session) -> CandidateSource:
    """Candidates from the database's full-text index (FTS5 or ``tsvector``)."""

    def source(terms: Sequence[str], lang: str) -> list[int]:
        return [hit.article_id for hit in search_terms(session, terms, lang=lang, limit=CANDIDATES)]

    return source


_CACHE: dict[tuple[Any, ...], Corpus] = {}
_LOCK = threading.Lock()


def corpus_for(session: Session, lang: str) -> Corpus:
    """The corpus of published ``lang`` articles, rebuilt only when the knowledge base changed."""
    key = (id(session.get_bind().engine), lang, *index_signature(session))
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    corpus = Corpus(indexed_docs(session, lang=lang), lang)
    with _LOCK:
        stale = [k for k in _CACHE if k[:2] == key[:2]]
        for k in stale:
            del _CACHE[k]
        _CACHE[key] = corpus
    return corpus
