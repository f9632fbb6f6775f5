"""Normalised text for the knowledge-base index: lemmas (pymorphy3 for Russian, Snowball for
English), stop words dropped, a verb and its noun folded into one concept («вернуть» → «возврат»),
then the Russian Snowball stem («правильно» and «правильный» → «правильн»).

Articles and queries go through the same function, so the SQLite FTS5 table and the PostgreSQL
``tsvector`` both hold exactly what a query is matched against. Pure apart from the per-process
lemma cache.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from otklik.core.text import morph, stemmer

_TOKEN = re.compile(r"[a-zа-я0-9]+(?:-[a-zа-я0-9]+)*")
_CYRILLIC = re.compile(r"[а-я]")
_DIGITS = re.compile(r"\d")
#: greetings and politeness carry no topic; removed as phrases before the words are split
_PHRASES = re.compile(
    r"\b(?:добр(?:ый|ого|ое)\s+(?:день|дня|вечер|вечера|утро|утра|время\s+суток)|доброе\s+утро|"
    r"good\s+(?:morning|afternoon|evening)|thank\s+you|заранее\s+спасибо)\b"
)
MAX_CHARS = 20_000

#: function words and conversational filler, as lemmas (Russian and English stems)
STOP = frozenset(
    """
    и в во не на с со по к ко у о об обо от до из за для при без над под про через а но или либо ли же бы
    то это этот тот такой так как что чтобы кто где куда откуда когда зачем почему сколько какой каков
    чей который весь всё свой мой твой ваш наш его её их ее я мы ты вы он она оно они себя мне меня нас
    вас быть есть являться мочь можно нужно надо хотеть хотеться если ещё еще уже очень только также тоже
    даже вот вон там тут здесь сейчас потом теперь да нет ни либо ведь разве неужели бы бывать стать
    здравствуйте здравствуй привет спасибо пожалуйста подсказать сказать помочь
    подскажите скажите вопрос извинить извините прошу просить уважаемый
    после перед между вместо около кроме среди ради насчет лишь более менее через
    самый сам один другой иной каждый любой некоторый никакой ничто ничего что-то какой-то кто-то
    a an the and or but if then so to of in on at by for with from as is are was were be been being do
    doe did done have has had i me my we our you your he she it its they them their this that these those
    what which who whom when where why how can could should would will shall may might must not no yes
    pleas please thank thanks hello hi dear there here just also about into than too veri very
    """.split()  # noqa: SIM905  (a word list reads better as text)
)

#: a verb and the noun that names its action are one concept in a help question
#: («как вернуть» asks about «возврат»); both articles and queries are folded the same way
CONCEPTS: dict[str, str] = {
    "вернуть": "возврат",
    "возвращать": "возврат",
    "вернуться": "возврат",
    "возвратить": "возврат",
    "отменить": "отмена",
    "отменять": "отмена",
    "доставить": "доставка",
    "доставлять": "доставка",
    "оплатить": "оплата",
    "оплачивать": "оплата",
    "выплатить": "выплата",
    "выплачивать": "выплата",
    "удалить": "удаление",
    "удалять": "удаление",
    "изменить": "изменение",
    "изменять": "изменение",
    "поменять": "изменение",
    "менять": "изменение",
    "сменить": "изменение",
    "смена": "изменение",
    "восстановить": "восстановление",
    "восстанавливать": "восстановление",
    "заблокировать": "блокировка",
    "блокировать": "блокировка",
    "заблокированный": "блокировка",
    "разблокировать": "разблокировка",
    "принять": "приемка",
    "принимать": "приемка",
    "прием": "приемка",
    "отследить": "отслеживание",
    "отслеживать": "отслеживание",
    "трек": "отслеживание",
    "зарегистрироваться": "регистрация",
    "зарегистрировать": "регистрация",
    "войти": "вход",
    "входить": "вход",
    "зайти": "вход",
    "заходить": "вход",
    "залогиниться": "вход",
    "авторизоваться": "вход",
    "авторизация": "вход",
    "списать": "списание",
    "списывать": "списание",
    "начислить": "начисление",
    "начислять": "начисление",
    "упаковать": "упаковка",
    "упаковывать": "упаковка",
    "забронировать": "бронирование",
    "бронировать": "бронирование",
    "бронь": "бронирование",
    "перенести": "перенос",
    "переносить": "перенос",
    "хранить": "хранение",
    "храниться": "хранение",
    "отгрузить": "отгрузка",
    "отгружать": "отгрузка",
    "оформить": "оформление",
    "оформлять": "оформление",
    "подключить": "подключение",
    "подключать": "подключение",
    "заменить": "замена",
    "обменять": "обмен",
    "промаркировать": "маркировка",
    "маркировать": "маркировка",
    "отправить": "отправка",
    "отправлять": "отправка",
    "получить": "получение",
    "получать": "получение",
    "забрать": "получение",
    "создать": "создание",
    "создавать": "создание",
    "добавить": "добавление",
    "добавлять": "добавление",
    "загрузить": "загрузка",
    "загружать": "загрузка",
    "загружаться": "загрузка",
    "склеить": "склейка",
    "объединить": "склейка",
    "объединение": "склейка",
    "оспорить": "оспаривание",
    "оспаривать": "оспаривание",
    "обжаловать": "оспаривание",
    "сканировать": "сканирование",
    "отсканировать": "сканирование",
    "опоздать": "опоздание",
    "задержать": "задержка",
    "задерживаться": "задержка",
    "задерживать": "задержка",
    "штрих-код": "штрихкод",
    "баркод": "штрихкод",
    "шк": "штрихкод",
    "тайм-слот": "слот",
    "таймслот": "слот",
    "лк": "кабинет",
    "фбо": "fbo",
    "фбс": "fbs",
    "смс": "sms",
    "эсэмэс": "sms",
    "пароль": "пароль",
    "коробка": "короб",
    "грузиться": "загрузка",
    "прогружаться": "загрузка",
    "выгрузить": "выгрузка",
    "выгружать": "выгрузка",
    "заплатить": "оплата",
    "платить": "оплата",
    "купить": "покупка",
    "покупать": "покупка",
    "продать": "продажа",
    "продавать": "продажа",
    "привезти": "доставка",
    "привозить": "доставка",
    "2фа": "двухфакторный",
    "2fa": "двухфакторный",
    "двухэтапный": "двухфакторный",
    "refund": "return",
    "cancel": "cancel",
    "track": "track",
    "deliveri": "deliveri",
    "sign": "login",
    "log": "login",
    "password": "password",
}


class Lemmas:
    """Word form → lemma, cached per process; thread-safe, loads the analysers on first use."""

    def __init__(self, limit: int = 200_000) -> None:
        self._cache: dict[str, str] = {}
        self._tags: dict[str, frozenset[str]] = {}
        self._stems: dict[str, str] = {}
        self._limit = limit

    def _load(self) -> tuple[Any, Any]:
        """The process's analyser and this thread's English stemmer (``otklik.core.text``)."""
        return morph(), stemmer("english")

    def warm(self) -> None:
        """Load the analysers now, so the first question does not pay for it."""
        self._load()

    def lemma(self, word: str) -> str:
        found = self._cache.get(word)
        if found is not None:
            return found
        if _DIGITS.search(word) or len(word) < 2:
            found = word
        else:
            morph, english = self._load()
            if _CYRILLIC.search(word):
                found = str(morph.parse(word)[0].normal_form).replace("ё", "е")
            else:
                found = str(english.stemWord(word))
        if len(self._cache) < self._limit:
            self._cache[word] = found
        return found

    def grammemes(self, word: str) -> frozenset[str]:
        """Grammemes of the likeliest reading of a Russian ``word`` (``past``, ``plur``…), plus
        ``impr`` when any reading is an imperative («отмените» reads first as a future form)."""
        cached = self._tags.get(word)
        if cached is not None:
            return cached
        found: frozenset[str] = frozenset()
        if _CYRILLIC.search(word) and not _DIGITS.search(word):
            morph, _ = self._load()
            parses = morph.parse(word)
            found = frozenset(str(g) for g in parses[0].tag.grammemes)
            if any("impr" in p.tag for p in parses):
                found |= {"impr"}
        if len(self._tags) < self._limit:
            self._tags[word] = found
        return found

    def stem(self, term: str) -> str:
        """The Russian Snowball stem of a Cyrillic term (English lemmas are stems already)."""
        if not _CYRILLIC.search(term):
            return term
        found = self._stems.get(term)
        if found is None:
            found = str(stemmer("russian").stemWord(term))
            if len(self._stems) < self._limit:
                self._stems[term] = found
        return found

    def known(self, word: str) -> bool:
        """Whether the Russian dictionary knows ``word`` (an unknown form may be a typo)."""
        if not _CYRILLIC.search(word):
            return True
        morph, _ = self._load()
        return bool(morph.word_is_known(word))


@lru_cache(maxsize=1)
def lemmas_instance() -> Lemmas:
    """The process's one analyser (pymorphy3 takes ~0.2 s and ~15 MB to load)."""
    return Lemmas()


def clean(text: str) -> str:
    """Lower case, ``ё`` → ``е``, greetings removed, cut at ``MAX_CHARS``."""
    return _PHRASES.sub(" ", text[:MAX_CHARS].lower().replace("ё", "е"))


def words(text: str) -> list[str]:
    """The words of ``text`` (cleaned), in order; hyphenated words stay whole."""
    return _TOKEN.findall(clean(text))


def concept(lemma: str) -> str:
    return CONCEPTS.get(lemma, lemma)


def split_unknown(word: str, analyser: Lemmas) -> list[str]:
    """A hyphenated word the dictionary does not know is its parts («приложение-аутентификатор»);
    a known one stays whole («кто-то», «штрих-код»)."""
    if "-" not in word or analyser.known(word) or not _CYRILLIC.search(word):
        return [word]
    return [part for part in word.split("-") if part]


def term_of(word: str, analyser: Lemmas) -> str | None:
    """The index term of one word form: its lemma folded to a concept and stemmed (Russian
    Snowball), or None for a stop word."""
    lemma = analyser.lemma(word)
    folded = concept(lemma)
    if folded in STOP or word in STOP or lemma in STOP:
        return None
    return analyser.stem(folded)


def terms(text: str, analyser: Lemmas | None = None) -> list[str]:
    """Content terms of ``text`` in order: lemmas folded to concepts and stemmed, stop words dropped."""
    lem = analyser or lemmas_instance()
    out: list[str] = []
    for token in words(text):
        for word in split_unknown(token, lem):
            term = term_of(word, lem)
            if term is not None:
                out.append(term)
    return out


def index_text(text: str, analyser: Lemmas | None = None) -> str:
    """What the full-text index stores for ``text``: its terms joined by spaces."""
    return " ".join(terms(text, analyser))
